// What a module hands the kernel's scheduler: a named job run on an interval, once per tick
// across all processes, and handlers for queued one-off jobs.
import type { Ctx } from '../context.ts';

export interface JobRunInfo {
  /** The tick this run belongs to (the start of its interval window, database clock). */
  scheduledAt: Date;
  /** 1 for the first run of this tick; more when an earlier run crashed and its lease expired. */
  attempt: number;
}

export interface ScheduledJob {
  /** Unique, `<module>.<job>`, e.g. `inventory.release_expired`. */
  name: string;
  intervalMs: number;
  /** Runs at most once per tick across all processes; make it idempotent (a crashed run is retried). */
  run(ctx: Ctx, info: JobRunInfo): Promise<void>;
}

/** A handler for one-off jobs enqueued with `enqueueJob(tx, { name, payload })`. */
export interface QueuedJob<P = Record<string, unknown>> {
  name: string;
  /** Attempts before the job is dead (default 5); retried with exponential backoff. */
  maxAttempts?: number;
  handle(ctx: Ctx, payload: P, info: { jobId: string; attempt: number }): Promise<void>;
}
