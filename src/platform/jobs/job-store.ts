// The scheduler's SQL: scheduled jobs (one row per name, leased per tick) and the one-off queue.
import { sql } from 'kysely';
import { type Db, retryingStatement, type Tx } from '../db/db.ts';
import { newId } from '../ids.ts';

/** Enqueues a one-off job in the caller's transaction; a repeated (name, dedupeKey) is a no-op. */
export async function enqueueJob(
  tx: Tx,
  job: { name: string; payload?: Record<string, unknown>; runAt?: Date; dedupeKey?: string; maxAttempts?: number },
): Promise<string | undefined> {
  const r = await sql<{ id: string }>`
    insert into platform.job_queue (id, name, payload, run_at, dedupe_key, max_attempts)
    values (${newId('job')}, ${job.name}, ${JSON.stringify(job.payload ?? {})}::jsonb,
      coalesce(${job.runAt?.toISOString() ?? null}::timestamptz, now()), ${job.dedupeKey ?? null}, ${job.maxAttempts ?? 5})
    on conflict (name, dedupe_key) do nothing returning id`.execute(tx);
  return r.rows[0]?.id;
}

export async function registerScheduledJobs(db: Db, jobs: Array<{ name: string; intervalMs: number }>): Promise<void> {
  if (jobs.length === 0) return;
  await sql`insert into platform.scheduled_jobs (name, interval_ms, next_run_at)
    select name, interval_ms, now() from unnest(${jobs.map((j) => j.name)}::text[], ${jobs.map((j) => j.intervalMs)}::int[])
      as x(name, interval_ms)
    on conflict (name) do update set interval_ms = excluded.interval_ms`.execute(db.k);
}

export interface ClaimedTick {
  name: string;
  scheduledAt: Date;
  attempt: number;
}

/** Leases every due scheduled job not leased by a live run (SKIP LOCKED: one claimer per tick). */
export async function claimDueJobs(db: Db, names: string[], me: string, leaseMs: number): Promise<ClaimedTick[]> {
  if (names.length === 0) return [];
  const r = await retryingStatement(() =>
    sql<{ name: string; next_run_at: Date; attempt: number }>`
      with c as (
        select name, (leased_until is not null) as crashed from platform.scheduled_jobs
        where name = any(${names}::text[]) and next_run_at <= now() and (leased_until is null or leased_until < now())
        for update skip locked
      )
      update platform.scheduled_jobs j
      set leased_until = now() + ${leaseMs} * interval '1 millisecond', leased_by = ${me}, last_started_at = now()
      from c where j.name = c.name
      returning j.name, j.next_run_at, case when c.crashed then 2 else 1 end as attempt`.execute(db.k),
  );
  return r.rows.map((x) => ({ name: x.name, scheduledAt: new Date(x.next_run_at), attempt: x.attempt }));
}

/** Ends a run: the next tick is the next multiple of the interval after now (missed ticks coalesce). */
export async function finishJob(db: Db, name: string, me: string, durationMs: number, error?: string): Promise<void> {
  await sql`update platform.scheduled_jobs
    set leased_until = null, leased_by = null, runs = runs + 1, failures = failures + ${error ? 1 : 0},
      last_finished_at = now(), last_duration_ms = ${Math.round(durationMs)}, last_error = ${error ?? null},
      next_run_at = to_timestamp((floor(extract(epoch from clock_timestamp()) * 1000 / interval_ms) + 1) * interval_ms / 1000.0)
    where name = ${name} and leased_by = ${me}`.execute(db.k);
}

export interface ClaimedQueuedJob {
  id: string;
  name: string;
  payload: Record<string, unknown>;
  attempts: number;
  max_attempts: number;
}

export async function claimQueuedJobs(
  db: Db,
  names: string[],
  me: string,
  batch: number,
  leaseMs: number,
): Promise<ClaimedQueuedJob[]> {
  if (names.length === 0) return [];
  const r = await retryingStatement(() =>
    sql<ClaimedQueuedJob>`
      with c as (
        select id from platform.job_queue
        where name = any(${names}::text[]) and status in ('queued', 'running') and run_at <= now()
          and (leased_until is null or leased_until < now())
        order by run_at limit ${batch} for update skip locked
      )
      update platform.job_queue q
      set status = 'running', leased_until = now() + ${leaseMs} * interval '1 millisecond', leased_by = ${me},
        attempts = q.attempts + 1
      from c where q.id = c.id
      returning q.id, q.name, q.payload, q.attempts, q.max_attempts`.execute(db.k),
  );
  return r.rows;
}

export async function finishQueuedJob(
  db: Db,
  id: string,
  me: string,
  outcome: { ok: true } | { ok: false; error: string; retryInMs: number | undefined },
): Promise<void> {
  if (outcome.ok) {
    await sql`update platform.job_queue set status = 'done', finished_at = now(), leased_until = null
      where id = ${id} and leased_by = ${me}`.execute(db.k);
  } else if (outcome.retryInMs === undefined) {
    await sql`update platform.job_queue set status = 'dead', finished_at = now(), leased_until = null,
      last_error = ${outcome.error} where id = ${id} and leased_by = ${me}`.execute(db.k);
  } else {
    await sql`update platform.job_queue set status = 'queued', leased_until = null, last_error = ${outcome.error},
      run_at = now() + ${outcome.retryInMs} * interval '1 millisecond' where id = ${id} and leased_by = ${me}`.execute(
      db.k,
    );
  }
}
