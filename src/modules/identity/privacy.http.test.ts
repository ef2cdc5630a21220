import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStaff, registerCustomer, TEST_PASSWORD, type TestIdentity } from '../../../test/support/auth.ts';
import { createTestApp, type TestApp } from '../../../test/support/create-test-app.ts';
import { runRetention } from './identity.jobs.ts';

let t: TestApp;
const exported: string[] = [];
const erased: string[] = [];
beforeAll(async () => {
  t = await createTestApp();
  // A module contributing to the GDPR registry, as the real modules do at wiring (its section is not in the
  // export's schema, so the document leaves it out; its erasure runs).
  t.kernel.privacy.register({
    name: 'probe',
    exportFor: async (_ctx, s) => {
      exported.push(s.userId ?? '');
      return { probe: true };
    },
    eraseFor: async (_ctx, s) => {
      erased.push(s.userId ?? '');
      return 1;
    },
  });
});
afterAll(async () => {
  await t?.close();
});

const ADDRESS = {
  name: 'Ada Lovelace',
  line1: '12 St James Square',
  city: 'London',
  postalCode: 'SW1Y 4JH',
  country: 'gb',
  phone: '+44 20 7946 0000',
};
const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, who?: TestIdentity, payload?: unknown) =>
  t.http.inject({
    method,
    url,
    ...(who ? { headers: who.headers } : {}),
    ...(payload ? { payload: payload as Record<string, unknown> } : {}),
  });

describe('profile and addresses [REQ-IDN-010]', () => {
  it('[REQ-IDN-010] PATCH /v1/me sets and clears name and phone', async () => {
    const c = await registerCustomer(t, { name: 'Old Name' });
    const res = await call('PATCH', '/v1/me', c, { name: 'New Name', phone: '+49 30 1234567' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ name: 'New Name', phone: '+49 30 1234567' });
    expect((await call('PATCH', '/v1/me', c, { phone: null })).json()).toMatchObject({ name: 'New Name', phone: null });
  });

  it('[REQ-IDN-010] add, list, change and remove addresses', async () => {
    const c = await registerCustomer(t);
    const created = await call('POST', '/v1/me/addresses', c, ADDRESS);
    expect(created.statusCode).toBe(201);
    const a = created.json();
    expect(a).toEqual({ id: expect.stringMatching(/^adr_/), ...ADDRESS, country: 'GB', line2: null, region: null });
    const changed = await call('PATCH', `/v1/me/addresses/${a.id}`, c, { line2: 'Flat 3', city: 'Westminster' });
    expect(changed.json()).toEqual({ ...a, line2: 'Flat 3', city: 'Westminster' });
    expect((await call('GET', '/v1/me/addresses', c)).json()).toEqual({
      items: [{ ...a, line2: 'Flat 3', city: 'Westminster' }],
    });
    expect((await call('DELETE', `/v1/me/addresses/${a.id}`, c)).statusCode).toBe(204);
    expect((await call('GET', '/v1/me/addresses', c)).json()).toEqual({ items: [] });
    expect((await call('DELETE', `/v1/me/addresses/${a.id}`, c)).statusCode).toBe(404);
  });

  it('[REQ-IDN-010] an invalid address → 400 and nothing stored', async () => {
    const c = await registerCustomer(t);
    const res = await call('POST', '/v1/me/addresses', c, { ...ADDRESS, country: 'Germany' });
    expect(res.statusCode).toBe(400);
    expect((await call('GET', '/v1/me/addresses', c)).json()).toEqual({ items: [] });
  });
});

