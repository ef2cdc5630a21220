import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStaff, registerCustomer, type TestIdentity } from '../../../test/support/auth.ts';
import { createTestApp, type TestApp } from '../../../test/support/create-test-app.ts';

let t: TestApp;
let admin: TestIdentity;
let support: TestIdentity;
beforeAll(async () => {
  t = await createTestApp();
  admin = await createStaff(t, 'admin');
  support = await createStaff(t, 'support');
});
afterAll(async () => {
  await t?.close();
});

const get = (url: string, who: TestIdentity) => t.http.inject({ method: 'GET', url, headers: who.headers });
const auditActions = async (subjectId: string) =>
  (
    await sql<{ action: string; actor_id: string | null }>`
      select action, actor_id from identity.audit_log where subject_id = ${subjectId} order by id`.execute(
      t.kernel.db.k,
    )
  ).rows;

describe('staff read, find and export one account [REQ-IDN-017]', () => {
  it('[REQ-IDN-017] read by id; unknown id → 404', async () => {
    const c = await registerCustomer(t, { name: 'Grace Hopper' });
    const r = await get(`/v1/admin/users/${c.userId}`, admin);
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ id: c.userId, email: c.email, name: 'Grace Hopper', roles: [], status: 'active' });
    const missing = await get('/v1/admin/users/usr_01nosuchuser0000000000000000', admin);
    expect(missing.statusCode).toBe(404);
    expect(missing.json().code).toBe('identity.user_not_found');
  });

  it('[REQ-IDN-017] find by exact email, in any case; an unknown email finds nothing', async () => {
    const c = await registerCustomer(t);
    const r = await get(`/v1/admin/users?email=${encodeURIComponent(c.email.toUpperCase())}`, admin);
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({ items: [expect.objectContaining({ id: c.userId })], total: 1, nextCursor: null });
    const none = await get('/v1/admin/users?email=nobody-at-all%40example.com', admin);
    expect(none.json()).toEqual({ items: [], total: 0, nextCursor: null });
  });

  it('[REQ-IDN-017] the staff export is the holder’s own export, audited; support → 403 unaudited; erased → 404', async () => {
    const c = await registerCustomer(t);
    const address = { name: 'Ada L', line1: 'Main Street 1', city: 'Berlin', postalCode: '10115', country: 'DE' };
    const added = await t.http.inject({
      method: 'POST',
      url: '/v1/me/addresses',
      headers: c.headers,
      payload: address,
    });
    expect(added.statusCode).toBe(201);

    const refused = await get(`/v1/admin/users/${c.userId}/export`, support);
    expect(refused.statusCode).toBe(403);
    expect((await auditActions(c.userId)).map((a) => a.action)).not.toContain('user.exported_by_staff');

    const own = await get('/v1/me/export', c);
    const staff = await get(`/v1/admin/users/${c.userId}/export`, admin);
    expect(staff.statusCode).toBe(200);
    const { exportedAt: _a, ...ownRest } = own.json();
    const { exportedAt: _b, ...staffRest } = staff.json();
    expect(staffRest).toEqual(ownRest);
    expect(staffRest.profile.email).toBe(c.email);
    expect(staffRest.addresses).toEqual([expect.objectContaining({ line1: 'Main Street 1', city: 'Berlin' })]);
    expect(await auditActions(c.userId)).toContainEqual({ action: 'user.exported_by_staff', actor_id: admin.userId });

    const erased = await t.http.inject({
      method: 'DELETE',
      url: `/v1/admin/users/${c.userId}`,
      headers: admin.headers,
    });
    expect(erased.statusCode).toBe(204);
    expect((await get(`/v1/admin/users/${c.userId}/export`, admin)).statusCode).toBe(404);
  });
});
