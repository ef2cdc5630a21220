// The sandbox PSP's webhook delivery: asynchronous, signed, retried with exponential backoff until
// the receiver answers 2xx, and — with chaos on — duplicated, delayed and reordered like real PSPs do.

import { signatureHeader } from '../webhook-signature.ts';
import { createTimers } from './timers.ts';

export interface ChaosOptions {
  /** Deliver every event this many extra times (0 = off). */
  duplicate: number;
  /** Add a random delay of up to this many ms to each delivery (0 = off). */
  delayMs: number;
  /** Hold deliveries for this many ms and send each batch in reverse order (0 = off). */
  reorderWindowMs: number;
}

export const NO_CHAOS: ChaosOptions = { duplicate: 0, delayMs: 0, reorderWindowMs: 0 };

/** Chaos from its settings: `SANDBOX_CHAOS=duplicate,delay,reorder` (any subset) and `SANDBOX_CHAOS_DELAY_MS`. */
export function chaosFrom(modes: readonly string[], delayMs: number): ChaosOptions {
  return {
    duplicate: modes.includes('duplicate') ? 2 : 0,
    delayMs: modes.includes('delay') ? delayMs : 0,
    reorderWindowMs: modes.includes('reorder') ? Math.max(100, Math.min(delayMs, 1000)) : 0,
  };
}

export interface RetryOptions {
  baseMs: number;
  maxMs: number;
  /** Give up after this many attempts (counted as failed). */
  maxAttempts: number;
}

export interface WebhookSender {
  enqueue(body: string): void;
  setTarget(url: string | undefined): void;
  stats(): { delivered: number; attempts: number; failed: number; pending: number };
  /** Resolves when nothing is pending (tests). */
  idle(): Promise<void>;
  close(): void;
}

export function createWebhookSender(options: {
  secret: string;
  target: string | undefined;
  chaos: ChaosOptions;
  retry?: Partial<RetryOptions>;
  timeoutMs?: number;
}): WebhookSender {
  const retry: RetryOptions = { baseMs: 200, maxMs: 30_000, maxAttempts: 15, ...options.retry };
  let target = options.target;
  let closed = false;
  const timers = createTimers();
  const later = timers.later;
  const stats = { delivered: 0, attempts: 0, failed: 0, pending: 0 };
  let idleWaiters: (() => void)[] = [];
  let batch: string[] = [];

  const settle = () => {
    stats.pending--;
    if (stats.pending === 0) {
      const waiters = idleWaiters;
      idleWaiters = [];
      for (const w of waiters) w();
    }
  };

  const attempt = async (body: string, n: number): Promise<void> => {
    if (closed) return settle();
    stats.attempts++;
    let ok = false;
    if (target) {
      try {
        const res = await fetch(target, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'emporium-signature': signatureHeader(options.secret, body) },
          body,
          signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
        });
        await res.arrayBuffer().catch(() => undefined);
        ok = res.status >= 200 && res.status < 300;
      } catch {
        ok = false;
      }
    }
    if (ok) {
      stats.delivered++;
      return settle();
    }
    if (n >= retry.maxAttempts) {
      stats.failed++;
      return settle();
    }
    const backoff = Math.min(retry.maxMs, retry.baseMs * 2 ** (n - 1));
    later(backoff / 2 + Math.random() * (backoff / 2), () => void attempt(body, n + 1));
  };

  const dispatch = (body: string) => {
    const delay = options.chaos.delayMs ? Math.floor(Math.random() * options.chaos.delayMs) : 0;
    if (delay) later(delay, () => void attempt(body, 1));
    else void attempt(body, 1);
  };

  return {
    enqueue(body) {
      const copies = 1 + options.chaos.duplicate;
      stats.pending += copies;
      for (let i = 0; i < copies; i++) {
        if (options.chaos.reorderWindowMs) {
          if (batch.length === 0) {
            later(options.chaos.reorderWindowMs, () => {
              const out = batch.reverse();
              batch = [];
              // Staggered, so the receiver sees the reversed order.
              for (const [i, b] of out.entries()) later(i * 10, () => dispatch(b));
            });
          }
          batch.push(body);
        } else {
          dispatch(body);
        }
      }
    },
    setTarget(url) {
      target = url;
    },
    stats: () => ({ ...stats }),
    idle: () => (stats.pending === 0 ? Promise.resolve() : new Promise((r) => idleWaiters.push(r))),
    close() {
      closed = true;
      timers.clear();
      stats.pending = 0;
      for (const w of idleWaiters) w();
      idleWaiters = [];
    },
  };
}
