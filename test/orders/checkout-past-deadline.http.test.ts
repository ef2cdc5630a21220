// A checkout's hold on its cart at its edges (REQ-CRT-010 #4, #5): a payment that settles after the attempt's
// deadline, when the cart's mark may have run out, and a second checkout of the same cart with another key that
// arrives between the first one's mark and its attempt (a double submit). Through the real modules and the embedded
// sandbox PSP (its webhooks posted to a listening server), on PGlite by default, on PostgreSQL with TEST_DATABASE_URL.
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ordersModuleFor } from '../../src/modules/orders/index.ts';
import { createStaff, type TestIdentity } from '../support/auth.ts';
import { createVariant, placeOrder as placeOrderAs, poll, readyCart, type TestVariant } from '../support/cart.ts';
import { createTestApp, type TestApp } from '../support/create-test-app.ts';
import { listen } from '../support/listen.ts';

let t: TestApp;
let staff: TestIdentity;
let tee: TestVariant;
let mug: TestVariant;

beforeAll(async () => {
  t = await createTestApp({
    // The sweeper would compensate an attempt past its deadline on its own schedule: here only the payment's
    // webhook moves it, so what it finds is what the test arranged.
    orders: (kernel, parts) => ordersModuleFor(kernel, { ...parts, settings: { sweepIntervalMs: 3_600_000 } }),
  });
  await listen(t.http); // the embedded sandbox posts its webhooks here
  staff = await createStaff(t, 'admin');
  tee = await createVariant(t, staff, { price: 2500, stock: 1000 });
  mug = await createVariant(t, staff, { price: 900, stock: 1000 });
}, 60_000);
afterAll(async () => {
  await t?.close();
});

type Cart = Awaited<ReturnType<typeof readyCart>>;

const placeOrder = (c: Cart, key: string, token = 'tok_threeDSecureRequired') => placeOrderAs(t, c, key, token);

const addItem = (c: Cart, variantId: string) =>
  t.http.inject({
    method: 'POST',
    url: `/v1/carts/${c.id}/items`,
    headers: c.headers,
    payload: { variantId, quantity: 1 },
  });

const getCart = async (c: Cart) =>
  (await t.http.inject({ method: 'GET', url: `/v1/carts/${c.id}`, headers: c.headers })).json() as {
    status: string;
    items: { variantId: string; quantity: number }[];
  };

const available = async (variantId: string) =>
  (await t.inventory.api.getAvailability([variantId])).get(variantId)?.available;

const attemptOf = async (cartId: string) =>
  (
    await sql<{ id: string; status: string; answer_status: number | null; code: string | null }>`
      select id, status, answer_status, answer->>'code' as code from orders.checkout_attempts
      where cart_id = ${cartId} order by created_at desc limit 1`.execute(t.kernel.db.k)
  ).rows[0];

/** A checkout waiting for 3-D Secure, then aged: its deadline and its cart's mark both passed, nobody swept it. */
async function waitingPastDeadline(c: Cart) {
  const first = await placeOrder(c, randomUUID());
  expect(first.statusCode, first.body).toBe(202);
  await sql`update orders.checkout_attempts set expires_at = now() - interval '1 second' where cart_id = ${c.id}`.execute(
    t.kernel.db.k,
  );
  await sql`update cart.carts set checkout_until = now() - interval '1 second' where id = ${c.id}`.execute(
    t.kernel.db.k,
  );
  return first.json().nextAction.url as string;
}

describe('a checkout past its deadline', () => {
  it('[REQ-CRT-010] the cart changed after its mark ran out: the late payment places no order, is voided, and the stock goes back', async () => {
    const c = await readyCart(t, tee.variantId);
    const before = await available(tee.variantId);
    const url = await waitingPastDeadline(c);
    expect(await available(tee.variantId)).toBe((before ?? 0) - 1); // reserved by the waiting attempt
    // The mark ran out: the customer changes the cart.
    expect((await addItem(c, mug.variantId)).statusCode).toBe(200);

    expect((await fetch(`${url}?outcome=succeed`)).status).toBeLessThan(400);
    const failed = await poll(async () => {
      const a = await attemptOf(c.id);
      return a?.status === 'failed' ? a : undefined;
    });
    expect([failed.answer_status, failed.code]).toEqual([409, 'orders.cart_changed']);
    // Nothing placed or charged: no order, the payment voided, the stock back, the cart as the customer left it.
    const orders = await sql`select id from orders.orders where id = ${failed.id}`.execute(t.kernel.db.k);
    expect(orders.rows).toHaveLength(0);
    const payment = await sql<{
      status: string;
    }>`select status from payments.payments where order_id = ${failed.id}`.execute(t.kernel.db.k);
    expect(payment.rows.map((p) => p.status)).toEqual(['voided']);
    expect(await available(tee.variantId)).toBe(before);
    const cart = await getCart(c);
    expect(cart.status).toBe('active');
    expect(cart.items.map((i) => i.variantId).sort()).toEqual([tee.variantId, mug.variantId].sort());
    expect((await addItem(c, mug.variantId)).statusCode).toBe(200); // editable: the mark was released
  }, 60_000);

  it('[REQ-CRT-010] the cart unchanged: the late payment places the order from it and completes the cart', async () => {
    const c = await readyCart(t, tee.variantId);
    const url = await waitingPastDeadline(c);
    expect((await fetch(`${url}?outcome=succeed`)).status).toBeLessThan(400);
    const placed = await poll(async () => {
      const a = await attemptOf(c.id);
      return a?.status === 'placed' || a?.status === 'failed' ? a : undefined;
    });
    expect(placed.status).toBe('placed');
    const cart = await getCart(c);
    expect(cart.status).toBe('completed');
    expect(cart.items.map((i) => [i.variantId, i.quantity])).toEqual([[tee.variantId, 1]]);
  }, 60_000);
});

describe('a double submit with another key', () => {
  it('[REQ-CRT-010] a mark younger than a lease with no attempt yet is waited for (409 with Retry-After), never taken over', async () => {
    const c = await readyCart(t, tee.variantId);
    // As the first of two submits leaves it between its mark and its attempt: marked just now, no attempt yet.
    await sql`update cart.carts set checkout_by = 'ord_first', checkout_until = now() + interval '15 minutes 10 seconds'
      where id = ${c.id}`.execute(t.kernel.db.k);
    const second = await placeOrder(c, randomUUID(), 'tok_visa');
    expect([second.statusCode, second.json().code]).toEqual([409, 'orders.checkout_in_progress']);
    expect(Number(second.headers['retry-after'])).toBeGreaterThan(0);
    // Nothing written: no attempt, and the first submit still holds the cart.
    expect(await attemptOf(c.id)).toBeUndefined();
    const mark = await sql<{ checkout_by: string }>`select checkout_by from cart.carts where id = ${c.id}`.execute(
      t.kernel.db.k,
    );
    expect(mark.rows[0]?.checkout_by).toBe('ord_first');
    expect((await addItem(c, mug.variantId)).statusCode).toBe(409);
  }, 60_000);
});
