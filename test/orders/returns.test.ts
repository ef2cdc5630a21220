// Returns through the real modules over HTTP (PGlite, or PostgreSQL in CI): a guest asks to return delivered units,
// staff receive them (exact refund through the sandbox PSP, restock) or reject them; concurrent requests never claim
// more than shipped, and a return is received once.
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStaff, registerCustomer, type TestIdentity } from '../support/auth.ts';
import { createVariant, readyCart, type TestVariant } from '../support/cart.ts';
import { createTestApp, type TestApp } from '../support/create-test-app.ts';

let t: TestApp;
let staff: TestIdentity;
let lamp: TestVariant;
let bulb: TestVariant;

beforeAll(async () => {
  t = await createTestApp();
  staff = await createStaff(t, 'admin');
  lamp = await createVariant(t, staff, { price: 3333, stock: 10_000 });
  bulb = await createVariant(t, staff, { price: 499, stock: 10_000 });
}, 60_000);
afterAll(async () => {
  await t?.close();
});

interface Money {
  amount: number;
  currency: string;
}
interface Order {
  id: string;
  status: string;
  orderToken: string;
  items: {
    variantId: string;
    quantity: number;
    lineTotal: Money;
    discount: Money;
    tax: Money;
    returnedQuantity: number;
  }[];
  totals: { total: Money; shipping: Money };
}

/** A guest's paid order of `quantity` lamps (and `bulbs` bulbs), shipped; delivered unless told otherwise. */
async function deliveredOrder(quantity: number, opts: { bulbs?: number; deliver?: boolean } = {}): Promise<Order> {
  const cart = await readyCart(t, lamp.variantId, { quantity });
  if (opts.bulbs) {
    await t.http.inject({
      method: 'POST',
      url: `/v1/carts/${cart.id}/items`,
      headers: cart.headers,
      payload: { variantId: bulb.variantId, quantity: opts.bulbs },
    });
  }
  const res = await t.http.inject({
    method: 'POST',
    url: '/v1/orders',
    headers: { ...cart.headers, 'idempotency-key': randomUUID() },
    payload: { cartId: cart.id, payment: { provider: 'sandbox', token: 'tok_visa' } },
  });
  expect(res.statusCode).toBe(201);
  const order = res.json() as Order;
  const shipment = await t.http.inject({
    method: 'POST',
    url: `/v1/admin/orders/${order.id}/shipments`,
    headers: staff.headers,
    payload: {},
  });
  expect(shipment.statusCode).toBe(201);
  if (opts.deliver !== false) {
    const d = await t.http.inject({
      method: 'PATCH',
      url: `/v1/admin/shipments/${shipment.json().id}`,
      headers: staff.headers,
      payload: { status: 'delivered' },
    });
    expect(d.json().orderStatus).toBe('delivered');
  }
  return order;
}

const ask = (o: Order, items: { variantId: string; quantity: number }[], headers?: Record<string, string>) =>
  t.http.inject({
    method: 'POST',
    url: `/v1/orders/${o.id}/returns`,
    headers: headers ?? { 'x-order-token': o.orderToken },
    payload: { items, reason: 'does not fit' },
  });
const decide = (id: string, action: 'receive' | 'reject', payload: object = {}) =>
  t.http.inject({ method: 'POST', url: `/v1/admin/returns/${id}/${action}`, headers: staff.headers, payload });
const orderOf = async (id: string) =>
  (await t.http.inject({ method: 'GET', url: `/v1/orders/${id}`, headers: staff.headers })).json() as Order;
const onHand = async (variantId: string) =>
  (
    (
      await t.http.inject({ method: 'GET', url: `/v1/admin/inventory/${variantId}`, headers: staff.headers })
    ).json() as { levels: { onHand: number }[] }
  ).levels.reduce((a, l) => a + l.onHand, 0);
const payment = async (orderId: string) =>
  (
    await sql<{ refunded_amount: string; captured_amount: string }>`select refunded_amount, captured_amount
      from payments.payments where order_id = ${orderId}`.execute(t.kernel.db.k)
  ).rows[0];
const refunds = async (orderId: string) =>
  (
    await sql<{ amount: string; key: string }>`select r.amount, r.idempotency_key as key from payments.refunds r
      join payments.payments p on p.id = r.payment_id where p.order_id = ${orderId} order by r.created_at`.execute(
      t.kernel.db.k,
    )
  ).rows.map((r) => [Number(r.amount), r.key]);
