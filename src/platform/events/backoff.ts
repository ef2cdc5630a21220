// Exponential backoff with jitter, shared by the relay and the job queue.
export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
}

/** Delay before attempt `attempt + 1` after `attempt` failures (1-based): base·2^(n−1), ±20 % jitter, capped. */
export function backoffDelay(attempt: number, o: BackoffOptions): number {
  const raw = Math.min(o.maxMs, o.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.max(0, Math.round(raw * (0.8 + Math.random() * 0.4)));
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
