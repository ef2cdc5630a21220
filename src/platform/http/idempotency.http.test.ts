import { sql } from 'kysely';
import { Type } from 'typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/support/create-test-app.ts';
import { asCustomer, fakeAuth } from '../../../test/support/fake-auth.ts';
import { access } from './auth.ts';
import { idempotencyCleanupJob } from './idempotency.ts';

let t: TestApp;
let failNext = false;
beforeAll(async () => {
  t = await createTestApp({
    authenticate: fakeAuth,
    workers: false,
    extraRoutes: (http) => {
      http.post(
        '/v1/test/charges',
        {
          config: { access: access.customer, idempotency: { required: true } },
          schema: {
            body: Type.Object({ amount: Type.Integer(), note: Type.Optional(Type.String()) }),
            response: { 201: Type.Object({ id: Type.String(), amount: Type.Integer(), n: Type.Integer() }) },
          },
        },
        async (request, reply) => {
          const n = await t.kernel.db.transaction(async (tx) => {
            const r = await sql<{ n: number }>`insert into idem_test.ops (caller, amount) values
              (${request.ctx.actor.kind === 'customer' ? request.ctx.actor.userId : '?'}, ${request.body.amount})
              returning (select count(*)::int + 1 from idem_test.ops) as n`.execute(tx);
            return r.rows[0]?.n ?? 0;
          });
          await new Promise((r) => setTimeout(r, 30)); // a slow operation: retries arrive while it runs
          if (failNext) {
            failNext = false;
            throw new Error('boom');
          }
          reply.header('location', `/v1/test/charges/ch_${n}`);
          return reply.code(201).send({ id: `ch_${n}`, amount: request.body.amount, n });
        },
      );
      http.post(
        '/v1/test/guest-orders',
        {
          config: { access: access.public, idempotency: { required: true } },
          schema: { headers: Type.Object({ 'x-cart-token': Type.String() }) },
        },
        async () => ({ ok: Math.random() }),
      );
      http.patch('/v1/test/optional', { config: { access: access.customer, idempotency: true } }, async () => ({
        at: Date.now() + Math.random(),
      }));
    },
  });
  await sql`create schema idem_test`.execute(t.kernel.db.k);
  await sql`create table idem_test.ops (caller text not null, amount integer not null)`.execute(t.kernel.db.k);
});
afterAll(async () => {
  await t?.close();
});

const ops = async () =>
  (await sql<{ n: number }>`select count(*)::int as n from idem_test.ops`.execute(t.kernel.db.k)).rows[0]?.n;

function charge(key: string | undefined, body: unknown, user = 'usr_a') {
  return t.http.inject({
    method: 'POST',
    url: '/v1/test/charges',
    headers: { ...asCustomer(user), ...(key ? { 'idempotency-key': key } : {}) },
    payload: body as Record<string, unknown>,
  });
}

