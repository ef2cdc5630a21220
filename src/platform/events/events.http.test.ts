// The composition root runs every module's subscribers, scheduled jobs and queued jobs (in-process,
// or through NATS when TEST_NATS_URL is set), and staff can see and retry dead letters and jobs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/support/create-test-app.ts';
import { waitFor } from '../../../test/support/events-harness.ts';
import { asStaff, fakeAuth } from '../../../test/support/fake-auth.ts';
import { loadConfig } from '../config.ts';
import { enqueueJob } from '../jobs/job-store.ts';
import type { ModuleDefinition } from '../module.ts';
import type { EventEnvelope } from './envelope.ts';
import { appendEvents } from './outbox.ts';

let t: TestApp;
const handled: EventEnvelope[] = [];
let failing = true;
let jobRuns = 0;
const queuedRuns: unknown[] = [];

const testModule: ModuleDefinition = {
  name: 'wiring',
  subscribers: [
    {
      name: 'wiring.record',
      eventTypes: ['wiring.thing.happened'],
      async handle(e) {
        handled.push(e);
      },
    },
    {
      name: 'wiring.flaky',
      eventTypes: ['wiring.thing.failed'],
      async handle() {
        if (failing) throw new Error('flaky handler failed');
      },
    },
  ],
  jobs: [
    {
      name: 'wiring.tick',
      intervalMs: 100,
      async run() {
        jobRuns++;
      },
    },
  ],
  queuedJobs: [
    {
      name: 'wiring.send',
      async handle(_ctx, payload) {
        queuedRuns.push(payload);
      },
    },
  ],
};

beforeAll(async () => {
  t = await createTestApp({
    authenticate: fakeAuth,
    extraModules: [testModule],
    env: { EVENTS_MAX_ATTEMPTS: '1', EVENTS_POLL_MS: '50' },
  });
});
afterAll(async () => {
  await t?.close();
});

