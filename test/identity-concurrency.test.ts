// Identity under concurrency: refresh-token races, duplicate registrations and login counters shared
// by several processes (two module instances on one database). Runs on PGlite and, with
// TEST_DATABASE_URL, on real PostgreSQL with a connection pool.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PLATFORM_MIGRATIONS } from '../src/app.ts';
import { createIdentityModule } from '../src/modules/identity/index.ts';
import { loadConfig } from '../src/platform/config.ts';
import { systemCtx } from '../src/platform/context.ts';
import { migrate } from '../src/platform/db/migrate.ts';
import { isAppError } from '../src/platform/errors.ts';
import { createLogger } from '../src/platform/observability/logger.ts';
import { registerCustomer, TEST_PASSWORD, uniqueEmail } from './support/auth.ts';
import { createTestApp, type TestApp } from './support/create-test-app.ts';
import { openTestDb, type TestDb } from './support/test-db.ts';

describe('concurrent requests [REQ-IDN-004]', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('[REQ-IDN-004] 10 concurrent refreshes with one token: exactly one succeeds and the family is revoked', async () => {
    const c = await registerCustomer(t);
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        t.http.inject({ method: 'POST', url: '/v1/auth/refresh', payload: { refreshToken: c.refreshToken } }),
      ),
    );
    const codes = results.map((r) => r.statusCode).sort();
    expect(codes).toEqual([200, ...Array(9).fill(401)]);
    // The losers presented a spent token: reuse detection ended the session, winner included.
    const winner = results.find((r) => r.statusCode === 200)?.json();
    const again = await t.http.inject({
      method: 'POST',
      url: '/v1/auth/refresh',
      payload: { refreshToken: winner.refreshToken },
    });
    expect(again.statusCode).toBe(401);
  });

  it('[REQ-IDN-001] 6 concurrent registrations of one email: exactly one account', async () => {
    const email = uniqueEmail('race');
    const results = await Promise.all(
      Array.from({ length: 6 }, () =>
        t.http.inject({ method: 'POST', url: '/v1/auth/register', payload: { email, password: TEST_PASSWORD } }),
      ),
    );
    expect(results.map((r) => r.statusCode).sort()).toEqual([201, 409, 409, 409, 409, 409]);
    const index = t.identity.deps.pii.blindIndex(email);
    const users = await sql<{
      n: string;
    }>`select count(*) as n from identity.users where email_index = ${index}`.execute(t.kernel.db.k);
    const registered = await sql<{
      n: string;
    }>`select count(*) as n from platform.outbox o join identity.users u on u.id = o.aggregate_id
      where o.type = 'identity.user.registered' and u.email_index = ${index}`.execute(t.kernel.db.k);
    expect(Number(registered.rows[0]?.n)).toBe(1);
    expect(Number(users.rows[0]?.n)).toBe(1);
  });
});

describe('login counters shared by processes [REQ-IDN-005]', () => {
  let testDb: TestDb;
  beforeAll(async () => {
    testDb = await openTestDb();
  });
  afterAll(async () => {
    await testDb?.dispose();
  });

  it('[REQ-IDN-005] failures counted by one process lock the account for another; concurrent failures all count', async () => {
    const logger = createLogger('silent');
    const config = loadConfig({ NODE_ENV: 'test', ENCRYPTION_KEYS: `k1:${Buffer.alloc(32, 7).toString('base64')}` });
    const a = createIdentityModule({ kernel: { db: testDb.db, logger, config } });
    const b = createIdentityModule({ kernel: { db: testDb.db, logger, config } });
    await migrate(testDb.db, [PLATFORM_MIGRATIONS, a.module.migrations as never]);
    const ctx = systemCtx('test');
    const email = uniqueEmail('shared');
    await a.services.accounts.register(ctx, { email, password: TEST_PASSWORD }, { ip: '10.9.0.1' });
    const attempt = (m: typeof a, password: string, ip: string) =>
      m.services.accounts.login(ctx, { email, password }, { ip }).then(
        () => 200,
        (e: unknown) => (isAppError(e) ? e.status : 500),
      );
    // 4 concurrent failures from 4 IPs, split over both processes: every one is counted.
    const codes = await Promise.all([a, b, a, b].map((m, i) => attempt(m, 'wrong-password-x', `10.9.1.${i}`)));
    expect(codes).toEqual([401, 401, 401, 401]);
    const row = await sql<{
      failures: number;
    }>`select failures from identity.login_throttle where key like 'acct:%'`.execute(testDb.db.k);
    expect(row.rows.map((r) => r.failures)).toEqual([4]);
    expect(await attempt(a, 'wrong-password-y', '10.9.2.1')).toBe(401);
    // The fifth failure (process a) locked the account; process b refuses the right password.
    expect(await attempt(b, TEST_PASSWORD, '10.9.2.2')).toBe(429);
  });
});
