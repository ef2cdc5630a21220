import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createStaff,
  registerCustomer,
  TEST_PASSWORD,
  type TestIdentity,
  uniqueEmail,
} from '../../../test/support/auth.ts';
import { createTestApp, type TestApp } from '../../../test/support/create-test-app.ts';

let t: TestApp;
let admin: TestIdentity;
const ADMIN_EMAIL = 'root@example.com';
beforeAll(async () => {
  t = await createTestApp({ env: { ADMIN_EMAIL, ADMIN_PASSWORD: 'bootstrap-passphrase-1' } });
  admin = await createStaff(t, 'admin');
});
afterAll(async () => {
  await t?.close();
});

const req = (
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  url: string,
  who: { headers: Record<string, string> } | undefined,
  payload?: unknown,
) =>
  t.http.inject({
    method,
    url,
    ...(who ? { headers: who.headers } : {}),
    ...(payload ? { payload: payload as Record<string, unknown> } : {}),
  });
const auditActions = async (subjectId: string) =>
  (
    await sql<{ action: string; actor_id: string | null; ip: string | null }>`
    select action, actor_id, ip from identity.audit_log where subject_id = ${subjectId} order by id`.execute(
      t.kernel.db.k,
    )
  ).rows;

describe('first admin [REQ-IDN-007]', () => {
  it('[REQ-IDN-007] ADMIN_EMAIL/ADMIN_PASSWORD create one admin at start; running it again changes nothing', async () => {
    const login = await req('POST', '/v1/auth/login', undefined, {
      email: ADMIN_EMAIL,
      password: 'bootstrap-passphrase-1',
    });
    expect(login.statusCode).toBe(200);
    const before = await sql<{ n: string }>`select count(*) as n from identity.users`.execute(t.kernel.db.k);
    await t.identity.ensureConfiguredAdmin();
    await t.identity.ensureConfiguredAdmin();
    const after = await sql<{ n: string }>`select count(*) as n from identity.users`.execute(t.kernel.db.k);
    expect(after.rows[0]?.n).toBe(before.rows[0]?.n);
    const m = await t.http.inject({
      method: 'GET',
      url: '/v1/me',
      headers: { authorization: `Bearer ${login.json().accessToken}` },
    });
    expect(m.json().roles).toEqual(['admin']);
  });
});

describe('staff users and roles [REQ-IDN-007]', () => {
  it('[REQ-IDN-007] an admin creates a staff user; roles grant their permission set at once', async () => {
    const email = uniqueEmail('cm');
    const created = await req('POST', '/v1/admin/users', admin, {
      email,
      password: TEST_PASSWORD,
      name: 'Cat Manager',
      roles: ['catalog_manager'],
    });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({
      email,
      name: 'Cat Manager',
      roles: ['catalog_manager'],
      status: 'active',
      emailVerified: true,
    });
    const id = created.json().id as string;
    const login = await req('POST', '/v1/auth/login', undefined, { email, password: TEST_PASSWORD });
    const staff = { headers: { authorization: `Bearer ${login.json().accessToken}` } };
    expect((await req('GET', '/v1/admin/users', staff)).statusCode).toBe(403);
    // Promote: the same access token now carries the new permissions (roles are read per request).
    const promoted = await req('PUT', `/v1/admin/users/${id}/roles`, admin, { roles: ['admin'] });
    expect([promoted.statusCode, promoted.json().roles]).toEqual([200, ['admin']]);
    expect((await req('GET', '/v1/admin/users', staff)).statusCode).toBe(200);
    await req('PUT', `/v1/admin/users/${id}/roles`, admin, { roles: [] });
    expect((await req('GET', '/v1/admin/users', staff)).statusCode).toBe(403);
    const audit = await auditActions(id);
    expect(audit.map((a) => a.action)).toEqual([
      'user.staff_created',
      'login.succeeded',
      'user.roles_changed',
      'user.roles_changed',
    ]);
    expect(audit[2]?.actor_id).toBe(admin.userId);
  });

  it('[REQ-IDN-007] unknown role → 400, own roles → 409, unknown user → 404; nothing changed', async () => {
    const bad = await req('POST', '/v1/admin/users', admin, {
      email: uniqueEmail('x'),
      password: TEST_PASSWORD,
      roles: ['owner'],
    });
    expect(bad.statusCode).toBe(400);
    const own = await req('PUT', `/v1/admin/users/${admin.userId}/roles`, admin, { roles: ['support'] });
    expect([own.statusCode, own.json().code]).toEqual([409, 'identity.cannot_change_own_roles']);
    expect((await t.http.inject({ method: 'GET', url: '/v1/me', headers: admin.headers })).json().roles).toEqual([
      'admin',
    ]);
    const missing = await req('PUT', '/v1/admin/users/usr_missing/roles', admin, { roles: ['support'] });
    expect([missing.statusCode, missing.json().code]).toEqual([404, 'identity.user_not_found']);
  });

  it('[REQ-IDN-007] users list pages with a cursor', async () => {
    const first = await req('GET', '/v1/admin/users?limit=1', admin);
    expect(first.statusCode).toBe(200);
    expect(first.json().items).toHaveLength(1);
    const next = await req('GET', `/v1/admin/users?limit=1&cursor=${first.json().nextCursor}`, admin);
    expect(next.json().items[0].id > first.json().items[0].id).toBe(true);
    expect(next.json().total).toBe(first.json().total);
  });
});

