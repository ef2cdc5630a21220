// A cart being checked out cannot change (REQ-CRT-010 #2): from the checkout's snapshot until the order is placed
// (the cart is then completed) or the attempt fails, every change answers 409 cart.checkout_in_progress. Through the
// real modules and the embedded sandbox PSP (its webhooks posted to a listening server), on PGlite by default.
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStaff, registerCustomer, type TestIdentity } from '../support/auth.ts';
import { createVariant, placeOrder as placeOrderAs, poll, readyCart, type TestVariant } from '../support/cart.ts';
import { createTestApp, type TestApp } from '../support/create-test-app.ts';
import { listen } from '../support/listen.ts';

let t: TestApp;
let staff: TestIdentity;
let tee: TestVariant;
let mug: TestVariant;

beforeAll(async () => {
  t = await createTestApp();
  await listen(t.http); // the embedded sandbox posts its webhooks here
  staff = await createStaff(t, 'admin');
  tee = await createVariant(t, staff, { price: 2500, stock: 1000 });
  mug = await createVariant(t, staff, { price: 900, stock: 1000 });
}, 60_000);
afterAll(async () => {
  await t?.close();
});

type Cart = Awaited<ReturnType<typeof readyCart>>;

const placeOrder = (c: Cart, key: string, token: string) => placeOrderAs(t, c, key, token);

const getCart = async (c: Cart) =>
  (await t.http.inject({ method: 'GET', url: `/v1/carts/${c.id}`, headers: c.headers })).json() as {
    status: string;
    version: number;
    items: { id: string; variantId: string; quantity: number }[];
    totals: { total: { amount: number } };
  };

const addItem = (c: Cart, variantId: string, quantity = 1) =>
  t.http.inject({
    method: 'POST',
    url: `/v1/carts/${c.id}/items`,
    headers: c.headers,
    payload: { variantId, quantity },
  });

/** Every change a client can make to the cart, each expected to answer 409 cart.checkout_in_progress. */
async function everyChange(c: Cart, itemId: string) {
  const customer = await registerCustomer(t);
  const calls = [
    addItem(c, tee.variantId),
    addItem(c, mug.variantId),
    t.http.inject({
      method: 'PATCH',
      url: `/v1/carts/${c.id}/items/${itemId}`,
      headers: c.headers,
      payload: { quantity: 3 },
    }),
    t.http.inject({ method: 'DELETE', url: `/v1/carts/${c.id}/items/${itemId}`, headers: c.headers }),
    t.http.inject({
      method: 'PATCH',
      url: `/v1/carts/${c.id}`,
      headers: c.headers,
      payload: { email: 'x@example.com' },
    }),
    t.http.inject({ method: 'PATCH', url: `/v1/carts/${c.id}`, headers: c.headers, payload: { couponCode: 'SAVE10' } }),
    t.http.inject({
      method: 'POST',
      url: `/v1/carts/${c.id}/merge`,
      headers: { ...customer.headers, 'x-cart-token': c.token },
    }),
  ];
  return Promise.all(calls);
}

