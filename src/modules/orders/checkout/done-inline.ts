// What this process's checkout finished inline (the payment authorized at once, so the attempt never waited; after
// the pivot, the cart completed and the payment captured with the order paid), for the subscribers that guarantee the
// same work: `orders.payment_settled` (resumes a waiting attempt) and those of `orders.order.placed`. When the inline
// step finished here, its subscriber has nothing left to do and skips its statements. Only a hint: a subscriber that
// runs in another process, after a restart, or before the inline step finished does the work itself (it is
// idempotent).

export type InlineStep = 'authorized' | 'cart_completed' | 'paid';

export interface DoneInline {
  mark(step: InlineStep, orderId: string): void;
  /** True once when `step` was marked done for the order here (the mark is consumed). */
  take(step: InlineStep, orderId: string): boolean;
}

/** At most `max` marks: those whose subscriber runs in another process are never taken here, the oldest go first. */
export function createDoneInline(max = 10_000): DoneInline {
  const done = new Set<string>();
  return {
    mark(step, orderId) {
      done.add(`${step}:${orderId}`);
      if (done.size > max) done.delete(done.values().next().value as string);
    },
    take: (step, orderId) => done.delete(`${step}:${orderId}`),
  };
}
