// The checkout's Idempotency-Key, reused (REQ-CHK-002) or malformed (REQ-CHK-005): the key is scoped to the cart,
// and the same key for the same cart with another request (payment provider or token) is refused with 422
// idempotency.key_reused, as on every route, writing nothing. Through the real modules (cart, pricing, inventory,
// payments with the embedded sandbox PSP posting its webhooks to a listening server), on PGlite by default or on
// PostgreSQL with TEST_DATABASE_URL.
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStaff, registerCustomer, type TestIdentity } from '../support/auth.ts';
import { createVariant, placeOrder as placeOrderAs, readyCart, type TestVariant } from '../support/cart.ts';
import { createTestApp, type TestApp } from '../support/create-test-app.ts';
import { graphql } from '../support/graphql.ts';
import { listen } from '../support/listen.ts';

let t: TestApp;
let staff: TestIdentity;
let tee: TestVariant;

beforeAll(async () => {
  t = await createTestApp();
  await listen(t.http); // the embedded sandbox posts its webhooks here
  staff = await createStaff(t, 'admin');
  tee = await createVariant(t, staff, { price: 2500, stock: 1000 });
}, 60_000);
afterAll(async () => {
  await t?.close();
});

type Cart = Awaited<ReturnType<typeof readyCart>>;

const placeOrder = (c: Cart, key: string, token: string) => placeOrderAs(t, c, key, token);

const rows = async <T>(query: ReturnType<typeof sql>) => (await query.execute(t.kernel.db.k)).rows as T[];

/** What the checkout wrote for a cart: its attempts, orders and payments, and the cart's own row. */
async function written(cartId: string) {
  const attempts = await rows<{ id: string; status: string; key: string; hash: string | null }>(
    sql`select id, status, idempotency_key as key, request_hash as hash from orders.checkout_attempts
      where cart_id = ${cartId} order by created_at`,
  );
  const ids = attempts.map((a) => a.id);
  const orders = await rows<{ id: string }>(sql`select id from orders.orders where cart_id = ${cartId}`);
  const payments = await rows<{ order_id: string; status: string }>(
    sql`select order_id, status from payments.payments where order_id = any(${ids}) order by created_at`,
  );
  const [cart] = await rows<{ status: string; version: number; checkout_by: string | null }>(
    sql`select status, version, checkout_by from cart.carts where id = ${cartId}`,
  );
  return { attempts, orders, payments, cart };
}

const readCart = async (c: Cart) =>
  (await t.http.inject({ method: 'GET', url: `/v1/carts/${c.id}`, headers: c.headers })).json();

const PLACE = `mutation($cartId: ID!, $token: String!, $key: String) {
  placeOrder(cartId: $cartId, payment: { provider: "sandbox", token: $token }, idempotencyKey: $key) {
    status attemptId order { id } } }`;

