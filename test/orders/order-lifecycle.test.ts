// The order after payment, through the real modules over HTTP (PGlite, or PostgreSQL in CI): shipments and their
// tracking (PATCH /v1/admin/shipments/{id}) up to delivered, and refunds showing on the order.
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStaff, registerCustomer, type TestIdentity } from '../support/auth.ts';
import { createVariant, readyCart, type TestVariant } from '../support/cart.ts';
import { createTestApp, type TestApp } from '../support/create-test-app.ts';

let t: TestApp;
let staff: TestIdentity;
let mug: TestVariant;

beforeAll(async () => {
  t = await createTestApp();
  staff = await createStaff(t, 'admin');
  mug = await createVariant(t, staff, { price: 1200, stock: 10_000 });
}, 60_000);
afterAll(async () => {
  await t?.close();
});

interface Order {
  id: string;
  status: string;
  orderToken: string;
  totals: { total: { amount: number } };
}

async function paidOrder(quantity = 3): Promise<Order> {
  const cart = await readyCart(t, mug.variantId, { quantity });
  const res = await t.http.inject({
    method: 'POST',
    url: '/v1/orders',
    headers: { ...cart.headers, 'idempotency-key': randomUUID() },
    payload: { cartId: cart.id, payment: { provider: 'sandbox', token: 'tok_visa' } },
  });
  expect(res.statusCode).toBe(201);
  const order = res.json() as Order;
  expect(order.status).toBe('paid');
  return order;
}

const ship = (orderId: string, quantity?: number) =>
  t.http.inject({
    method: 'POST',
    url: `/v1/admin/orders/${orderId}/shipments`,
    headers: staff.headers,
    payload: quantity ? { items: [{ variantId: mug.variantId, quantity }], carrier: 'DHL' } : {},
  });
const track = (shipmentId: string, payload: object, headers: Record<string, string> = staff.headers) =>
  t.http.inject({ method: 'PATCH', url: `/v1/admin/shipments/${shipmentId}`, headers, payload });
const statusOf = async (id: string) =>
  (await t.http.inject({ method: 'GET', url: `/v1/orders/${id}`, headers: staff.headers })).json().status as string;
const log = async (id: string) =>
  (
    await sql<{ type: string; to_status: string | null }>`select type, to_status from orders.order_events
      where order_id = ${id} order by seq`.execute(t.kernel.db.k)
  ).rows;
const outbox = async (id: string, type: string) =>
  Number(
    (
      await sql<{ n: string }>`select count(*) as n from platform.outbox
        where aggregate_id = ${id} and type = ${type}`.execute(t.kernel.db.k)
    ).rows[0]?.n,
  );
const refund = (orderId: string, amount?: number) =>
  t.http.inject({
    method: 'POST',
    url: `/v1/admin/orders/${orderId}/refunds`,
    headers: { ...staff.headers, 'idempotency-key': randomUUID() },
    payload: amount ? { amount, reason: 'test' } : { reason: 'test' },
  });

/** True once every `payments.payment.refunded` event of the order's payment has reached its subscribers. */
const refundsHandled = async (orderId: string) =>
  (
    await sql<{ done: boolean }>`select count(*) > 0 and bool_and(o.published_at is not null and not exists (
        select 1 from platform.event_deliveries d where d.event_id = o.id)) as done
      from platform.outbox o join payments.payments p on p.id = o.aggregate_id
      where p.order_id = ${orderId} and o.type = 'payments.payment.refunded'`.execute(t.kernel.db.k)
  ).rows[0]?.done === true;