describe('encryption at rest [REQ-IDN-011]', () => {
  it('[REQ-IDN-011] no plaintext password, token, API key or personal field in any identity table', async () => {
    const name = 'Grace Brewster Hopper';
    const c = await registerCustomer(t, { name });
    await call('PATCH', '/v1/me', c, { phone: '+1 555 0100 777' });
    await call('POST', '/v1/me/addresses', c, { ...ADDRESS, line1: '1 Navy Yard Road', postalCode: 'ZZ9 9ZZ' });
    const refreshed = (await call('POST', '/v1/auth/refresh', undefined, { refreshToken: c.refreshToken })).json();
    await call('POST', '/v1/auth/password-reset', undefined, { email: c.email });
    const admin = await createStaff(t, 'admin');
    const key = (await call('POST', '/v1/admin/api-keys', admin, { name: 'k', permissions: ['audit:read'] })).json()
      .key as string;
    const events = (
      await sql<{
        payload: { tokenSealed?: string };
      }>`select payload from platform.outbox where aggregate_id = ${c.userId}`.execute(t.kernel.db.k)
    ).rows;
    const accountTokens: string[] = [];
    for (const e of events) {
      if (e.payload.tokenSealed) {
        accountTokens.push((await t.kernel.privacy.dataKeys.open('event.account_token', e.payload.tokenSealed)) ?? '');
      }
    }
    expect(accountTokens.map((x) => x.slice(0, 3)).sort()).toEqual(['ev_', 'pr_']);
    const secrets = [
      TEST_PASSWORD,
      c.email,
      name,
      'Grace',
      '+1 555 0100 777',
      '1 Navy Yard Road',
      'ZZ9 9ZZ',
      c.refreshToken,
      refreshed.refreshToken,
      key,
      ...accountTokens,
    ];
    const tables = (
      await sql<{ table_name: string }>`
      select table_name from information_schema.tables where table_schema = 'identity'`.execute(t.kernel.db.k)
    ).rows.map((r) => r.table_name);
    expect(tables.sort()).toEqual([
      'account_tokens',
      'addresses',
      'api_keys',
      'audit_log',
      'login_throttle',
      'refresh_tokens',
      'sessions',
      'users',
    ]);
    for (const table of tables) {
      const dump = JSON.stringify(
        (await sql`select * from ${sql.table(`identity.${table}`)}`.execute(t.kernel.db.k)).rows,
      ).toLowerCase();
      for (const s of secrets) expect([table, dump.includes(s.toLowerCase())]).toEqual([table, false]);
    }
    const user = (
      await sql<{ email_enc: string; name_enc: string; password_hash: string }>`
      select email_enc, name_enc, password_hash from identity.users where id = ${c.userId}`.execute(t.kernel.db.k)
    ).rows[0];
    expect(user?.email_enc).toMatch(/^s1\.dk_/);
    expect(user?.name_enc).toMatch(/^s1\.dk_/);
    expect(user?.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  });
});

describe('GDPR export and erasure [REQ-IDN-012]', () => {
  it('[REQ-IDN-012] export returns everything held, including registered modules; erasure removes it and ends all sessions', async () => {
    const c = await registerCustomer(t, { name: 'Erin Erase' });
    await call('PATCH', '/v1/me', c, { phone: '+33 1 23 45 67 89' });
    const adr = (await call('POST', '/v1/me/addresses', c, ADDRESS)).json();
    const exp = await call('GET', '/v1/me/export', c);
    expect(exp.statusCode).toBe(200);
    const body = exp.json();
    expect(body.profile).toMatchObject({
      id: c.userId,
      email: c.email,
      name: 'Erin Erase',
      phone: '+33 1 23 45 67 89',
      roles: [],
    });
    expect(body.addresses).toEqual([adr]);
    expect(body.sessions).toHaveLength(1);
    expect(body.sessions[0]).toMatchObject({ ip: '127.0.0.1', revokedAt: null });
    expect(body.schemaVersion).toBe(1);
    expect(body.modules).toMatchObject({ cart: { carts: [] }, orders: { orders: [] } });
    expect(body.modules).not.toHaveProperty('probe');
    expect(exported).toContain(c.userId);

    const del = await call('DELETE', '/v1/me', c);
    expect(del.statusCode).toBe(204);
    expect(erased).toContain(c.userId);
    expect((await call('GET', '/v1/me', c)).statusCode).toBe(401);
    expect((await call('POST', '/v1/auth/refresh', undefined, { refreshToken: c.refreshToken })).statusCode).toBe(401);
    expect(
      (await call('POST', '/v1/auth/login', undefined, { email: c.email, password: TEST_PASSWORD })).statusCode,
    ).toBe(401);
    const row = (
      await sql<Record<string, unknown>>`select * from identity.users where id = ${c.userId}`.execute(t.kernel.db.k)
    ).rows[0];
    expect(row).toMatchObject({
      status: 'erased',
      email_enc: null,
      email_index: null,
      name_enc: null,
      phone_enc: null,
      password_hash: null,
      roles: [],
    });
    const addresses = await sql`select id from identity.addresses where user_id = ${c.userId}`.execute(t.kernel.db.k);
    expect(addresses.rows).toEqual([]);
    // The email is free again.
    expect(
      (await call('POST', '/v1/auth/register', undefined, { email: c.email, password: TEST_PASSWORD })).statusCode,
    ).toBe(201);

    // Idempotent: an admin erasing the same user again changes nothing and audits nothing new.
    const admin = await createStaff(t, 'admin');
    const audits = async () =>
      (
        await sql`select id from identity.audit_log where subject_id = ${c.userId} and action = 'user.erased'`.execute(
          t.kernel.db.k,
        )
      ).rows.length;
    expect(await audits()).toBe(1);
    expect((await call('DELETE', `/v1/admin/users/${c.userId}`, admin)).statusCode).toBe(204);
    expect(await audits()).toBe(1);
    const erasedEvents =
      await sql`select id from platform.outbox where type = 'identity.user.erased' and aggregate_id = ${c.userId}`.execute(
        t.kernel.db.k,
      );
    expect(erasedEvents.rows).toHaveLength(1);
  });
});

describe('staff erasure [REQ-IDN-012]', () => {
  const rows = async (table: 'identity.audit_log' | 'platform.outbox' | 'privacy.erasures') =>
    Number(
      (await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)}`.execute(t.kernel.db.k)).rows[0]?.n,
    );
  const counts = async () => [
    await rows('identity.audit_log'),
    await rows('platform.outbox'),
    await rows('privacy.erasures'),
  ];

  it('[REQ-IDN-012] an unknown id → 404 identity.user_not_found; no erasure, audit entry or event', async () => {
    const admin = await createStaff(t, 'admin');
    const before = await counts();
    for (const id of ['usr_nope', 'usr_01j9x3k5q8m2v7c4t6b0n1p3r5']) {
      const res = await call('DELETE', `/v1/admin/users/${id}`, admin);
      expect([res.statusCode, res.json().code]).toEqual([404, 'identity.user_not_found']);
    }
    expect(await counts()).toEqual(before);
  });

  it('[REQ-IDN-012] staff erase an existing account → 204 with one audit entry; again → 204, nothing new', async () => {
    const admin = await createStaff(t, 'admin');
    const c = await registerCustomer(t, { name: 'Sam Staff-Erased' });
    const first = await call('DELETE', `/v1/admin/users/${c.userId}`, admin);
    expect([first.statusCode, first.body]).toEqual([204, '']);
    expect((await call('GET', `/v1/admin/users/${c.userId}`, admin)).json().status).toBe('erased');
    const audit = async () =>
      (
        await sql`select id from identity.audit_log where subject_id = ${c.userId} and action = 'user.erased'`.execute(
          t.kernel.db.k,
        )
      ).rows.length;
    expect(await audit()).toBe(1);
    const before = await counts();
    const again = await call('DELETE', `/v1/admin/users/${c.userId}`, admin);
    expect([again.statusCode, again.body]).toEqual([204, '']);
    expect(await counts()).toEqual(before);
  });
});

describe('retention [REQ-IDN-013]', () => {
  it('[REQ-IDN-013] removes unverified customer accounts past retention and expired tokens; keeps the rest', async () => {
    const stale = await registerCustomer(t);
    const fresh = await registerCustomer(t);
    const staff = await createStaff(t, 'support');
    await sql`update identity.users set created_at = now() - interval '31 days' where id in (${stale.userId}, ${staff.userId})`.execute(
      t.kernel.db.k,
    );
    await sql`update identity.refresh_tokens set expires_at = now() - interval '1 second' where user_id = ${fresh.userId}`.execute(
      t.kernel.db.k,
    );
    const r = await runRetention(t.identity.deps);
    expect(r.unverifiedUsers).toBe(1);
    expect(r.refreshTokens).toBeGreaterThanOrEqual(1);
    const left = (
      await sql<{
        id: string;
      }>`select id from identity.users where id in (${stale.userId}, ${fresh.userId}, ${staff.userId})`.execute(
        t.kernel.db.k,
      )
    ).rows.map((x) => x.id);
    expect(left.sort()).toEqual([fresh.userId, staff.userId].sort());
    expect((await call('POST', '/v1/auth/refresh', undefined, { refreshToken: fresh.refreshToken })).statusCode).toBe(
      401,
    );
    expect((await call('GET', '/v1/me', fresh)).statusCode).toBe(200);
  });
});
