import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/create-test-app.ts';
import { TEST_NATS_URL, TEST_REDIS_URL } from '../support/services.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

describe('health and readiness', () => {
  it('[REQ-KER-001] /healthz answers 200 {status: ok}', async () => {
    const res = await t.http.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
  });

  it('[REQ-KER-002] /readyz checks the database, migrations and each configured service', async () => {
    const res = await t.http.inject({ method: 'GET', url: '/readyz' });
    expect(res.statusCode).toBe(200);
    const expected: Record<string, string> = { database: 'ok', migrations: 'ok' };
    if (TEST_REDIS_URL) expected.redis = 'ok';
    if (TEST_NATS_URL) expected.nats = 'ok';
    expect(res.json()).toEqual({ status: 'ready', checks: expected });
  });

  it('[REQ-KER-002] /readyz answers 503 problem+json naming the failing check when a migration is missing', async () => {
    await sql`delete from platform.schema_migrations where module = 'platform' and version = 1`.execute(t.kernel.db.k);
    const res = await t.http.inject({ method: 'GET', url: '/readyz' });
    expect(res.statusCode).toBe(503);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.headers['retry-after']).toBe('5');
    const body = res.json();
    expect(body.code).toBe('ops.not_ready');
    expect(body.checks.migrations).toBe('failed: pending: platform/platform');
    expect(body.checks.database).toBe('ok');
  });

  it('[REQ-KER-001] /metrics exposes Prometheus text with request durations', async () => {
    await t.http.inject({ method: 'GET', url: '/healthz' });
    // Background jobs may run statements at any time: the gauge lies between the counts read around the request.
    const before = t.kernel.db.queryCount();
    const res = await t.http.inject({ method: 'GET', url: '/metrics' });
    const after = t.kernel.db.queryCount();
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    expect(res.body).toMatch(/http_request_duration_seconds_count\{method="GET",route="\/healthz",status="200"\} \d+/);
    const statements = Number(/^db_statements_total (\d+)$/m.exec(res.body)?.[1]);
    expect(statements).toBeGreaterThanOrEqual(before);
    expect(statements).toBeLessThanOrEqual(after);
    expect(statements).toBeGreaterThan(0);
  });
});
