/**
 * Statements one read runs, for N+1 tests: the fewest seen over a few repeats of the read. The count is the
 * kernel's, so a relay poll, a scheduled job or a reference-cache refresh landing in the same window adds to it;
 * such strays only ever add, so the minimum is the read's own cost.
 */
export async function statementsOf(
  db: { queryCount(): number },
  read: () => Promise<unknown>,
  repeats = 3,
): Promise<number> {
  let fewest = Number.POSITIVE_INFINITY;
  for (let i = 0; i < repeats; i++) {
    const before = db.queryCount();
    await read();
    fewest = Math.min(fewest, db.queryCount() - before);
  }
  return fewest;
}
