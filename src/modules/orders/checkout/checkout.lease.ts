// The checkout attempt's lease: the holder (the request that created the attempt, a webhook resuming it, the sweeper
// compensating it) renews it while it works, so a lease outlives a dead holder by at most `leaseMs`, and a step
// longer than the lease (a slow payment provider) does not let another request take the attempt over.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Db } from '../../../platform/db/db.ts';
import { type Attempt, renewLease } from './checkout.repo.ts';

/** The default lease: a dead holder blocks its cart's checkout for at most this long. */
export const DEFAULT_LEASE_MS = 10_000;
/** A holder stops renewing after this long (a hung holder must not hold its cart forever). */
export const MAX_HOLD_MS = 120_000;
// Renewals run outside the request's async context (taken at start-up): their statements are not the request's.
const detached = AsyncLocalStorage.snapshot();

export function attemptLease(db: Db, leaseMs: number) {
  const renewEveryMs = Math.max(50, Math.floor(leaseMs / 5));

  /**
   * Runs `fn` while holding the attempt's lease: renewed every `renewEveryMs` until `fn` settles, the lease is lost
   * or the attempt leaves running/compensating (placed, waiting, failed), and for at most MAX_HOLD_MS.
   */
  async function holding<T>(id: string, owner: string, fn: () => Promise<T>): Promise<T> {
    const giveUpAt = Date.now() + MAX_HOLD_MS;
    let done = false;
    let timer: NodeJS.Timeout | undefined;
    const next = () => {
      if (done || Date.now() >= giveUpAt) return;
      timer = setTimeout(renew, renewEveryMs);
      timer.unref();
    };
    const renew = () => {
      renewLease(db.k, id, owner, leaseMs).then(
        (held) => held && next(),
        // A failed renewal (database busy or away) is tried again; the lease covers several misses.
        () => next(),
      );
    };
    detached(next);
    try {
      return await fn();
    } finally {
      done = true;
      clearTimeout(timer);
    }
  }

  /**
   * Retry-After (seconds) of the 409 for an attempt someone holds: 1 while the holder renews its lease (it is working
   * and will finish soon); once renewals stopped (the holder died), the seconds left on the lease, after which a
   * retry takes the attempt over.
   */
  function retryAfterFor(a: Attempt): number {
    if (a.status !== 'running' && a.status !== 'compensating') return 1;
    if (a.leaseLeftMs >= leaseMs - renewEveryMs - 1000) return 1;
    return Math.max(1, Math.ceil(a.leaseLeftMs / 1000));
  }

  return { holding, retryAfterFor };
}
