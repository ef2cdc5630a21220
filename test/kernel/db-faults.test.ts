// Database faults on real PostgreSQL: connections terminated under load, a database that refuses connections,
// a saturated pool, statements past statement_timeout. The process (this test worker) never dies of them; clients get
// 503 service.unavailable with Retry-After, never a 500; the next request after the fault succeeds.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { access } from '../../src/platform/http/auth.ts';
import { createTestApp, type TestApp } from '../support/create-test-app.ts';
import { needsPostgres, TEST_DATABASE_URL } from '../support/services.ts';
import { admin } from '../support/test-db.ts';

/** Routes that hold a connection: `sleep` in autocommit, `hold` inside a transaction. */
function sleepRoutes(app: () => TestApp) {
  return (http: TestApp['http']) => {
    const ms = (q: unknown) => Number((q as { ms?: string }).ms ?? 0) / 1000;
    http.get('/test/sleep', { config: { access: access.public } }, async (req) => {
      await sql`select pg_sleep(${ms(req.query)})`.execute(app().kernel.db.k);
      return { ok: true };
    });
    http.get('/test/hold', { config: { access: access.public } }, async (req) => {
      await app().kernel.db.transaction(async (tx) => {
        await sql`select pg_sleep(${ms(req.query)})`.execute(tx);
      });
      return { ok: true };
    });
  };
}

describe.skipIf(needsPostgres)('database faults [REQ-RES-002]', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ workers: false, extraRoutes: sleepRoutes(() => t) });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('[REQ-RES-002] every backend terminated three times under 30 concurrent requests: 503s only, then 200s', async () => {
    const name = await currentDbName(t);
    for (let round = 0; round < 3; round++) {
      const inFlight = Array.from({ length: 30 }, () => t.http.inject({ method: 'GET', url: '/test/sleep?ms=400' }));
      await new Promise((r) => setTimeout(r, 150));
      await admin(
        TEST_DATABASE_URL ?? '',
        `select pg_terminate_backend(pid) from pg_stat_activity where datname = '${name}' and pid <> pg_backend_pid()`,
      );
      const results = await Promise.all(inFlight);
      const statuses = new Set(results.map((r) => r.statusCode));
      for (const r of results) {
        if (r.statusCode === 200) continue;
        expect(r.statusCode).toBe(503);
        expect(r.json()).toMatchObject({ code: 'service.unavailable', status: 503 });
        expect(r.headers['retry-after']).toBe('1');
      }
      expect(statuses.has(503)).toBe(true);
      // Recovery by itself: the next request gets a fresh connection.
      expect((await t.http.inject({ method: 'GET', url: '/test/sleep?ms=0' })).statusCode).toBe(200);
    }
    const metrics = (await t.http.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(/dependency_errors_total\{dependency="postgres",kind="connection"\} [1-9]/);
    expect(metrics).toMatch(/dependency_up\{dependency="postgres"\} 1/);
  });

  it('[REQ-RES-002] a database that refuses connections: /readyz 503, REST and GraphQL 503 service.unavailable, then both recover', async () => {
    const name = await currentDbName(t);
    await admin(TEST_DATABASE_URL ?? '', `alter database ${name} with allow_connections false`);
    try {
      await admin(
        TEST_DATABASE_URL ?? '',
        `select pg_terminate_backend(pid) from pg_stat_activity where datname = '${name}'`,
      );
      const ready = await t.http.inject({ method: 'GET', url: '/readyz' });
      expect(ready.statusCode).toBe(503);
      expect(ready.json()).toMatchObject({ code: 'ops.not_ready' });
      expect(ready.json().checks.database).toMatch(/^failed: /);
      const api = await t.http.inject({ method: 'GET', url: '/test/sleep?ms=0' });
      expect(api.statusCode).toBe(503);
      expect(api.json()).toMatchObject({ code: 'service.unavailable' });
      const gql = await t.http.inject({
        method: 'POST',
        url: '/graphql',
        payload: { query: '{ products(limit: 3, sort: "name") { total } }' },
      });
      expect(gql.json().errors?.[0]?.extensions).toMatchObject({ code: 'service.unavailable', status: 503 });
      expect(JSON.stringify(gql.json())).not.toMatch(/accepting connections|emp_test_/);
      const metrics = (await t.http.inject({ method: 'GET', url: '/metrics' })).body;
      expect(metrics).toMatch(/dependency_up\{dependency="postgres"\} 0/);
    } finally {
      await admin(TEST_DATABASE_URL ?? '', `alter database ${name} with allow_connections true`);
    }
    expect((await t.http.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
    expect((await t.http.inject({ method: 'GET', url: '/test/sleep?ms=0' })).statusCode).toBe(200);
  });
});

describe.skipIf(needsPostgres)('bounded work [REQ-RES-003]', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({
      workers: false,
      extraRoutes: sleepRoutes(() => t),
      postgres: { max: 1, poolWaitMs: 200, statementTimeoutMs: 700, idleInTransactionTimeoutMs: 5_000 },
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('[REQ-RES-003] every connection carries statement_timeout and idle_in_transaction_session_timeout', async () => {
    const r = await sql<{ s: string; i: string }>`select current_setting('statement_timeout') as s,
      current_setting('idle_in_transaction_session_timeout') as i`.execute(t.kernel.db.k);
    expect(r.rows[0]).toEqual({ s: '700ms', i: '5s' });
  });

  it('[REQ-RES-003] a statement past statement_timeout answers 503 service.unavailable, not 500', async () => {
    const r = await t.http.inject({ method: 'GET', url: '/test/sleep?ms=3000' });
    expect(r.statusCode).toBe(503);
    expect(r.json()).toMatchObject({ code: 'service.unavailable' });
    expect(r.headers['retry-after']).toBe('1');
  });

  it('[REQ-RES-003] no free connection within the pool wait limit: 503 with Retry-After, counted; the holder succeeds', async () => {
    const holder = t.http.inject({ method: 'GET', url: '/test/hold?ms=600' });
    await new Promise((r) => setTimeout(r, 100));
    const waiting = await t.http.inject({ method: 'GET', url: '/test/sleep?ms=0' });
    expect(waiting.statusCode).toBe(503);
    expect(waiting.json()).toMatchObject({ code: 'service.unavailable' });
    expect(waiting.headers['retry-after']).toBe('1');
    expect((await holder).statusCode).toBe(200);
    const metrics = (await t.http.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(/db_pool_wait_timeouts_total [1-9]/);
  });
});

async function currentDbName(t: TestApp): Promise<string> {
  const r = await sql<{ d: string }>`select current_database() as d`.execute(t.kernel.db.k);
  return r.rows[0]?.d ?? '';
}
