import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStaff, registerCustomer, type TestIdentity } from '../../../test/support/auth.ts';
import { createTestApp, type TestApp } from '../../../test/support/create-test-app.ts';
import { ACCOUNT_TOKEN_FIELD } from './events.ts';

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

const MISSING = 'usr_01nosuchuser0000000000000000';
const post = (url: string, who?: TestIdentity, payload?: Record<string, unknown>) =>
  t.http.inject({ method: 'POST', url, ...(who ? { headers: who.headers } : {}), ...(payload ? { payload } : {}) });
const me = (who: TestIdentity) => t.http.inject({ method: 'GET', url: '/v1/me', headers: who.headers });
const login = (who: TestIdentity, password = who.password) =>
  post('/v1/auth/login', undefined, { email: who.email, password });
const auditActions = async (subjectId: string) =>
  (
    await sql<{ action: string }>`
      select action from identity.audit_log where subject_id = ${subjectId} order by id`.execute(t.kernel.db.k)
  ).rows.map((r) => r.action);
const resetEvents = async (userId: string) =>
  (
    await sql<{ payload: Record<string, unknown> }>`
      select payload from platform.outbox where type = 'identity.user.password_reset_requested'
        and payload->>'userId' = ${userId} order by id`.execute(t.kernel.db.k)
  ).rows.map((r) => r.payload);

describe('disable and enable an account [REQ-IDN-018]', () => {
  it('[REQ-IDN-018] disabled: sessions end, refresh and sign-in refused, API keys untouched; enabled: signs in again', async () => {
    const member = await createStaff(t, 'catalog_manager');
    const key = await post('/v1/admin/api-keys', admin, { name: 'feed', permissions: ['catalog:read'] });
    expect(key.statusCode).toBe(201);

    const off = await post(`/v1/admin/users/${member.userId}/disable`, admin);
    expect(off.statusCode).toBe(200);
    expect(off.json()).toMatchObject({ id: member.userId, status: 'active', disabledAt: expect.any(String) });
    expect((await me(member)).statusCode).toBe(401);
    const refresh = await post('/v1/auth/refresh', undefined, { refreshToken: member.refreshToken });
    expect([refresh.statusCode, refresh.json().code]).toEqual([401, 'identity.invalid_refresh_token']);
    const refused = await login(member);
    expect([refused.statusCode, refused.json().code]).toEqual([403, 'identity.account_disabled']);
    expect(refused.headers['content-type']).toContain('application/problem+json');
    // A wrong password still gets the ordinary answer: the disabled state is not revealed to a guesser.
    expect((await login(member, 'not-the-password-at-all')).json().code).toBe('identity.invalid_credentials');
    const apiKey = { authorization: `Bearer ${key.json().key}` };
    expect((await t.http.inject({ method: 'GET', url: '/v1/admin/products', headers: apiKey })).statusCode).toBe(200);

    const again = await post(`/v1/admin/users/${member.userId}/disable`, admin);
    expect(again.json().disabledAt).toBe(off.json().disabledAt);

    const on = await post(`/v1/admin/users/${member.userId}/enable`, admin);
    expect([on.statusCode, on.json().disabledAt]).toEqual([200, null]);
    expect((await me(member)).statusCode).toBe(401);
    expect((await login(member)).statusCode).toBe(200);
    expect(await auditActions(member.userId)).toEqual(
      expect.arrayContaining(['user.disabled', 'login.refused_disabled', 'user.enabled']),
    );
    expect((await auditActions(member.userId)).filter((a) => a === 'user.disabled')).toHaveLength(1);
  });

  it('[REQ-IDN-018] concurrent disables (and enables) change the account once: one audit entry each', async () => {
    const member = await createStaff(t, 'support');
    const disables = await Promise.all(
      Array.from({ length: 12 }, () => post(`/v1/admin/users/${member.userId}/disable`, admin)),
    );
    expect(disables.map((r) => r.statusCode)).toEqual(Array(12).fill(200));
    expect(disables.every((r) => r.json().disabledAt !== null)).toBe(true);
    const enables = await Promise.all(
      Array.from({ length: 12 }, () => post(`/v1/admin/users/${member.userId}/enable`, admin)),
    );
    expect(enables.map((r) => r.statusCode)).toEqual(Array(12).fill(200));
    const actions = await auditActions(member.userId);
    expect(actions.filter((a) => a === 'user.disabled')).toHaveLength(1);
    expect(actions.filter((a) => a === 'user.enabled')).toHaveLength(1);
    expect((await login(member)).statusCode).toBe(200);
  });

  it('[REQ-IDN-018] unknown id → 404; no permission → 403 and nothing changes; not oneself → 409', async () => {
    const member = await createStaff(t, 'support');
    const missing = await post(`/v1/admin/users/${MISSING}/disable`, admin);
    expect([missing.statusCode, missing.json().code]).toEqual([404, 'identity.user_not_found']);
    expect(missing.headers['content-type']).toContain('application/problem+json');
    const forbidden = await post(`/v1/admin/users/${member.userId}/disable`, support);
    expect(forbidden.statusCode).toBe(403);
    expect((await me(member)).statusCode).toBe(200);
    expect(await auditActions(member.userId)).not.toContain('user.disabled');
    const self = await post(`/v1/admin/users/${admin.userId}/disable`, admin);
    expect([self.statusCode, self.json().code]).toEqual([409, 'identity.cannot_disable_self']);
    expect((await me(admin)).statusCode).toBe(200);
  });
});