const logTypes = async (orderId: string) =>
  (
    await sql<{ type: string }>`select type from orders.order_events where order_id = ${orderId} order by seq`.execute(
      t.kernel.db.k,
    )
  ).rows.map((r) => r.type);

async function waitFor(check: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 25));
  }
}

const paidFor = (l: Order['items'][number]) => l.lineTotal.amount - l.discount.amount + l.tax.amount;

describe('returns [REQ-ORD-016]', () => {
  it('[REQ-ORD-016] a guest returns 1 then 2 of 3 lamps: exact refunds, restocked, the order returned', async () => {
    const o = await deliveredOrder(3);
    const paid = paidFor(o.items[0] as Order['items'][number]);
    const stockBefore = await onHand(lamp.variantId);

    const first = await ask(o, [{ variantId: lamp.variantId, quantity: 1 }]);
    expect(first.statusCode).toBe(201);
    const r1 = first.json();
    expect(r1).toMatchObject({
      orderId: o.id,
      status: 'requested',
      items: [{ variantId: lamp.variantId, quantity: 1, refund: { amount: Math.floor(paid / 3) } }],
      refund: { amount: Math.floor(paid / 3), currency: 'EUR' },
      reason: 'does not fit',
    });
    expect((await orderOf(o.id)).items[0]?.returnedQuantity).toBe(1);

    const received = await decide(r1.id, 'receive', { note: 'fine' });
    expect(received.statusCode).toBe(200);
    expect(received.json()).toMatchObject({
      status: 'received',
      restock: true,
      refund: { amount: Math.floor(paid / 3) },
    });
    await waitFor(async () => Number((await payment(o.id))?.refunded_amount) === Math.floor(paid / 3));
    await waitFor(async () => (await orderOf(o.id)).status === 'partially_refunded');
    await waitFor(async () => (await onHand(lamp.variantId)) === stockBefore + 1);

    const rest = await ask(o, [{ variantId: lamp.variantId, quantity: 2 }]);
    expect(rest.statusCode).toBe(201);
    const r2 = (await decide(rest.json().id, 'receive', { restock: false })).json();
    expect(r2).toMatchObject({ status: 'received', restock: false, refund: { amount: paid - Math.floor(paid / 3) } });
    await waitFor(async () => Number((await payment(o.id))?.refunded_amount) === paid);
    // Every unit is back: returned; and when nothing else was paid (free shipping), refunded in full as well.
    const full = o.totals.total.amount === paid;
    await waitFor(async () => (await orderOf(o.id)).status === (full ? 'refunded' : 'returned'));
    expect(await onHand(lamp.variantId)).toBe(stockBefore + 1); // the second return was not restocked
    // Everything paid for the lines came back, to the minor unit; shipping is not refunded by a return.
    expect(Number((await payment(o.id))?.captured_amount) - paid).toBe(o.totals.total.amount - paid);
    expect(await refunds(o.id)).toEqual([
      [Math.floor(paid / 3), `return:${r1.id}`],
      [paid - Math.floor(paid / 3), `return:${r2.id}`],
    ]);
    expect(await logTypes(o.id)).toEqual(
      expect.arrayContaining(['return_requested', 'return_received', 'returned', 'partially_refunded']),
    );
    expect((await logTypes(o.id)).filter((type) => type === 'refunded')).toHaveLength(full ? 1 : 0);

    // Listed for the guest (oldest first) and for staff; a received return cannot be decided again.
    const mine = await t.http.inject({
      method: 'GET',
      url: `/v1/orders/${o.id}/returns`,
      headers: { 'x-order-token': o.orderToken },
    });
    expect(mine.json().items.map((r: { id: string; status: string }) => [r.id, r.status])).toEqual([
      [r1.id, 'received'],
      [r2.id, 'received'],
    ]);
    const again = await decide(r1.id, 'receive');
    expect([again.statusCode, again.json().code]).toEqual([409, 'orders.return_decided']);
    const staffList = await t.http.inject({
      method: 'GET',
      url: '/v1/admin/returns?status=received&limit=100',
      headers: staff.headers,
    });
    expect(staffList.json().items.map((r: { id: string }) => r.id)).toEqual(expect.arrayContaining([r1.id, r2.id]));
  });

  it('[REQ-ORD-016] refused requests answer with a code and claim nothing', async () => {
    const notShipped = await (async () => {
      const cart = await readyCart(t, lamp.variantId, { quantity: 1 });
      const res = await t.http.inject({
        method: 'POST',
        url: '/v1/orders',
        headers: { ...cart.headers, 'idempotency-key': randomUUID() },
        payload: { cartId: cart.id, payment: { provider: 'sandbox', token: 'tok_visa' } },
      });
      return res.json() as Order;
    })();
    const early = await ask(notShipped, [{ variantId: lamp.variantId, quantity: 1 }]);
    expect([early.statusCode, early.json().code]).toEqual([409, 'orders.not_returnable']);

    const o = await deliveredOrder(2, { bulbs: 1 });
    const cases: [unknown, Record<string, string> | undefined, number, string][] = [
      [[{ variantId: lamp.variantId, quantity: 3 }], undefined, 409, 'orders.over_return'],
      [
        [
          { variantId: lamp.variantId, quantity: 1 },
          { variantId: lamp.variantId, quantity: 2 },
        ],
        undefined,
        409,
        'orders.over_return',
      ],
      [[{ variantId: 'var_not_in_order', quantity: 1 }], undefined, 422, 'orders.unknown_item'],
      [[{ variantId: lamp.variantId, quantity: 0 }], undefined, 400, 'request.validation_failed'],
      [[], undefined, 400, 'request.validation_failed'],
      [[{ variantId: lamp.variantId, quantity: 1 }], {}, 404, 'orders.not_found'],
      [[{ variantId: lamp.variantId, quantity: 1 }], { 'x-order-token': 'wrong' }, 404, 'orders.not_found'],
      [[{ variantId: lamp.variantId, quantity: 1 }], (await registerCustomer(t)).headers, 404, 'orders.not_found'],
    ];
    for (const [items, headers, status, code] of cases) {
      const res = await ask(o, items as { variantId: string; quantity: number }[], headers);
      expect([res.statusCode, res.json().code]).toEqual([status, code]);
    }
    expect((await orderOf(o.id)).items.map((l) => l.returnedQuantity)).toEqual([0, 0]);
    expect(await logTypes(o.id)).not.toContain('return_requested');
    const missing = await decide('ret_missing', 'receive');
    expect([missing.statusCode, missing.json().code]).toEqual([404, 'orders.return_not_found']);

    // A rejected return refunds nothing and frees its units; the order's status does not change.
    const both = await ask(o, [
      { variantId: lamp.variantId, quantity: 2 },
      { variantId: bulb.variantId, quantity: 1 },
    ]);
    expect(both.statusCode).toBe(201);
    const rejected = await decide(both.json().id, 'reject', { note: 'worn' });
    expect(rejected.json()).toMatchObject({ status: 'rejected', refund: { amount: 0 }, note: 'worn' });
    expect((await orderOf(o.id)).items.map((l) => l.returnedQuantity)).toEqual([0, 0]);
    expect((await ask(o, [{ variantId: lamp.variantId, quantity: 2 }])).statusCode).toBe(201);
    expect((await orderOf(o.id)).status).toBe('delivered');
    expect(await refunds(o.id)).toEqual([]);
  });

  it('[REQ-ORD-016] 10 concurrent requests for 1 of 4 shipped units: 4 claimed; 5 concurrent receipts of one return: one refund', async () => {
    const o = await deliveredOrder(4, { deliver: false });
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => ask(o, [{ variantId: lamp.variantId, quantity: 1 }])),
    );
    const codes = answers.map((r) => r.statusCode).sort();
    expect(codes).toEqual([201, 201, 201, 201, 409, 409, 409, 409, 409, 409]);
    for (const r of answers.filter((a) => a.statusCode === 409)) expect(r.json().code).toBe('orders.over_return');
    expect((await orderOf(o.id)).items[0]?.returnedQuantity).toBe(4);

    const id = (answers.find((a) => a.statusCode === 201)?.json() as { id: string } | undefined)?.id ?? '';
    const receipts = await Promise.all(Array.from({ length: 5 }, () => decide(id, 'receive')));
    expect(receipts.map((r) => r.statusCode).sort()).toEqual([200, 409, 409, 409, 409]);
    const paid = paidFor(o.items[0] as Order['items'][number]);
    await waitFor(async () => (await refunds(o.id)).length === 1);
    expect(await refunds(o.id)).toEqual([[Math.floor(paid / 4), `return:${id}`]]);
  });
});