async function waitFor(check: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('order lifecycle after payment [REQ-ORD-013] [REQ-ORD-014]', () => {
  it('[REQ-ORD-013] two shipments tracked to delivered: the order is delivered when the last one is', async () => {
    const order = await paidOrder(3);
    const first = await ship(order.id, 1);
    expect(first.json()).toMatchObject({ orderStatus: 'partially_shipped', status: 'shipped', deliveredAt: null });
    const second = await ship(order.id);
    expect(second.json().orderStatus).toBe('shipped');
    const [a, b] = [first.json().id as string, second.json().id as string];

    const inTransit = await track(a, { status: 'in_transit', trackingNumber: '00340434161094042557' });
    expect(inTransit.statusCode).toBe(200);
    expect(inTransit.json()).toMatchObject({
      status: 'in_transit',
      carrier: 'DHL',
      trackingNumber: '00340434161094042557',
    });
    const aDelivered = await track(a, { status: 'delivered' });
    expect(aDelivered.json()).toMatchObject({ status: 'delivered', orderStatus: 'shipped' });
    expect(aDelivered.json().deliveredAt).toEqual(expect.any(String));
    expect(await statusOf(order.id)).toBe('shipped');

    // A carrier repeating itself changes nothing (not even deliveredAt); going backwards is refused.
    const again = await track(a, { status: 'delivered' });
    expect(again.statusCode).toBe(200);
    expect(again.json().deliveredAt).toBe(aDelivered.json().deliveredAt);
    const back = await track(a, { status: 'in_transit' });
    expect(back.statusCode).toBe(409);
    expect(back.json().code).toBe('orders.shipment_status_backwards');

    const bDelivered = await track(b, { status: 'delivered' });
    expect(bDelivered.json()).toMatchObject({ status: 'delivered', orderStatus: 'delivered' });
    expect(await statusOf(order.id)).toBe('delivered');
    const list = await t.http.inject({
      method: 'GET',
      url: `/v1/admin/orders/${order.id}/shipments`,
      headers: staff.headers,
    });
    expect(list.json().items.map((s: { status: string }) => s.status)).toEqual(['delivered', 'delivered']);
    const entries = await log(order.id);
    expect(entries.filter((e) => e.type === 'shipment_updated')).toHaveLength(3);
    expect(entries.filter((e) => e.type === 'delivered')).toEqual([{ type: 'delivered', to_status: 'delivered' }]);
    expect(await outbox(order.id, 'orders.order.delivered')).toBe(1);
    expect(await outbox(order.id, 'orders.shipment.updated')).toBe(3);
  });

  it('[REQ-ORD-013] refused updates answer with a code and change nothing', async () => {
    const order = await paidOrder(1);
    const s = (await ship(order.id)).json();
    const before = await log(order.id);
    const customer = await registerCustomer(t);
    const cases: [object, Record<string, string>, number, string][] = [
      [{}, staff.headers, 400, 'request.validation_failed'],
      [{ status: 'shipped' }, staff.headers, 400, 'request.validation_failed'],
      [{ status: 'lost' }, staff.headers, 400, 'request.validation_failed'],
      [{ status: 'delivered', extra: 1 }, staff.headers, 400, 'request.validation_failed'],
      [{ status: 'delivered' }, customer.headers, 403, 'auth.forbidden'],
      [{ status: 'delivered' }, {}, 401, 'auth.unauthorized'],
    ];
    for (const [body, headers, status, code] of cases) {
      const res = await track(s.id, body, headers);
      expect([res.statusCode, res.json().code]).toEqual([status, code]);
    }
    const missing = await track('shp_nope', { status: 'delivered' });
    expect([missing.statusCode, missing.json().code]).toEqual([404, 'orders.shipment_not_found']);
    expect(await log(order.id)).toEqual(before);
    expect(await statusOf(order.id)).toBe('shipped');
  });

  it('[REQ-ORD-013] every shipment of an order delivered at the same moment: the order is delivered, once', async () => {
    const orders = await Promise.all(Array.from({ length: 6 }, () => paidOrder(4)));
    const shipments: string[][] = [];
    for (const o of orders) {
      const ids: string[] = [];
      for (let i = 0; i < 4; i++) ids.push((await ship(o.id, 1)).json().id);
      shipments.push(ids);
    }
    const answers = await Promise.all(shipments.flat().map((id) => track(id, { status: 'delivered' })));
    expect(answers.map((r) => r.statusCode)).toEqual(answers.map(() => 200));
    for (const o of orders) {
      expect(await statusOf(o.id)).toBe('delivered');
      expect(await outbox(o.id, 'orders.order.delivered')).toBe(1);
    }
  });

  it('[REQ-ORD-014] refunds show on the order: partial after delivery, then full; a goodwill refund before shipping does not block it', async () => {
    const order = await paidOrder(2);
    const s = (await ship(order.id)).json();
    await track(s.id, { status: 'delivered' });
    const total = order.totals.total.amount;
    expect((await refund(order.id, 500)).statusCode).toBe(201);
    await waitFor(async () => (await statusOf(order.id)) === 'partially_refunded');
    expect((await refund(order.id)).statusCode).toBe(201);
    await waitFor(async () => (await statusOf(order.id)) === 'refunded');
    const read = await t.http.inject({ method: 'GET', url: `/v1/orders/${order.id}`, headers: staff.headers });
    expect(read.json().payment.status).toBe('refunded');
    expect(await outbox(order.id, 'orders.order.partially_refunded')).toBe(1);
    expect(await outbox(order.id, 'orders.order.refunded')).toBe(1);
    expect(total).toBeGreaterThan(500);

    // Goodwill before shipping: the payment is partially refunded, the order stays paid and still ships.
    const other = await paidOrder(1);
    expect((await refund(other.id, 100)).statusCode).toBe(201);
    await waitFor(() => refundsHandled(other.id));
    expect(await statusOf(other.id)).toBe('paid');
    expect(await outbox(other.id, 'orders.order.partially_refunded')).toBe(0);
    expect((await ship(other.id)).json().orderStatus).toBe('shipped');

    // A cancelled order refunded in full stays cancelled.
    const cancelled = await paidOrder(1);
    const c = await t.http.inject({
      method: 'POST',
      url: `/v1/orders/${cancelled.id}/cancel`,
      headers: staff.headers,
      payload: { reason: 'test' },
    });
    expect(c.json().status).toBe('cancelled');
    await waitFor(() => refundsHandled(cancelled.id));
    expect(await statusOf(cancelled.id)).toBe('cancelled');
    expect(await outbox(cancelled.id, 'orders.order.refunded')).toBe(0);
    // …and shows its payment refunded, to staff and to the guest holding the order token.
    const byStaff = await t.http.inject({ method: 'GET', url: `/v1/orders/${cancelled.id}`, headers: staff.headers });
    expect(byStaff.json().payment).toEqual({ status: 'refunded' });
    const byGuest = await t.http.inject({
      method: 'GET',
      url: `/v1/orders/${cancelled.id}`,
      headers: { 'x-order-token': cancelled.orderToken },
    });
    expect(byGuest.json()).toMatchObject({ status: 'cancelled', payment: { status: 'refunded' } });
    expect((await log(cancelled.id)).map((e) => e.to_status)).toEqual(['pending', 'paid', 'cancelled']);
  });
});

describe('the cart after checkout [REQ-CHK-019]', () => {
  it('[REQ-CHK-019] the 201 comes with the cart already completed: a customer’s next cart, asked for at once, is a new one', async () => {
    const customer = await registerCustomer(t);
    for (let i = 0; i < 3; i++) {
      const cart = await readyCart(t, mug.variantId, { auth: customer.headers });
      const res = await t.http.inject({
        method: 'POST',
        url: '/v1/orders',
        headers: { ...cart.headers, 'idempotency-key': randomUUID() },
        payload: { cartId: cart.id, payment: { provider: 'sandbox', token: 'tok_visa' } },
      });
      expect(res.statusCode).toBe(201);
      const state = await sql<{ status: string; order_id: string | null }>`select status, order_id from cart.carts
        where id = ${cart.id}`.execute(t.kernel.db.k);
      expect(state.rows[0]).toEqual({ status: 'completed', order_id: res.json().id });
      const next = await t.http.inject({
        method: 'POST',
        url: '/v1/carts',
        headers: customer.headers,
        payload: { currency: 'EUR' },
      });
      expect(next.json().id).not.toBe(cart.id);
    }
  });
});
