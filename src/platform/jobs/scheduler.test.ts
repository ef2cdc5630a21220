import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newMetrics, openEventsDb, quietLogger, waitFor } from '../../../test/support/events-harness.ts';
import type { TestDb } from '../../../test/support/test-db.ts';
import type { Db } from '../db/db.ts';
import { openPostgres } from '../db/postgres.ts';
import type { ScheduledJob } from './job.ts';
import { enqueueJob } from './job-store.ts';
import { createScheduler, type Scheduler } from './scheduler.ts';

let t: TestDb;
const extraPools: Db[] = [];
const schedulers: Scheduler[] = [];
beforeAll(async () => {
  t = await openEventsDb();
});
afterAll(async () => {
  for (const s of schedulers) await s.stop(50);
  for (const p of extraPools) await p.close();
  await t?.dispose();
});

/** A "process": its own pool on PostgreSQL; PGlite has one connection, so the same Db. */
async function processDb(): Promise<Db> {
  if (!t.url) return t.db;
  const db = await openPostgres({ url: t.url, max: 2 });
  extraPools.push(db);
  return db;
}

function scheduler(db: Db, jobs: ScheduledJob[], queued: Parameters<typeof createScheduler>[2] = [], options = {}) {
  const s = createScheduler({ db, logger: quietLogger, metrics: newMetrics() }, jobs, queued, {
    pollMs: 20,
    backoff: { baseMs: 20, maxMs: 50 },
    ...options,
  });
  schedulers.push(s);
  return s;
}

describe('scheduled and queued jobs', () => {
  it('[REQ-EVT-010] a scheduled job with three scheduler instances runs exactly once per tick', async () => {
    const ticks: number[] = [];
    const job = (): ScheduledJob => ({
      name: 'test.tick',
      intervalMs: 200,
      async run(_ctx, info) {
        ticks.push(info.scheduledAt.getTime());
      },
    });
    const instances = await Promise.all([1, 2, 3].map(async () => scheduler(await processDb(), [job()])));
    await Promise.all(instances.map((s) => s.start()));
    await new Promise((r) => setTimeout(r, 1_500));
    await Promise.all(instances.map((s) => s.stop()));
    expect(ticks.length).toBeGreaterThanOrEqual(5);
    expect(new Set(ticks).size).toBe(ticks.length);
    const sorted = [...ticks].sort((a, b) => a - b);
    // After the first (registration) run, every run starts a distinct 200 ms window.
    for (const tick of sorted.slice(1)) expect(tick % 200).toBe(0);
    const row = await sql<{ runs: number; leased_until: Date | null }>`
      select runs, leased_until from platform.scheduled_jobs where name = 'test.tick'`.execute(t.db.k);
    expect(row.rows[0]).toEqual({ runs: ticks.length, leased_until: null });
  });

  it('[REQ-EVT-011] a run whose process died is retried for the same tick after its lease expires', async () => {
    const seen: Array<{ at: number; attempt: number; who: string }> = [];
    const job = (who: string, hang: boolean): ScheduledJob => ({
      name: 'test.crashy',
      intervalMs: 60_000,
      async run(_ctx, info) {
        seen.push({ at: info.scheduledAt.getTime(), attempt: info.attempt, who });
        if (hang) await new Promise(() => {});
      },
    });
    const a = scheduler(await processDb(), [job('a', true)], [], { leaseMs: 300 });
    await a.start();
    await waitFor(() => seen.length === 1);
    await a.stop(10); // the process dies mid-run
    const b = scheduler(await processDb(), [job('b', false)], [], { leaseMs: 300 });
    await b.start();
    await waitFor(() => seen.length === 2, 5_000);
    expect(seen[1]).toEqual({ at: seen[0]?.at, attempt: 2, who: 'b' });
    await new Promise((r) => setTimeout(r, 200));
    expect(seen.length).toBe(2); // not again before the next tick
  });

  it('[REQ-EVT-012] queued one-off jobs run once, retry with backoff, end dead after maxAttempts; dedupe keys', async () => {
    const done: string[] = [];
    let failures = 0;
    const s = scheduler(
      t.db,
      [],
      [
        {
          name: 'test.once',
          async handle(_ctx, payload) {
            done.push(String(payload.v));
          },
        },
        {
          name: 'test.broken',
          maxAttempts: 3,
          async handle() {
            failures++;
            throw new Error('broken on purpose');
          },
        },
      ],
    );
    const ids = await t.db.transaction(async (tx) => [
      await enqueueJob(tx, { name: 'test.once', payload: { v: 'x' }, dedupeKey: 'k1' }),
      await enqueueJob(tx, { name: 'test.once', payload: { v: 'y' }, dedupeKey: 'k1' }),
      await enqueueJob(tx, { name: 'test.broken' }),
    ]);
    expect(ids[1]).toBeUndefined();
    await s.start();
    await waitFor(async () => {
      const r = await sql<{ n: number }>`select count(*)::int as n from platform.job_queue
        where status in ('done', 'dead')`.execute(t.db.k);
      return r.rows[0]?.n === 2;
    });
    expect(done).toEqual(['x']);
    expect(failures).toBe(3);
    const rows = await sql<{ name: string; status: string; attempts: number; last_error: string | null }>`
      select name, status, attempts, last_error from platform.job_queue order by name`.execute(t.db.k);
    expect(rows.rows.map((r) => [r.name, r.status, r.attempts])).toEqual([
      ['test.broken', 'dead', 3],
      ['test.once', 'done', 1],
    ]);
    expect(rows.rows[0]?.last_error).toContain('broken on purpose');
  });
});
