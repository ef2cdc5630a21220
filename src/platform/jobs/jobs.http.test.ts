// Staff retry a dead one-off job: POST /v1/admin/jobs/{id}/retry queues it again and the scheduler runs it.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/support/create-test-app.ts';
import { waitFor } from '../../../test/support/events-harness.ts';
import { asStaff, fakeAuth } from '../../../test/support/fake-auth.ts';
import type { ModuleDefinition } from '../module.ts';
import { enqueueJob } from './job-store.ts';

let t: TestApp;
let failing = true;
const runs: unknown[] = [];
const testModule: ModuleDefinition = {
  name: 'retrying',
  queuedJobs: [
    {
      name: 'retrying.flaky',
      maxAttempts: 1,
      async handle(_ctx, payload) {
        if (failing) throw new Error('the flaky job failed');
        runs.push(payload);
      },
    },
  ],
};

beforeAll(async () => {
  t = await createTestApp({ authenticate: fakeAuth, extraModules: [testModule] });
});
afterAll(async () => {
  await t?.close();
});

const jobOf = async (id: string) =>
  (
    await sql<{ status: string; attempts: number }>`
      select status, attempts from platform.job_queue where id = ${id}`.execute(t.kernel.db.k)
  ).rows[0];
const retry = (id: string, headers: Record<string, string>) =>
  t.http.inject({ method: 'POST', url: `/v1/admin/jobs/${id}/retry`, headers });

describe('retry a dead one-off job [REQ-EVT-026]', () => {
  it('[REQ-EVT-026] a dead job is queued again and runs; a job that is not dead → 409, unchanged', async () => {
    const id = (await t.kernel.db.transaction((tx) =>
      enqueueJob(tx, { name: 'retrying.flaky', payload: { n: 1 }, maxAttempts: 1 }),
    )) as string;
    await waitFor(async () => (await jobOf(id))?.status === 'dead');

    const refused = await retry(id, asStaff('jobs:read'));
    expect(refused.statusCode).toBe(403);
    expect(await jobOf(id)).toEqual({ status: 'dead', attempts: 1 });

    failing = false;
    const ok = await retry(id, asStaff('events:manage'));
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ id, name: 'retrying.flaky', status: 'queued', attempts: 0, finishedAt: null });
    expect(ok.json().lastError).toContain('the flaky job failed');
    await waitFor(async () => (await jobOf(id))?.status === 'done');
    expect(runs).toEqual([{ n: 1 }]);

    const done = await retry(id, asStaff('events:manage'));
    expect([done.statusCode, done.json().code]).toEqual([409, 'jobs.not_dead']);
    expect(await jobOf(id)).toEqual({ status: 'done', attempts: 1 });
  });

  it('[REQ-EVT-026] unknown id → 404 problem+json; anonymous → 401', async () => {
    const missing = await retry('job_missing', asStaff('events:manage'));
    expect([missing.statusCode, missing.json().code]).toEqual([404, 'jobs.not_found']);
    expect(missing.headers['content-type']).toContain('application/problem+json');
    expect((await retry('job_missing', {})).statusCode).toBe(401);
  });
});
