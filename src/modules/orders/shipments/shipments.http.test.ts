import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asCustomer, asStaff } from '../../../../test/support/fake-auth.ts';
import {
  level,
  type OrdersHarness,
  paymentOf,
  placeOrder,
  q,
  snapshot,
  startOrdersHarness,
  stock,
  uid,
  waitFor,
} from '../../../../test/support/orders-harness.ts';

let h: OrdersHarness;
beforeAll(async () => {
  h = await startOrdersHarness({ capture: 'shipment' });
});
afterAll(async () => {
  await h?.close();
});

const STAFF = asStaff('orders:manage', 'orders:read');

/** A customer's order of `qty` units, placed with capture at shipment and settled after the pivot. */
async function placed(qty = 3) {
  const user = uid('usr');
  const v = uid('var');
  await stock(h, v, 10);
  const s = snapshot({ variantId: v, userId: user, qty });
  h.cart.put(s);
  const res = await placeOrder(h, s.cartId, { headers: asCustomer(user) });
  expect(res.statusCode).toBe(201);
  const id = res.json().id as string;
  // Post-pivot work is done (stock committed, cart completed) while the authorization stays open.
  await waitFor(async () => (await level(h, v))?.onHand === 10 - qty);
  await waitFor(async () => h.cart.completed(s.cartId) === id);
  return { id, variantId: v, user, body: res.json() };
}

const ship = (id: string, payload: unknown, headers: Record<string, string> = STAFF) =>
  h.t.http.inject({ method: 'POST', url: `/v1/admin/orders/${id}/shipments`, headers, payload: payload as object });

const captures = async (paymentId: string | undefined) =>
  (
    await q<{ n: number }>(
      h,
      sql`select count(*)::int as n from platform.outbox where type = 'payments.payment.captured' and aggregate_id = ${paymentId ?? ''}`,
    )
  )[0]?.n;

const shipped = async (id: string) =>
  q<{ shipped_quantity: number }>(h, sql`select shipped_quantity from orders.order_lines where order_id = ${id}`);

