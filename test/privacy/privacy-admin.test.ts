// Staff privacy routes over real HTTP: permission privacy:manage, validation without side effects, rotation progress.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStaff, type TestIdentity } from '../support/auth.ts';
import { createTestApp, type TestApp } from '../support/create-test-app.ts';

let t: TestApp;
let admin: TestIdentity;
let support: TestIdentity;
beforeAll(async () => {
  t = await createTestApp();
  admin = await createStaff(t, 'admin');
  support = await createStaff(t, 'support');
}, 60_000);
afterAll(async () => {
  await t?.close();
});

const erasureCount = async () =>
  Number(
    (
      await t.kernel.db.k
        .selectFrom('privacy.erasures')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirst()
    )?.n ?? 0,
  );

describe('staff privacy routes [REQ-PRV-008]', () => {
  it('[REQ-PRV-008] need privacy:manage: a support agent gets 403 and nothing is recorded', async () => {
    for (const [method, url, payload] of [
      ['POST', '/v1/admin/privacy/erasures', { email: 'a@example.com' }],
      ['GET', '/v1/admin/privacy/erasures', undefined],
      ['POST', '/v1/admin/privacy/exports', { email: 'a@example.com' }],
      ['GET', '/v1/admin/privacy/key-rotation', undefined],
      ['POST', '/v1/admin/privacy/key-rotation', undefined],
    ] as const) {
      const res = await t.http.inject({ method, url, headers: support.headers, ...(payload ? { payload } : {}) });
      expect(res.statusCode, `${method} ${url}`).toBe(403);
      expect(res.headers['content-type']).toContain('application/problem+json');
    }
    expect(await erasureCount()).toBe(0);
  });

  it('[REQ-PRV-008] a malformed email is a 400 problem and records no erasure; an unknown id is 404', async () => {
    const bad = await t.http.inject({
      method: 'POST',
      url: '/v1/admin/privacy/erasures',
      headers: admin.headers,
      payload: { email: 'not-an-email', extra: 1 },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe('request.validation_failed');
    expect(await erasureCount()).toBe(0);
    const missing = await t.http.inject({
      method: 'GET',
      url: '/v1/admin/privacy/erasures/era_nope',
      headers: admin.headers,
    });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().code).toBe('privacy.erasure_not_found');
  });

  it('[REQ-PRV-004] key rotation progress is reported per store, and complete with a single key', async () => {
    const res = await t.http.inject({ method: 'POST', url: '/v1/admin/privacy/key-rotation', headers: admin.headers });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ remaining: 0, complete: true, activeKeyId: t.kernel.privacy.pii.activeKeyId });
    expect(body.parts.map((p: { name: string }) => p.name)).toEqual(
      expect.arrayContaining(['privacy.data_keys', 'platform.idempotency_keys']),
    );
    const get = await t.http.inject({ method: 'GET', url: '/v1/admin/privacy/key-rotation', headers: admin.headers });
    expect(get.json()).toEqual(body);
  });
});
