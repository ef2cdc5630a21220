// Staff view of scheduled jobs (last runs) and the one-off job queue; a dead one-off job retried.
import { sql } from 'kysely';
import { Type } from 'typebox';
import type { Db } from '../db/db.ts';
import { errors } from '../errors.ts';
import { access } from '../http/auth.ts';
import { problemResponse } from '../http/problem.ts';
import { DateTime, Id, Integer, List, Text } from '../http/schema-helpers.ts';
import type { App } from '../http/server.ts';

const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);
const Time = () => Nullable(DateTime());

const ScheduledJobView = Type.Object({
  name: Text(200, { examples: ['platform.idempotency_keys_cleanup'] }),
  intervalMs: Integer(),
  nextRunAt: DateTime(),
  running: Type.Boolean(),
  runs: Integer(),
  failures: Integer(),
  lastStartedAt: Time(),
  lastFinishedAt: Time(),
  lastDurationMs: Type.Union([Integer(), Type.Null()]),
  lastError: Nullable(Text()),
});

const QueuedJobView = Type.Object({
  id: Id(),
  name: Text(),
  status: Type.Union([Type.Literal('queued'), Type.Literal('running'), Type.Literal('done'), Type.Literal('dead')]),
  attempts: Integer(),
  maxAttempts: Integer(),
  runAt: DateTime(),
  createdAt: DateTime(),
  finishedAt: Time(),
  lastError: Nullable(Text()),
});

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());
type Stamp = Date | string | null;
interface ScheduledRow {
  name: string;
  interval_ms: number;
  next_run_at: Date;
  running: boolean;
  runs: number;
  failures: number;
  last_started_at: Stamp;
  last_finished_at: Stamp;
  last_duration_ms: number | null;
  last_error: string | null;
}
interface QueueRow {
  id: string;
  name: string;
  status: 'queued' | 'running' | 'done' | 'dead';
  attempts: number;
  max_attempts: number;
  run_at: Date;
  created_at: Date;
  finished_at: Stamp;
  last_error: string | null;
}

const queueView = (r: QueueRow) => ({
  id: r.id,
  name: r.name,
  status: r.status,
  attempts: r.attempts,
  maxAttempts: r.max_attempts,
  runAt: iso(r.run_at) as string,
  createdAt: iso(r.created_at) as string,
  finishedAt: iso(r.finished_at),
  lastError: r.last_error,
});

export function registerJobAdminRoutes(http: App, deps: { db: Db }): void {
  http.get(
    '/v1/admin/jobs',
    {
      config: { access: access.permission('jobs:read') },
      schema: {
        tags: ['events'],
        summary: 'Scheduled jobs with their last run, and the most recent one-off jobs',
        querystring: Type.Object({
          status: Type.Optional(
            Type.Union([Type.Literal('queued'), Type.Literal('running'), Type.Literal('done'), Type.Literal('dead')]),
          ),
          limit: Type.Optional(Integer({ minimum: 1, maximum: 100, default: 20 })),
        }),
        response: {
          200: Type.Object({ scheduled: List(ScheduledJobView), queue: List(QueuedJobView) }),
          401: problemResponse('Authentication required'),
          403: problemResponse('Needs the permission jobs:read'),
        },
      },
    },
    async (request) => {
      const { status, limit = 20 } = request.query;
      const scheduled = await sql<ScheduledRow>`
        select name, interval_ms, next_run_at, coalesce(leased_until > now(), false) as running, runs, failures,
          last_started_at, last_finished_at, last_duration_ms, last_error
        from platform.scheduled_jobs order by name`.execute(deps.db.k);
      const queue = await sql<QueueRow>`
        select id, name, status, attempts, max_attempts, run_at, created_at, finished_at, last_error
        from platform.job_queue where ${status ?? null}::text is null or status = ${status ?? null}::text
        order by created_at desc limit ${limit}`.execute(deps.db.k);
      return {
        scheduled: scheduled.rows.map((r) => ({
          name: r.name,
          intervalMs: r.interval_ms,
          nextRunAt: iso(r.next_run_at) as string,
          running: r.running,
          runs: r.runs,
          failures: r.failures,
          lastStartedAt: iso(r.last_started_at),
          lastFinishedAt: iso(r.last_finished_at),
          lastDurationMs: r.last_duration_ms,
          lastError: r.last_error,
        })),
        queue: queue.rows.map(queueView),
      };
    },
  );

  http.post(
    '/v1/admin/jobs/:id/retry',
    {
      config: { access: access.permission('events:manage') },
      schema: {
        tags: ['events'],
        summary: 'Retry a dead one-off job: queued again to run now, with its attempts counted from zero',
        description:
          'Only a `dead` job can be retried (409 `jobs.not_dead` otherwise, and nothing changes); its last error ' +
          'stays until the next attempt. The same permission as retrying a dead-lettered event.',
        params: Type.Object({
          id: Type.String({ minLength: 1, maxLength: 64, examples: ['job_01j9x7k2m3n4p5q6r7s8t9v0w1'] }),
        }),
        response: {
          200: QueuedJobView,
          401: problemResponse('Authentication required'),
          403: problemResponse('Needs the permission events:manage'),
          404: problemResponse('Unknown job (jobs.not_found)'),
          409: problemResponse('The job is not dead (jobs.not_dead)'),
        },
      },
    },
    async (request) => {
      const { id } = request.params;
      const r = await sql<QueueRow>`
        update platform.job_queue set status = 'queued', attempts = 0, run_at = now(), finished_at = null,
          leased_until = null, leased_by = null
        where id = ${id} and status = 'dead'
        returning id, name, status, attempts, max_attempts, run_at, created_at, finished_at, last_error`.execute(
        deps.db.k,
      );
      const row = r.rows[0];
      if (!row) {
        const exists = await sql<{ status: string }>`select status from platform.job_queue where id = ${id}`.execute(
          deps.db.k,
        );
        const found = exists.rows[0];
        if (!found) throw errors.notFound('jobs.not_found', `No job ${id}.`);
        throw errors.conflict('jobs.not_dead', `Job ${id} is ${found.status}; only a dead job can be retried.`);
      }
      return queueView(row);
    },
  );
}