describe('a cart being checked out', () => {
  it('[REQ-CRT-010] while 3-D Secure is pending every change answers 409 cart.checkout_in_progress and changes nothing; the order and the completed cart then agree', async () => {
    const c = await readyCart(t, tee.variantId);
    const key = randomUUID();
    const first = await placeOrder(c, key, 'tok_threeDSecureRequired');
    expect(first.statusCode, first.body).toBe(202);
    const before = await getCart(c);
    expect(before.status).toBe('active');

    const answers = await everyChange(c, before.items[0]?.id ?? '');
    for (const r of answers) {
      expect(r.statusCode, r.body).toBe(409);
      expect(r.headers['content-type']).toContain('application/problem+json');
      expect(r.json().code).toBe('cart.checkout_in_progress');
    }
    // Nothing written: the same version, lines and totals, and the customer got no cart from the merge.
    expect(await getCart(c)).toEqual(before);

    const url = first.json().nextAction.url as string;
    expect((await fetch(`${url}?outcome=succeed`)).status).toBeLessThan(400);
    const placed = await poll(async () => {
      const r = await placeOrder(c, key, 'tok_threeDSecureRequired');
      // 201 once the webhook placed it; paid once its capture (right after placing) is done.
      return r.statusCode === 201 && r.json().status === 'paid' ? r : undefined;
    });
    const order = placed.json() as {
      status: string;
      items: { quantity: number }[];
      totals: { total: { amount: number } };
    };
    expect(order.status).toBe('paid');
    expect(order.items.map((i) => i.quantity)).toEqual([1]);
    const after = await getCart(c);
    expect(after.status).toBe('completed');
    expect(after.items.map((i) => i.quantity)).toEqual([1]);
    expect(after.totals.total.amount).toBe(order.totals.total.amount);
    // Completed now: a change gets the completed cart's answer.
    const late = await addItem(c, tee.variantId);
    expect([late.statusCode, late.json().code]).toEqual([409, 'cart.completed']);
  }, 60_000);

  it('[REQ-CRT-010] the cart is editable again once its checkout fails (3-D Secure failed, payment declined), and an incomplete cart is never held', async () => {
    const c = await readyCart(t, tee.variantId);
    const first = await placeOrder(c, randomUUID(), 'tok_threeDSecureRequired');
    expect(first.statusCode, first.body).toBe(202);
    expect((await addItem(c, mug.variantId)).statusCode).toBe(409);
    expect((await fetch(`${first.json().nextAction.url}?outcome=fail`)).status).toBeLessThan(400);
    // The failure webhook compensates the attempt: the add then lands.
    const added = await poll(async () => {
      const r = await addItem(c, mug.variantId);
      return r.statusCode === 200 ? r : undefined;
    });
    expect(added.json().items).toHaveLength(2);
    // The compensation frees the cart before it ends (void, stock release): until then a checkout with a new key
    // finds it live and answers 409 orders.checkout_in_progress. The declined case starts once it has ended.
    await poll(async () => {
      const r = await sql<{ status: string }>`select status from orders.checkout_attempts
        where id = ${first.json().id}`.execute(t.kernel.db.k);
      return r.rows[0]?.status === 'failed' ? true : undefined;
    });

    const declined = await placeOrder(c, randomUUID(), 'tok_chargeDeclined');
    expect(declined.statusCode, declined.body).toBe(402);
    const again = await addItem(c, mug.variantId);
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json().items.find((i: { variantId: string }) => i.variantId === mug.variantId).quantity).toBe(2);

    // 422 cart incomplete: the checkout's read released its mark at once.
    const created = await t.http.inject({
      method: 'POST',
      url: '/v1/carts',
      payload: { currency: 'EUR', country: 'DE' },
    });
    const bare: Cart = {
      id: created.json().id,
      token: created.json().token,
      headers: { 'x-cart-token': created.json().token },
      totals: {},
    };
    expect((await addItem(bare, tee.variantId)).statusCode).toBe(200);
    const incomplete = await placeOrder(bare, randomUUID(), 'tok_visa');
    expect([incomplete.statusCode, incomplete.json().code]).toEqual([422, 'orders.cart_incomplete']);
    expect((await addItem(bare, tee.variantId)).statusCode).toBe(200);
  }, 60_000);

  it('[REQ-CRT-010] the mark expires by itself: a checkout whose process died never locks the cart for ever', async () => {
    const c = await readyCart(t, tee.variantId);
    expect((await placeOrder(c, randomUUID(), 'tok_threeDSecureRequired')).statusCode).toBe(202);
    expect((await addItem(c, mug.variantId)).statusCode).toBe(409);
    // As if the attempt's deadline (and a lease) had passed with nobody left to release the cart.
    await sql`update cart.carts set checkout_until = now() - interval '1 second' where id = ${c.id}`.execute(
      t.kernel.db.k,
    );
    expect((await addItem(c, mug.variantId)).statusCode).toBe(200);
  }, 60_000);

  it('[REQ-CRT-010] a mark no attempt stands behind (its request failed before it could release it) is taken over by the next checkout', async () => {
    const c = await readyCart(t, tee.variantId);
    // As a checkout leaves it when the database goes away between its read of the cart and its attempt: the mark is
    // written, no attempt is, and the release in its way out fails too. It is older than a lease (10 s): taken
    // 70 s ago for the deadline (15 min) and a lease.
    await sql`update cart.carts set checkout_by = 'ord_orphan', checkout_until = now() + interval '14 minutes'
      where id = ${c.id}`.execute(t.kernel.db.k);
    expect((await addItem(c, mug.variantId)).statusCode).toBe(409);
    const order = await placeOrder(c, randomUUID(), 'tok_visa');
    expect(order.statusCode, order.body).toBe(201);
    const cart = await getCart(c);
    expect(cart.status).toBe('completed');
    expect(cart.items.map((i) => [i.variantId, i.quantity])).toEqual(
      (order.json() as { items: { variantId: string; quantity: number }[] }).items.map((i) => [
        i.variantId,
        i.quantity,
      ]),
    );
  }, 60_000);

  it('[REQ-CRT-010] 20 adds racing a checkout: each lands before the snapshot and is in the order, or gets 409; none is lost', async () => {
    for (let round = 0; round < 3; round++) {
      const c = await readyCart(t, tee.variantId);
      // Spread over the checkout: the first ones come before its snapshot, the last ones while it runs.
      const later = <T>(ms: number, f: () => Promise<T>) => new Promise((r) => setTimeout(r, ms)).then(f);
      const adds = Array.from({ length: 20 }, (_, i) => later(i * 3, () => addItem(c, mug.variantId)));
      const [order, ...answers] = await Promise.all([
        later(20, () => placeOrder(c, randomUUID(), 'tok_visa')),
        ...adds,
      ]);
      expect(order?.statusCode, order?.body).toBe(201);
      const codes = answers.map((r) => (r.statusCode === 200 ? 200 : `${r.statusCode} ${r.json().code}`));
      for (const code of codes) expect([200, '409 cart.checkout_in_progress', '409 cart.completed']).toContain(code);
      const landed = codes.filter((code) => code === 200).length;
      const placed = order?.json() as {
        items: { variantId: string; quantity: number }[];
        totals: { total: { amount: number } };
      };
      const mugs = placed.items.find((i) => i.variantId === mug.variantId)?.quantity ?? 0;
      expect(mugs).toBe(landed);
      const cart = await getCart(c);
      expect(cart.status).toBe('completed');
      expect(cart.items.map((i) => [i.variantId, i.quantity]).sort()).toEqual(
        placed.items.map((i) => [i.variantId, i.quantity]).sort(),
      );
      expect(cart.totals.total.amount).toBe(placed.totals.total.amount);
    }
    // Whether a given add lands before the snapshot or is refused after it depends on timing, so only what must
    // hold either way is asserted; the refusal itself is asserted deterministically by the 3-D Secure test above.
  }, 120_000);
});