describe('the checkout Idempotency-Key reused for another request', () => {
  it('[REQ-CHK-002] after a placed order: the same key and body → the order; another token → 422, nothing written', async () => {
    const c = await readyCart(t, tee.variantId);
    const key = randomUUID();
    const first = await placeOrder(c, key, 'tok_visa');
    expect(first.statusCode).toBe(201);
    const same = await placeOrder(c, key, 'tok_visa');
    expect(same.statusCode).toBe(201);
    expect(same.json().id).toBe(first.json().id);
    const before = await written(c.id);
    const other = await placeOrder(c, key, 'tok_threeDSecureRequired');
    expect(other.statusCode).toBe(422);
    expect(other.headers['content-type']).toContain('application/problem+json');
    expect(other.json()).toMatchObject({ code: 'idempotency.key_reused', status: 422 });
    expect(await written(c.id)).toEqual(before);
    expect(before.attempts).toHaveLength(1);
    expect(before.orders).toEqual([{ id: first.json().id }]);
    expect(before.payments).toHaveLength(1);
    // The stored request is a hash: the token is nowhere in clear.
    expect(before.attempts[0]?.hash).toMatch(/^[0-9a-f]{64}$/);
    const clear = await rows(
      sql`select id from orders.checkout_attempts where cart_id = ${c.id} and row_to_json(checkout_attempts)::text like '%tok_visa%'`,
    );
    expect(clear).toEqual([]);
    // The first request still replays.
    expect((await placeOrder(c, key, 'tok_visa')).json().id).toBe(first.json().id);
  });

  it('[REQ-CHK-002] after a decline: another token with the key → 422, the cart unchanged and not held; a new key places it', async () => {
    const c = await readyCart(t, tee.variantId);
    const key = randomUUID();
    const declined = await placeOrder(c, key, 'tok_chargeDeclined');
    expect(declined.statusCode).toBe(402);
    const cartBefore = await readCart(c);
    const before = await written(c.id);
    expect(before.cart).toMatchObject({ status: 'active', checkout_by: null });
    const reused = await placeOrder(c, key, 'tok_visa');
    expect(reused.statusCode).toBe(422);
    expect(reused.json().code).toBe('idempotency.key_reused');
    expect(await written(c.id)).toEqual(before); // no attempt, payment or order; the cart not held
    expect(await readCart(c)).toEqual(cartBefore);
    // The same request as the first still replays its answer.
    expect((await placeOrder(c, key, 'tok_chargeDeclined')).json().code).toBe('payments.declined');
    const fresh = await placeOrder(c, randomUUID(), 'tok_visa');
    expect(fresh.statusCode).toBe(201);
    const after = await written(c.id);
    expect(after.orders).toEqual([{ id: fresh.json().id }]);
    expect(after.attempts.map((a) => a.status)).toEqual(['failed', 'placed']);
  });

  it('[REQ-CHK-002] while the payment waits for the customer: another token with the key → 422; the same → 202', async () => {
    const c = await readyCart(t, tee.variantId);
    const key = randomUUID();
    const waiting = await placeOrder(c, key, 'tok_threeDSecureRequired');
    expect(waiting.statusCode).toBe(202);
    const before = await written(c.id);
    const reused = await placeOrder(c, key, 'tok_visa');
    expect(reused.statusCode).toBe(422);
    expect(reused.json().code).toBe('idempotency.key_reused');
    expect(await written(c.id)).toEqual(before);
    const same = await placeOrder(c, key, 'tok_threeDSecureRequired');
    expect(same.statusCode).toBe(202);
    expect(same.json().id).toBe(waiting.json().id);
  });

  it('[REQ-CHK-002] over GraphQL: placeOrder with the key and another token → idempotency.key_reused (422), nothing written', async () => {
    const c = await readyCart(t, tee.variantId);
    const key = randomUUID();
    const placed = await graphql(t, PLACE, { cartId: c.id, token: 'tok_visa', key }, c.headers);
    expect(placed.body.errors).toBeUndefined();
    const orderId = placed.body.data.placeOrder.order.id as string;
    const before = await written(c.id);
    const byArg = await graphql(t, PLACE, { cartId: c.id, token: 'tok_threeDSecureRequired', key }, c.headers);
    expect(byArg.body.data.placeOrder).toBeNull();
    expect(byArg.body.errors?.[0]?.extensions).toMatchObject({ code: 'idempotency.key_reused', status: 422 });
    // The key in the header: the generic layer is released for placeOrder, the checkout refuses it the same way.
    const headers = { ...c.headers, 'idempotency-key': key };
    const byHeader = await graphql(t, PLACE, { cartId: c.id, token: 'tok_threeDSecureRequired' }, headers);
    expect(byHeader.body.errors?.[0]?.extensions).toMatchObject({ code: 'idempotency.key_reused', status: 422 });
    // The same key over REST is the same checkout: the same request replays, another is refused.
    expect((await placeOrder(c, key, 'tok_visa')).json().id).toBe(orderId);
    expect((await placeOrder(c, key, 'tok_chargeDeclined')).statusCode).toBe(422);
    expect(await written(c.id)).toEqual(before);
    const again = await graphql(t, PLACE, { cartId: c.id, token: 'tok_visa', key }, c.headers);
    expect(again.body.data.placeOrder.order.id).toBe(orderId);
  });

  it('[REQ-CHK-002] the key is scoped to the cart: the same customer and key for another cart places that cart', async () => {
    const customer = await registerCustomer(t);
    const a = await readyCart(t, tee.variantId, { auth: customer.headers });
    const placedA = await placeOrder(a, 'my-key-1', 'tok_visa');
    expect(placedA.statusCode).toBe(201);
    const b = await readyCart(t, tee.variantId, { auth: customer.headers });
    expect(b.id).not.toBe(a.id);
    const placedB = await placeOrder(b, 'my-key-1', 'tok_chargeDeclined');
    expect(placedB.statusCode).toBe(402); // its own checkout, not a replay of cart a's
    const placedB2 = await placeOrder(b, 'my-key-2', 'tok_visa');
    expect(placedB2.statusCode).toBe(201);
    expect(placedB2.json().id).not.toBe(placedA.json().id);
  });

  it('[REQ-CHK-002] an attempt written before the request was stored (no hash) replays to any request with its key', async () => {
    const c = await readyCart(t, tee.variantId);
    const key = randomUUID();
    const first = await placeOrder(c, key, 'tok_visa');
    expect(first.statusCode).toBe(201);
    await sql`update orders.checkout_attempts set request_hash = null where cart_id = ${c.id}`.execute(t.kernel.db.k);
    const other = await placeOrder(c, key, 'tok_threeDSecureRequired');
    expect(other.statusCode).toBe(201);
    expect(other.json().id).toBe(first.json().id);
    expect((await written(c.id)).payments).toHaveLength(1);
  });
});