describe('Idempotency-Key', () => {
  it('[REQ-EVT-020] 100 concurrent requests with one key: the operation runs once, every response is identical', async () => {
    const before = await ops();
    let inProgress = 0;
    const one = async () => {
      for (;;) {
        const r = await charge('key-100', { amount: 500, note: 'x' });
        if (r.statusCode !== 409) return r;
        inProgress++;
        expect(r.json()).toMatchObject({ code: 'idempotency.in_progress', status: 409 });
        expect(r.headers['retry-after']).toBe('1');
        await new Promise((res) => setTimeout(res, 10)); // a client honouring Retry-After, sped up
      }
    };
    const responses = await Promise.all(Array.from({ length: 100 }, one));
    expect(((await ops()) ?? 0) - (before ?? 0)).toBe(1);
    const first = responses[0];
    expect(first?.statusCode).toBe(201);
    for (const r of responses) {
      expect(r.statusCode).toBe(201);
      expect(r.body).toBe(first?.body);
      expect(r.headers.location).toBe(first?.headers.location);
    }
    expect(responses.filter((r) => r.headers['idempotent-replayed'] === 'true')).toHaveLength(99);
    expect(inProgress).toBeGreaterThan(0);
  });

  it('[REQ-EVT-021] the same key with a different body → 422 idempotency.key_reused, nothing runs', async () => {
    const first = await charge('key-reuse', { amount: 100 });
    expect(first.statusCode).toBe(201);
    const before = await ops();
    const again = await charge('key-reuse', { amount: 101 });
    expect(again.statusCode).toBe(422);
    expect(again.json()).toMatchObject({ code: 'idempotency.key_reused', status: 422 });
    expect(await ops()).toBe(before);
    // Key order in the JSON body does not matter: same request.
    const reordered = await t.http.inject({
      method: 'POST',
      url: '/v1/test/charges',
      headers: { ...asCustomer('usr_a'), 'idempotency-key': 'key-obj', 'content-type': 'application/json' },
      payload: '{"note":"n","amount":7}',
    });
    const same = await t.http.inject({
      method: 'POST',
      url: '/v1/test/charges',
      headers: { ...asCustomer('usr_a'), 'idempotency-key': 'key-obj', 'content-type': 'application/json' },
      payload: '{"amount":7,"note":"n"}',
    });
    expect(same.body).toBe(reordered.body);
    expect(same.headers['idempotent-replayed']).toBe('true');
  });

  it('[REQ-EVT-022] a missing key on a route that requires one → 400 idempotency.key_required, nothing runs', async () => {
    const before = await ops();
    const r = await charge(undefined, { amount: 100 });
    expect(r.statusCode).toBe(400);
    expect(r.json()).toMatchObject({ code: 'idempotency.key_required', status: 400 });
    const bad = await charge('x'.repeat(256), { amount: 100 });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'request.validation_failed' }); // the documented header schema
    // Printable ASCII without spaces only: the header schema every opted-in route declares refuses the rest.
    for (const key of ['bad\u0001key', 'a b', 'ключ']) {
      const refused = await charge(key, { amount: 100 });
      expect(refused.statusCode, key).toBe(400);
      expect(refused.json().errors, key).toEqual([{ field: 'headers/idempotency-key', message: expect.any(String) }]);
      expect(refused.json().code, key).toBe('request.validation_failed');
    }
    // A route without a schema: the layer refuses it the same way.
    const noSchema = await t.http.inject({
      method: 'PATCH',
      url: '/v1/test/optional',
      headers: { ...asCustomer('u'), 'idempotency-key': 'a b' },
    });
    expect(noSchema.statusCode).toBe(400);
    expect(noSchema.json()).toMatchObject({ code: 'request.validation_failed' });
    expect(await ops()).toBe(before);
    // On a route where the key is optional, requests without one simply run.
    const p1 = await t.http.inject({ method: 'PATCH', url: '/v1/test/optional', headers: asCustomer('u') });
    const p2 = await t.http.inject({ method: 'PATCH', url: '/v1/test/optional', headers: asCustomer('u') });
    expect(p1.statusCode).toBe(200);
    expect(p1.body).not.toBe(p2.body);
  });

  it("[REQ-EVT-022] the header and the 409/422 problems are documented in OpenAPI, also next to a route's own headers", async () => {
    const doc = (await t.http.inject({ method: 'GET', url: '/openapi.json' })).json();
    for (const path of ['/v1/test/charges', '/v1/test/guest-orders']) {
      const op = doc.paths[path].post;
      const names = (op.parameters ?? [])
        .filter((p: { in: string }) => p.in === 'header')
        .map((p: { name: string }) => p.name);
      expect(names).toContain('idempotency-key');
      expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['409', '422']));
    }
    const guest = (key: string, token: string, payload: unknown) =>
      t.http.inject({
        method: 'POST',
        url: '/v1/test/guest-orders',
        headers: { 'idempotency-key': key, 'x-cart-token': token },
        payload: payload as Record<string, unknown>,
      });
    const g1 = await guest('g-1', 'cart-secret-1', { a: 1 });
    const g2 = await guest('g-1', 'cart-secret-1', { a: 1 });
    const other = await guest('g-1', 'cart-secret-2', { a: 1 });
    expect(g2.body).toBe(g1.body);
    expect(g2.headers['idempotent-replayed']).toBe('true');
    expect(other.body).not.toBe(g1.body); // another guest (cart token) is another caller
  });

  it('[REQ-EVT-023] keys are scoped to the caller: another caller with the same key runs its own operation', async () => {
    const a = await charge('key-shared', { amount: 300 }, 'usr_a');
    const b = await charge('key-shared', { amount: 300 }, 'usr_b');
    expect(a.statusCode).toBe(201);
    expect(b.statusCode).toBe(201);
    expect(b.json().id).not.toBe(a.json().id);
    expect(b.headers['idempotent-replayed']).toBeUndefined();
  });

  it('[REQ-EVT-024] a 5xx is not stored (a retry runs again); expired keys run again and are cleaned up', async () => {
    failNext = true;
    const before = await ops();
    const failed = await charge('key-5xx', { amount: 9 });
    expect(failed.statusCode).toBe(500);
    const retried = await charge('key-5xx', { amount: 9 });
    expect(retried.statusCode).toBe(201);
    expect(((await ops()) ?? 0) - (before ?? 0)).toBe(2);

    const first = await charge('key-expire', { amount: 5 });
    await sql`update platform.idempotency_keys set expires_at = now() - interval '1 second'
      where key = 'key-expire'`.execute(t.kernel.db.k);
    const after = await charge('key-expire', { amount: 5 });
    expect(after.statusCode).toBe(201);
    expect(after.json().id).not.toBe(first.json().id);
    await sql`update platform.idempotency_keys set expires_at = now() - interval '1 second'`.execute(t.kernel.db.k);
    await idempotencyCleanupJob(t.kernel.db).run(
      { requestId: 'test', actor: { kind: 'system', name: 'test' } },
      { scheduledAt: new Date(), attempt: 1 },
    );
    const left = await sql<{ n: number }>`select count(*)::int as n from platform.idempotency_keys`.execute(
      t.kernel.db.k,
    );
    expect(left.rows[0]?.n).toBe(0);
    expect(t.config.idempotencyTtlSeconds).toBe(86_400);
  });

  it('[REQ-EVT-024] the key window comes from IDEMPOTENCY_TTL_SECONDS', async () => {
    await charge('key-ttl', { amount: 1 });
    const ttl = await sql<{ ttl: number }>`
      select round(extract(epoch from expires_at - created_at))::int as ttl from platform.idempotency_keys
      where key = 'key-ttl'`.execute(t.kernel.db.k);
    expect(ttl.rows[0]?.ttl).toBe(86_400);
  });
});