describe('API keys [REQ-IDN-008]', () => {
  it('[REQ-IDN-008] create shows the key once; it authenticates with its scoped permissions; list never shows it', async () => {
    const created = await req('POST', '/v1/admin/api-keys', admin, { name: 'ERP sync', permissions: ['users:manage'] });
    expect(created.statusCode).toBe(201);
    const body = created.json();
    expect(body.key).toMatch(/^emp_live_[A-Za-z0-9_-]{43}$/);
    expect(body).toMatchObject({
      name: 'ERP sync',
      permissions: ['users:manage'],
      prefix: body.key.slice(0, 15),
      lastUsedAt: null,
      revokedAt: null,
    });
    const key = { headers: { authorization: `Bearer ${body.key}` } };
    expect((await req('GET', '/v1/admin/users', key)).statusCode).toBe(200);
    expect((await req('GET', '/v1/admin/audit-log', key)).statusCode).toBe(403);
    const list = await req('GET', '/v1/admin/api-keys', admin);
    const listed = list.json().items.find((k: { id: string }) => k.id === body.id);
    expect(listed.lastUsedAt).not.toBeNull();
    expect(JSON.stringify(list.json())).not.toContain(body.key);
    expect((await req('DELETE', `/v1/admin/api-keys/${body.id}`, admin)).statusCode).toBe(204);
    expect((await req('DELETE', `/v1/admin/api-keys/${body.id}`, admin)).statusCode).toBe(204);
    expect((await req('GET', '/v1/admin/users', key)).statusCode).toBe(401);
    expect((await auditActions(body.id)).map((a) => a.action)).toEqual(['api_key.created', 'api_key.revoked']);
  });

  it("[REQ-IDN-008] unknown permission → 422; granting beyond one's own → 403; unknown key → 404; nothing created", async () => {
    const before = (await req('GET', '/v1/admin/api-keys', admin)).json().items.length;
    const unknown = await req('POST', '/v1/admin/api-keys', admin, { name: 'x', permissions: ['root:everything'] });
    expect([unknown.statusCode, unknown.json().code]).toEqual([422, 'identity.unknown_permission']);
    const scoped = (
      await req('POST', '/v1/admin/api-keys', admin, { name: 'keys only', permissions: ['api_keys:manage'] })
    ).json();
    const escalate = await req(
      'POST',
      '/v1/admin/api-keys',
      { headers: { authorization: `Bearer ${scoped.key}` } },
      { name: 'y', permissions: ['users:manage'] },
    );
    expect(escalate.statusCode).toBe(403);
    expect((await req('GET', '/v1/admin/api-keys', admin)).json().items.length).toBe(before + 1);
    const missing = await req('DELETE', '/v1/admin/api-keys/key_missing', admin);
    expect([missing.statusCode, missing.json().code]).toEqual([404, 'identity.api_key_not_found']);
  });
});

describe('audit log [REQ-IDN-009]', () => {
  it('[REQ-IDN-009] admins read login success and failure with who, what, when and IP; customers and support cannot', async () => {
    const c = await registerCustomer(t);
    await t.http.inject({
      method: 'POST',
      url: '/v1/auth/login',
      remoteAddress: '10.3.0.7',
      payload: { email: c.email, password: 'not-the-password' },
    });
    await t.http.inject({
      method: 'POST',
      url: '/v1/auth/login',
      remoteAddress: '10.3.0.7',
      payload: { email: c.email, password: TEST_PASSWORD },
    });
    const log = await req('GET', `/v1/admin/audit-log?subjectId=${c.userId}`, admin);
    expect(log.statusCode).toBe(200);
    const items = log.json().items as {
      action: string;
      ip: string;
      actorKind: string;
      at: string;
      subjectId: string;
    }[];
    expect(items.map((i) => [i.action, i.ip, i.subjectId])).toEqual([
      ['login.succeeded', '10.3.0.7', c.userId],
      ['login.failed', '10.3.0.7', c.userId],
    ]);
    expect(Number.isNaN(Date.parse(items[0]?.at ?? ''))).toBe(false);
    expect((await req('GET', '/v1/admin/audit-log', c)).statusCode).toBe(403);
    expect((await req('GET', '/v1/admin/audit-log', await createStaff(t, 'support'))).statusCode).toBe(403);
  });

  it('[REQ-IDN-009] a staff sign-in is recorded as staff, a customer sign-in as customer', async () => {
    const agent = await createStaff(t, 'support');
    const c = await registerCustomer(t);
    await req('POST', '/v1/auth/login', undefined, { email: c.email, password: TEST_PASSWORD });
    const kindOf = async (subjectId: string) => {
      const log = await req('GET', `/v1/admin/audit-log?subjectId=${subjectId}&action=login.succeeded`, admin);
      return (log.json().items as { actorKind: string; actorId: string }[]).map((i) => [i.actorKind, i.actorId]);
    };
    expect(await kindOf(agent.userId)).toEqual([['staff', agent.userId]]);
    expect(await kindOf(c.userId)).toEqual([['customer', c.userId]]);
  });
});