describe('a malformed Idempotency-Key', () => {
  const BAD = ['a b', 'x'.repeat(256), 'tab\there', 'ключ'];

  it('[REQ-CHK-005] POST /v1/orders and placeOrder: 400 request.validation_failed, nothing written, the cart not held', async () => {
    const c = await readyCart(t, tee.variantId);
    const cartBefore = await readCart(c);
    for (const key of BAD) {
      const rest = await t.http.inject({
        method: 'POST',
        url: '/v1/orders',
        headers: { ...c.headers, 'idempotency-key': key },
        payload: { cartId: c.id, payment: { provider: 'sandbox', token: 'tok_visa' } },
      });
      expect(rest.statusCode, key).toBe(400);
      expect(rest.json(), key).toMatchObject({ code: 'request.validation_failed' });
      expect(rest.json().errors.map((e: { field: string }) => e.field)).toEqual(['headers/idempotency-key']);
      const byArg = await graphql(t, PLACE, { cartId: c.id, token: 'tok_visa', key }, c.headers);
      expect(byArg.body.errors?.[0]?.extensions, key).toMatchObject({ code: 'request.validation_failed', status: 400 });
      const byHeader = await t.http.inject({
        method: 'POST',
        url: '/graphql',
        headers: { ...c.headers, 'idempotency-key': key },
        payload: { query: PLACE, variables: { cartId: c.id, token: 'tok_visa' } },
      });
      // Refused by the generic layer before GraphQL runs: HTTP 400, the problem as a GraphQL error.
      expect(byHeader.statusCode, key).toBe(400);
      expect(byHeader.json().errors[0].extensions, key).toMatchObject({
        code: 'request.validation_failed',
        errors: [{ field: 'headers/idempotency-key', message: expect.any(String) }],
      });
    }
    const w = await written(c.id);
    expect([w.attempts, w.orders, w.cart]).toEqual([[], [], expect.objectContaining({ checkout_by: null })]);
    expect(await readCart(c)).toEqual(cartBefore);
    // Every printable ASCII character but the space is allowed.
    const odd = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';
    expect((await placeOrder(c, odd, 'tok_visa')).statusCode).toBe(201);
  });

  it('[REQ-CHK-005] every route taking the header answers the same: the returns, refunds and generic routes', async () => {
    const c = await readyCart(t, tee.variantId);
    const order = (await placeOrder(c, randomUUID(), 'tok_visa')).json();
    const calls = [
      {
        method: 'POST' as const,
        url: `/v1/orders/${order.id}/returns`,
        headers: { 'x-order-token': order.orderToken },
      },
      { method: 'POST' as const, url: `/v1/admin/orders/${order.id}/refunds`, headers: staff.headers },
      { method: 'POST' as const, url: `/v1/carts/${c.id}/items`, headers: c.headers },
    ];
    const payloads = [
      { items: [{ variantId: tee.variantId, quantity: 1 }] },
      { amount: 100, reason: 'test' },
      { variantId: tee.variantId, quantity: 1 },
    ];
    for (const [i, call] of calls.entries()) {
      const r = await t.http.inject({
        ...call,
        headers: { ...call.headers, 'idempotency-key': 'a b' },
        payload: payloads[i],
      });
      expect(r.statusCode, call.url).toBe(400);
      expect(r.json().code, call.url).toBe('request.validation_failed');
    }
    expect(await rows(sql`select id from orders.returns where order_id = ${order.id}`)).toEqual([]);
    const refunds = sql`select r.id from payments.refunds r join payments.payments p on p.id = r.payment_id
      where p.order_id = ${order.id}`;
    expect(await rows(refunds)).toEqual([]);
    const doc = (await t.http.inject({ method: 'GET', url: '/openapi.json' })).json();
    for (const [path, method] of [
      ['/v1/orders', 'post'],
      ['/v1/orders/{id}/returns', 'post'],
      ['/v1/admin/orders/{orderId}/refunds', 'post'],
      ['/v1/carts/{cartId}/items', 'post'],
    ] as const) {
      const p = doc.paths[path][method].parameters.find((x: { name: string }) => x.name === 'idempotency-key');
      expect(p.schema, path).toMatchObject({ minLength: 1, maxLength: 255, pattern: '^[\\x21-\\x7e]+$' });
    }
    expect(doc.paths['/v1/orders'].post.responses['422'].description).toContain('idempotency.key_reused');
  });
});
