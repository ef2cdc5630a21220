// The table-based scheduler (PostgreSQL and PGlite alike; no pg-boss): scheduled jobs run once per
// tick across any number of processes (lease + SKIP LOCKED); a run whose process died is retried
// when its lease expires; queued one-off jobs retry with backoff and end as `dead` after maxAttempts.
import { randomBytes } from 'node:crypto';
import { Counter, type Registry } from 'prom-client';
import { systemCtx } from '../context.ts';
import type { Db } from '../db/db.ts';
import { type BackoffOptions, backoffDelay } from '../events/backoff.ts';
import { createPump } from '../events/pump.ts';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { QueuedJob, ScheduledJob } from './job.ts';
import { claimDueJobs, claimQueuedJobs, finishJob, finishQueuedJob, registerScheduledJobs } from './job-store.ts';

export interface SchedulerOptions {
  pollMs?: number;
  /** A run not finished within its lease is considered crashed and may run again elsewhere. */
  leaseMs?: number;
  backoff?: BackoffOptions;
  instanceId?: string;
}

export interface Scheduler {
  start(): Promise<void>;
  wake(): void;
  stop(graceMs?: number): Promise<void>;
}

const counters = new WeakMap<Registry, Counter<'job' | 'outcome'>>();
function jobCounter(registry: Registry): Counter<'job' | 'outcome'> {
  let c = counters.get(registry);
  if (!c) {
    c = new Counter({
      name: 'jobs_runs_total',
      help: 'Job runs by job name and outcome (ok, failed, dead)',
      labelNames: ['job', 'outcome'] as const,
      registers: [registry],
    });
    counters.set(registry, c);
  }
  return c;
}

export function createScheduler(
  deps: { db: Db; logger: Logger; metrics: Metrics },
  jobs: ScheduledJob[],
  queued: QueuedJob[],
  options: SchedulerOptions = {},
): Scheduler {
  const { db, logger } = deps;
  const me = options.instanceId ?? `sched_${randomBytes(6).toString('hex')}`;
  const leaseMs = options.leaseMs ?? 5 * 60_000;
  const backoff = options.backoff ?? { baseMs: 5_000, maxMs: 30 * 60_000 };
  const pollMs = options.pollMs ?? Math.max(50, Math.min(1000, ...jobs.map((j) => Math.floor(j.intervalMs / 4))));
  const runs = jobCounter(deps.metrics.registry);
  const scheduled = new Map(jobs.map((j) => [j.name, j]));
  const handlers = new Map(queued.map((q) => [q.name, q]));
  const running = new Set<Promise<void>>();

  const track = (p: Promise<void>) => {
    running.add(p);
    p.finally(() => running.delete(p));
  };

  async function runTick(job: ScheduledJob, scheduledAt: Date, attempt: number): Promise<void> {
    const started = performance.now();
    let error: string | undefined;
    try {
      await job.run(systemCtx(job.name, `job-${job.name}-${scheduledAt.getTime()}`), { scheduledAt, attempt });
      runs.inc({ job: job.name, outcome: 'ok' });
    } catch (e) {
      error = ((e as Error)?.stack ?? String(e)).slice(0, 4000);
      runs.inc({ job: job.name, outcome: 'failed' });
      logger.error({ job: job.name, err: (e as Error)?.message }, 'scheduled job failed');
    }
    await finishJob(db, job.name, me, performance.now() - started, error);
  }

  async function runQueued(job: QueuedJob, id: string, payload: Record<string, unknown>, attempt: number, max: number) {
    try {
      await job.handle(systemCtx(job.name, `job-${id}`), payload, { jobId: id, attempt });
      runs.inc({ job: job.name, outcome: 'ok' });
      await finishQueuedJob(db, id, me, { ok: true });
    } catch (e) {
      const error = ((e as Error)?.stack ?? String(e)).slice(0, 4000);
      const dead = attempt >= (job.maxAttempts ?? max);
      runs.inc({ job: job.name, outcome: dead ? 'dead' : 'failed' });
      logger[dead ? 'error' : 'warn']({ job: job.name, jobId: id, attempt, err: (e as Error)?.message }, 'job failed');
      await finishQueuedJob(db, id, me, {
        ok: false,
        error,
        retryInMs: dead ? undefined : backoffDelay(attempt, backoff),
      });
    }
  }

  async function work(): Promise<boolean> {
    const due = await claimDueJobs(db, [...scheduled.keys()], me, leaseMs);
    for (const d of due) {
      const job = scheduled.get(d.name);
      if (job) track(runTick(job, d.scheduledAt, d.attempt));
    }
    const claimed = await claimQueuedJobs(db, [...handlers.keys()], me, 20, leaseMs);
    for (const c of claimed) {
      const h = handlers.get(c.name);
      if (h) track(runQueued(h, c.id, c.payload, c.attempts, c.max_attempts));
    }
    return claimed.length === 20;
  }

  const pump = createPump('scheduler', work, pollMs, logger);
  let started = false;
  return {
    async start() {
      if (started) return;
      started = true;
      await registerScheduledJobs(db, jobs);
      pump.start();
    },
    wake: () => pump.wake(),
    async stop(graceMs = 5_000) {
      if (!started) return;
      started = false;
      await pump.stop(graceMs);
      let t: NodeJS.Timeout | undefined;
      await Promise.race([Promise.allSettled([...running]), new Promise((r) => (t = setTimeout(r, graceMs)))]);
      clearTimeout(t);
    },
  };
}
