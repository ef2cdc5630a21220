// Clean-up in batches: one short statement or transaction per batch, so a job never holds many rows locked.

/** Runs `step(limit)` until it handles fewer than `size` rows; the total it handled. */
export async function drainInBatches(size: number, step: (limit: number) => Promise<number>): Promise<number> {
  let total = 0;
  for (;;) {
    const n = await step(size);
    total += n;
    if (n < size) return total;
  }
}