describe('staff send a password reset [REQ-IDN-019]', () => {
  it('[REQ-IDN-019] the storefront reset mail is sent for the account, audited; its token sets a new password', async () => {
    const member = await createStaff(t, 'order_manager');
    const sent = await post(`/v1/admin/users/${member.userId}/password-reset`, admin);
    expect(sent.statusCode).toBe(202);
    const events = await resetEvents(member.userId);
    expect(events).toHaveLength(1);
    const token = await t.kernel.privacy.dataKeys.open(ACCOUNT_TOKEN_FIELD, events[0]?.tokenSealed as string);
    expect(await auditActions(member.userId)).toContain('password.reset_sent_by_staff');
    const confirm = await post('/v1/auth/password-reset/confirm', undefined, {
      token,
      password: 'a-fresh-staff-passphrase',
    });
    expect(confirm.statusCode).toBe(204);
    expect((await login(member, 'a-fresh-staff-passphrase')).statusCode).toBe(200);
  });

  it('[REQ-IDN-019] unknown id → 404, no permission → 403, disabled → 409; no mail in any of them', async () => {
    const member = await createStaff(t, 'support');
    const missing = await post(`/v1/admin/users/${MISSING}/password-reset`, admin);
    expect([missing.statusCode, missing.json().code]).toEqual([404, 'identity.user_not_found']);
    expect((await post(`/v1/admin/users/${member.userId}/password-reset`, support)).statusCode).toBe(403);
    expect(await resetEvents(member.userId)).toHaveLength(0);
    await post(`/v1/admin/users/${member.userId}/disable`, admin);
    const disabled = await post(`/v1/admin/users/${member.userId}/password-reset`, admin);
    expect([disabled.statusCode, disabled.json().code]).toEqual([409, 'identity.user_disabled']);
    expect(await resetEvents(member.userId)).toHaveLength(0);
    // The storefront's own request answers as always and sends nothing to a disabled account either.
    expect((await post('/v1/auth/password-reset', undefined, { email: member.email })).statusCode).toBe(202);
    expect(await resetEvents(member.userId)).toHaveLength(0);
  });

  it('[REQ-IDN-019] a reset link sent before the account was disabled no longer works', async () => {
    const c = await registerCustomer(t);
    await post(`/v1/admin/users/${c.userId}/password-reset`, admin);
    const [event] = await resetEvents(c.userId);
    const token = await t.kernel.privacy.dataKeys.open(ACCOUNT_TOKEN_FIELD, event?.tokenSealed as string);
    await post(`/v1/admin/users/${c.userId}/disable`, admin);
    await post(`/v1/admin/users/${c.userId}/enable`, admin);
    const used = await post('/v1/auth/password-reset/confirm', undefined, { token, password: 'another-passphrase-1' });
    expect([used.statusCode, used.json().code]).toEqual([400, 'identity.invalid_token']);
    expect((await login(c)).statusCode).toBe(200);
  });
});
