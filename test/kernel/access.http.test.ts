import { Type } from 'typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { access } from '../../src/platform/http/auth.ts';
import { createTestApp, type TestApp } from '../support/create-test-app.ts';
import { asApiKey, asCustomer, asStaff, FAKE_ACTOR_HEADER, fakeAuth } from '../support/fake-auth.ts';

// The fake identity names the actor in a header: this file tests the access hook, not tokens. A value the fake does not
// understand is refused with 401, as a forged token is.
const ACTORS: Record<string, Record<string, string>> = {
  customer: asCustomer('usr_1'),
  clerk: asStaff('orders:read'),
  admin: asStaff('*'),
  key: asApiKey('inventory:write'),
  forged: { [FAKE_ACTOR_HEADER]: 'forged' },
};

let t: TestApp;
let writes = 0;
let optionalRuns = 0;
beforeAll(async () => {
  t = await createTestApp({
    authenticate: fakeAuth,
    extraRoutes: (app) => {
      const ok = Type.Object({ actor: Type.String() });
      app.get(
        '/v1/test/public',
        { config: { access: access.public }, schema: { response: { 200: ok } } },
        async (req) => ({
          actor: req.ctx.actor.kind,
        }),
      );
      app.get('/v1/test/mine', { config: { access: access.customer } }, async (req) => ({ actor: req.ctx.actor.kind }));
      app.get('/v1/test/optional', { config: { access: access.optionalCustomer } }, async (req) => {
        optionalRuns++;
        return { actor: req.ctx.actor.kind };
      });
      app.post('/v1/test/stock', { config: { access: access.permission('inventory:write') } }, async () => {
        writes++;
        return { ok: true };
      });
    },
  });
});
afterAll(async () => {
  await t.close();
});

const call = (method: 'GET' | 'POST', url: string, who?: string) => {
  const headers = who === undefined ? {} : ACTORS[who];
  if (!headers) throw new Error(`no test actor ${who}`);
  return t.http.inject({ method, url, headers });
};

describe('access control [REQ-KER-017]', () => {
  it('[REQ-KER-017] public routes serve anonymous callers and still see who is calling', async () => {
    expect((await call('GET', '/v1/test/public')).json()).toEqual({ actor: 'anonymous' });
    expect((await call('GET', '/v1/test/public', 'customer')).json()).toEqual({ actor: 'customer' });
  });

  it('[REQ-KER-017] no or invalid credentials → 401 on protected routes; public routes treat them as anonymous', async () => {
    const res = await call('GET', '/v1/test/mine');
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe('auth.unauthorized');
    expect((await call('GET', '/v1/test/mine', 'forged')).statusCode).toBe(401);
    const pub = await call('GET', '/v1/test/public', 'forged');
    expect(pub.statusCode).toBe(200);
    expect(pub.json()).toEqual({ actor: 'anonymous' });
  });

  it('[REQ-KER-017] optional credentials: none → anonymous, valid → the caller, invalid → 401 and the handler does not run', async () => {
    expect((await call('GET', '/v1/test/optional')).json()).toEqual({ actor: 'anonymous' });
    expect((await call('GET', '/v1/test/optional', 'customer')).json()).toEqual({ actor: 'customer' });
    expect((await call('GET', '/v1/test/optional', 'clerk')).json()).toEqual({ actor: 'staff' });
    const before = optionalRuns;
    const res = await call('GET', '/v1/test/optional', 'forged');
    expect([res.statusCode, res.json().code]).toEqual([401, 'auth.unauthorized']);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(optionalRuns).toBe(before);
  });

  it('[REQ-KER-017] a missing permission → 403 and the handler does not run', async () => {
    const before = writes;
    for (const who of ['customer', 'clerk']) {
      const res = await call('POST', '/v1/test/stock', who);
      expect(res.statusCode).toBe(403);
      expect(res.json().code).toBe('auth.forbidden');
    }
    expect(writes).toBe(before);
    expect((await call('POST', '/v1/test/stock', 'key')).statusCode).toBe(200);
    expect((await call('POST', '/v1/test/stock', 'admin')).statusCode).toBe(200);
    expect(writes).toBe(before + 2);
  });
});