describe('shipments and capture at shipment (PAYMENT_CAPTURE=shipment)', () => {
  it('[REQ-ORD-010] the order stays pending with the payment authorized until the first shipment captures it', async () => {
    const o = await placed(3);
    expect(o.body.status).toBe('pending');
    expect(o.body.payment).toEqual({ status: 'authorized' });
    expect(o.body.items[0].shippedQuantity).toBe(0);
    expect((await h.orders.orders.row(o.id))?.status).toBe('pending');
    expect((await paymentOf(h, o.id))?.status).toBe('authorized');

    const first = await ship(o.id, { items: [{ variantId: o.variantId, quantity: 1 }], carrier: 'DHL' });
    expect(first.statusCode).toBe(201);
    expect(first.json()).toMatchObject({
      orderId: o.id,
      orderStatus: 'partially_shipped',
      items: [{ variantId: o.variantId, quantity: 1 }],
      carrier: 'DHL',
      trackingNumber: null,
    });
    expect(first.json().id).toMatch(/^shp_/);
    const payment = await paymentOf(h, o.id);
    expect(payment?.status).toBe('captured');
    expect(payment?.capturedAmount).toBe(o.body.totals.total.amount);

    const rest = await ship(o.id, { trackingNumber: 'TRK-1' });
    expect(rest.statusCode).toBe(201);
    expect(rest.json()).toMatchObject({ orderStatus: 'shipped', items: [{ variantId: o.variantId, quantity: 2 }] });

    const read = await h.t.http.inject({
      method: 'GET',
      url: `/v1/orders/${o.id}`,
      headers: asCustomer(o.user),
    });
    expect(read.json()).toMatchObject({ status: 'shipped', payment: { status: 'captured' } });
    expect(read.json().items[0].shippedQuantity).toBe(3);
    expect(await captures(payment?.id)).toBe(1);
    expect((await h.orders.orders.events(o.id)).map((e) => [e.type, e.from_status, e.to_status])).toEqual([
      ['placed', null, 'pending'],
      ['paid', 'pending', 'paid'],
      ['shipped', 'paid', 'partially_shipped'],
      ['shipped', 'partially_shipped', 'shipped'],
    ]);
    const types = await q<{ type: string }>(
      h,
      sql`select type from platform.outbox where aggregate_id = ${o.id} and type like 'orders.%' order by seq`,
    );
    expect(types.map((t) => t.type)).toEqual([
      'orders.order.placed',
      'orders.order.paid',
      'orders.order.shipped',
      'orders.order.shipped',
    ]);
    const list = await h.t.http.inject({ method: 'GET', url: `/v1/admin/orders/${o.id}/shipments`, headers: STAFF });
    expect(list.json().items.map((s: { items: unknown }) => s.items)).toEqual([
      [{ variantId: o.variantId, quantity: 1 }],
      [{ variantId: o.variantId, quantity: 2 }],
    ]);
  });

  it('[REQ-ORD-011] bad shipments are refused and change nothing: over-shipment, unknown item, a shipped order, strangers', async () => {
    const o = await placed(2);
    const over = await ship(o.id, { items: [{ variantId: o.variantId, quantity: 3 }] });
    expect(over.statusCode).toBe(409);
    expect(over.json().code).toBe('orders.over_shipment');
    const unknown = await ship(o.id, { items: [{ variantId: 'var_nope', quantity: 1 }] });
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json().code).toBe('orders.unknown_item');
    const bad = await ship(o.id, { items: [{ variantId: o.variantId, quantity: 0 }] });
    expect(bad.statusCode).toBe(400);
    const customer = await ship(o.id, {}, asCustomer(o.user));
    expect(customer.statusCode).toBe(403);
    expect((await ship('ord_missing', {})).json().code).toBe('orders.not_found');
    // The over-shipment captured (it got past validation) but shipped nothing.
    expect(await shipped(o.id)).toEqual([{ shipped_quantity: 0 }]);
    expect((await h.orders.orders.row(o.id))?.status).toBe('paid');
    expect(await q(h, sql`select id from orders.shipments where order_id = ${o.id}`)).toEqual([]);

    expect((await ship(o.id, {})).statusCode).toBe(201);
    const again = await ship(o.id, {});
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('orders.invalid_transition'); // shipped: nothing is left to ship
    expect(await shipped(o.id)).toEqual([{ shipped_quantity: 2 }]);
  });

  it('[REQ-ORD-011] a cancelled order does not ship; its authorization is voided, nothing captured', async () => {
    const o = await placed(1);
    const cancel = await h.t.http.inject({
      method: 'POST',
      url: `/v1/orders/${o.id}/cancel`,
      headers: asCustomer(o.user),
      payload: {},
    });
    expect(cancel.statusCode).toBe(200);
    const res = await ship(o.id, {});
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('orders.invalid_transition');
    await waitFor(async () => (await paymentOf(h, o.id))?.status === 'voided');
    // The order shows it too (the cancel's subscriber writes it once the void is through).
    const read = () => h.t.http.inject({ method: 'GET', url: `/v1/orders/${o.id}`, headers: asCustomer(o.user) });
    await waitFor(async () => (await read()).json().payment.status === 'voided');
    expect(await shipped(o.id)).toEqual([{ shipped_quantity: 0 }]);
    expect(await captures((await paymentOf(h, o.id))?.id)).toBe(0);
  });

  it('[REQ-ORD-012] 12 concurrent one-unit shipments of a 4-unit line: exactly 4 ship, one capture, order shipped', async () => {
    const o = await placed(4);
    const results = await Promise.all(
      Array.from({ length: 12 }, () => ship(o.id, { items: [{ variantId: o.variantId, quantity: 1 }] })),
    );
    const codes = results.map((r) => r.statusCode).sort();
    expect(codes.filter((c) => c === 201)).toHaveLength(4);
    expect(codes.filter((c) => c === 409)).toHaveLength(8);
    for (const r of results.filter((x) => x.statusCode === 409)) {
      expect(['orders.over_shipment', 'orders.invalid_transition']).toContain(r.json().code);
    }
    expect(await shipped(o.id)).toEqual([{ shipped_quantity: 4 }]);
    expect((await h.orders.orders.row(o.id))?.status).toBe('shipped');
    expect(await q(h, sql`select id from orders.shipments where order_id = ${o.id}`)).toHaveLength(4);
    expect(await captures((await paymentOf(h, o.id))?.id)).toBe(1);
  });

  it('[REQ-ORD-012] a retried shipment with the same Idempotency-Key ships once', async () => {
    const o = await placed(2);
    const headers = { ...STAFF, 'idempotency-key': uid('key') };
    const payload = { items: [{ variantId: o.variantId, quantity: 1 }] };
    const [a, b] = [await ship(o.id, payload, headers), await ship(o.id, payload, headers)];
    expect(a.statusCode).toBe(201);
    expect(b.statusCode).toBe(201);
    expect(b.json().id).toBe(a.json().id);
    expect(await shipped(o.id)).toEqual([{ shipped_quantity: 1 }]);
  });
});