describe('event and job wiring', () => {
  it('[REQ-EVT-016] module subscribers receive committed events; scheduled and queued jobs run', async () => {
    await t.kernel.db.transaction(async (tx) => {
      await appendEvents(tx, undefined, [{ type: 'wiring.thing.happened', aggregateId: 'agg_1', payload: { n: 1 } }]);
      await enqueueJob(tx, { name: 'wiring.send', payload: { to: 'a@example.com' } });
    });
    await waitFor(() => handled.length === 1 && queuedRuns.length === 1 && jobRuns >= 1);
    expect(handled[0]).toMatchObject({ type: 'wiring.thing.happened', aggregateId: 'agg_1', payload: { n: 1 } });
    expect(queuedRuns).toEqual([{ to: 'a@example.com' }]);
    expect(t.relay.transport).toBe(t.config.natsUrl ? 'nats' : 'in-process');
  });

  it('[REQ-EVT-017] dead letters: staff with events:manage list them and retry them; others are refused', async () => {
    const [event] = await t.kernel.db.transaction((tx) =>
      appendEvents(tx, undefined, [{ type: 'wiring.thing.failed', aggregateId: 'agg_2', payload: {} }]),
    );
    const list = () =>
      t.http.inject({ method: 'GET', url: '/v1/admin/events/dead-letters', headers: asStaff('events:manage') });
    await waitFor(async () => (await list()).json().items.length === 1);
    const body = (await list()).json();
    expect(body.items[0]).toMatchObject({
      eventId: event?.id,
      eventType: 'wiring.thing.failed',
      aggregateId: 'agg_2',
      subscriber: 'wiring.flaky',
      attempts: 1,
    });
    expect(body.items[0].lastError).toContain('flaky handler failed');
    expect(body.nextCursor).toBeNull();
    const metrics = await t.http.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toContain('events_dead_lettered_total{subscriber="wiring.flaky"} 1');

    expect((await t.http.inject({ method: 'GET', url: '/v1/admin/events/dead-letters' })).statusCode).toBe(401);
    const forbidden = await t.http.inject({
      method: 'GET',
      url: '/v1/admin/events/dead-letters',
      headers: asStaff('jobs:read'),
    });
    expect(forbidden.statusCode).toBe(403);
    const refusedRetry = await t.http.inject({
      method: 'POST',
      url: `/v1/admin/events/dead-letters/${body.items[0].id}/retry`,
      headers: asStaff('jobs:read'),
    });
    expect(refusedRetry.statusCode).toBe(403);
    expect((await list()).json().items).toHaveLength(1);

    failing = false;
    const retry = await t.http.inject({
      method: 'POST',
      url: `/v1/admin/events/dead-letters/${body.items[0].id}/retry`,
      headers: asStaff('events:manage'),
    });
    expect(retry.statusCode).toBe(202);
    expect(retry.json()).toEqual({ id: body.items[0].id, status: 'requeued' });
    expect((await list()).json().items).toEqual([]);
    // The retried delivery runs (and succeeds now), leaving nothing pending.
    const pending = async () =>
      Number(
        (
          await t.kernel.db.k
            .selectFrom('platform.event_deliveries')
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirst()
        )?.n,
      );
    await waitFor(async () => (await pending()) === 0);
    expect((await list()).json().items).toEqual([]);

    const missing = await t.http.inject({
      method: 'POST',
      url: '/v1/admin/events/dead-letters/dlq_missing/retry',
      headers: asStaff('events:manage'),
    });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ code: 'events.dead_letter_not_found' });
  });

  it('[REQ-EVT-018] GET /v1/admin/jobs shows scheduled jobs with their last run and queued jobs (jobs:read)', async () => {
    await waitFor(() => jobRuns >= 2);
    const r = await t.http.inject({ method: 'GET', url: '/v1/admin/jobs', headers: asStaff('jobs:read') });
    expect(r.statusCode).toBe(200);
    const body = r.json();
    const names = body.scheduled.map((j: { name: string }) => j.name);
    // The kernel's jobs and this test's module job, besides whatever the real modules declare; on PGlite, the job
    // that stands in for autovacuum (REQ-KER-030).
    expect(names.filter((n: string) => n.startsWith('platform.') || n.startsWith('wiring.'))).toEqual([
      'platform.events_cleanup',
      'platform.idempotency_keys_cleanup',
      ...(t.kernel.db.kind === 'pglite' ? ['platform.vacuum'] : []),
      'wiring.tick',
    ]);
    expect(names).toEqual([...names].sort());
    const tick = body.scheduled.find((j: { name: string }) => j.name === 'wiring.tick');
    expect(tick).toMatchObject({ intervalMs: 100, failures: 0, lastError: null });
    expect(tick.runs).toBeGreaterThanOrEqual(1);
    expect(body.queue).toHaveLength(1);
    expect(body.queue[0]).toMatchObject({ name: 'wiring.send', status: 'done', attempts: 1, maxAttempts: 5 });
    const forbidden = await t.http.inject({ method: 'GET', url: '/v1/admin/jobs', headers: asStaff('events:manage') });
    expect(forbidden.statusCode).toBe(403);
  });

  it('[REQ-EVT-019] configuration: event, stream and idempotency settings are validated', () => {
    const c = loadConfig({});
    expect(c.natsStream).toBe('EMPORIUM');
    expect(c.events).toEqual({ pollMs: 500, maxAttempts: 8 });
    expect(c.idempotencyTtlSeconds).toBe(86_400);
    expect(loadConfig({ IDEMPOTENCY_TTL_SECONDS: '3600' }).idempotencyTtlSeconds).toBe(3600);
    expect(() => loadConfig({ IDEMPOTENCY_TTL_SECONDS: '10' })).toThrow(/IDEMPOTENCY_TTL_SECONDS must be/);
    expect(() => loadConfig({ EVENTS_MAX_ATTEMPTS: '0' })).toThrow(/EVENTS_MAX_ATTEMPTS must be/);
    expect(() => loadConfig({ EVENTS_POLL_MS: 'fast' })).toThrow(/EVENTS_POLL_MS must be/);
    expect(() => loadConfig({ NATS_STREAM: 'a.b' })).toThrow(/NATS_STREAM must be/);
  });
});
