import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asCustomer, asStaff } from '../../../../test/support/fake-auth.ts';
import {
  guestCart,
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
import { statementsOf } from '../../../../test/support/query-cost.ts';
import { ORDER_STATUSES } from '../contract.ts';
import { CUSTOMER_CANCELLABLE, canTransition, TRANSITIONS } from './state.ts';

let h: OrdersHarness;
beforeAll(async () => {
  h = await startOrdersHarness();
});
afterAll(async () => {
  await h?.close();
});

async function customerOrder(userId: string, opts: { settle?: boolean } = {}) {
  const v = uid('var');
  await stock(h, v, 5);
  const s = snapshot({ variantId: v, userId });
  h.cart.put(s);
  const res = await placeOrder(h, s.cartId, { headers: asCustomer(userId) });
  expect(res.statusCode).toBe(201);
  const id = res.json().id as string;
  if (opts.settle !== false) {
    await waitFor(async () => (await h.orders.orders.row(id))?.status === 'paid');
    await waitFor(async () => (await level(h, v))?.reserved === 0); // the commit subscriber ran too
  }
  return { id, variantId: v, body: res.json() };
}

const get = (id: string, headers: Record<string, string> = {}) =>
  h.t.http.inject({ method: 'GET', url: `/v1/orders/${id}`, headers });

describe('orders', () => {
  it('[REQ-ORD-001] the state machine is an explicit table over the nine statuses; terminal ones go nowhere', () => {
    expect(Object.keys(TRANSITIONS).sort()).toEqual([...ORDER_STATUSES].sort());
    expect(TRANSITIONS.cancelled).toEqual([]);
    expect(TRANSITIONS.refunded).toEqual([]);
    expect(canTransition('pending', 'paid')).toBe(true);
    expect(canTransition('delivered', 'cancelled')).toBe(false);
    expect(CUSTOMER_CANCELLABLE).toEqual(['pending', 'paid']);
  });

  it('[REQ-ORD-002] order numbers are sequential', async () => {
    const a = await customerOrder(uid('usr'), { settle: false });
    const b = await customerOrder(uid('usr'), { settle: false });
    expect(Number(b.body.number)).toBe(Number(a.body.number) + 1);
  });

  it('[REQ-ORD-003] GET: the owner, a guest with the order token and staff with orders:read see it; others get 404', async () => {
    const user = uid('usr');
    const { id } = await customerOrder(user);
    expect((await get(id, asCustomer(user))).statusCode).toBe(200);
    expect((await get(id, asStaff('orders:read'))).json().id).toBe(id);
    expect((await get(id, asCustomer(uid('usr')))).statusCode).toBe(404);
    expect((await get(id, asStaff('catalog:read'))).statusCode).toBe(404);
    expect((await get(id)).json().code).toBe('orders.not_found');

    const v = uid('var');
    await stock(h, v, 1);
    const { cartId, token } = guestCart(h, snapshot({ variantId: v }));
    const placed = (await placeOrder(h, cartId, { token })).json();
    expect((await get(placed.id, { 'x-order-token': placed.orderToken })).json().id).toBe(placed.id);
    expect((await get(placed.id, { 'x-order-token': 'guess' })).statusCode).toBe(404);
    // The order and its lines are one statement (its data key is in this process's cache by now).
    const read = await statementsOf(async () => {
      const res = await get(placed.id, { 'x-order-token': placed.orderToken });
      expect(res.json().items).toHaveLength(1);
    });
    expect(read).toBe(1);
  });

  it('[REQ-ORD-004] list: customers only ever see their own; staff filter by user and status', async () => {
    const user = uid('usr');
    const a = await customerOrder(user);
    const b = await customerOrder(user);
    await customerOrder(uid('usr'));
    const mine = await h.t.http.inject({
      method: 'GET',
      url: `/v1/orders?userId=${uid('usr')}&limit=1`,
      headers: asCustomer(user),
    });
    expect(mine.statusCode).toBe(200);
    expect(mine.json().items.map((o: { id: string }) => o.id)).toEqual([b.id]);
    const next = await h.t.http.inject({
      method: 'GET',
      url: `/v1/orders?cursor=${mine.json().nextCursor}`,
      headers: asCustomer(user),
    });
    expect(next.json().items.map((o: { id: string }) => o.id)).toEqual([a.id]);
    expect(next.json().nextCursor).toBeNull();
    const staff = await h.t.http.inject({
      method: 'GET',
      url: `/v1/orders?userId=${user}&status=paid`,
      headers: asStaff('orders:read'),
    });
    expect(staff.json().items.map((o: { id: string }) => o.id)).toEqual([b.id, a.id]);
    expect((await h.t.http.inject({ method: 'GET', url: '/v1/orders' })).statusCode).toBe(401);
  });

  it('[REQ-ORD-005] [REQ-ORD-010] a customer cancels a paid order: refunded, logged, event published; a second cancel → 409', async () => {
    const user = uid('usr');
    const { id } = await customerOrder(user);
    const res = await h.t.http.inject({
      method: 'POST',
      url: `/v1/orders/${id}/cancel`,
      headers: asCustomer(user),
      payload: { reason: 'changed my mind' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().status).toBe('cancelled');
    await waitFor(async () => (await paymentOf(h, id))?.status === 'refunded');
    // The order shows the refund too (written by the cancel's subscriber, like the refund itself).
    await waitFor(async () => (await get(id, asCustomer(user))).json().payment.status === 'refunded');
    expect(
      (await h.orders.orders.events(id)).map((e) => [e.type, e.from_status, e.to_status, e.actor.split(':')[0]]),
    ).toEqual([
      ['placed', null, 'pending', 'customer'],
      ['paid', 'pending', 'paid', 'system'],
      ['cancelled', 'paid', 'cancelled', 'customer'],
    ]);
    const types = await q<{ type: string }>(
      h,
      sql`select type from platform.outbox where aggregate_id = ${id} and type like 'orders.%' order by seq`,
    );
    expect(types.map((t) => t.type)).toEqual(['orders.order.placed', 'orders.order.paid', 'orders.order.cancelled']);
    const again = await h.t.http.inject({
      method: 'POST',
      url: `/v1/orders/${id}/cancel`,
      headers: asCustomer(user),
      payload: {},
    });
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('orders.invalid_transition');
  });

  it('[REQ-ORD-005] cancelling an order whose stock was committed puts the units back on hand (ledger rows, once)', async () => {
    const user = uid('usr');
    const { id } = await customerOrder(user);
    const key = `checkout:${id}`;
    const status = async () =>
      (await q<{ status: string }>(h, sql`select status from inventory.reservations where key = ${key}`))[0]?.status;
    await waitFor(async () => (await status()) === 'committed');
    const res = await h.t.http.inject({
      method: 'POST',
      url: `/v1/orders/${id}/cancel`,
      headers: asCustomer(user),
      payload: { reason: 'changed my mind' },
    });
    expect(res.statusCode).toBe(200);
    const ledger = () =>
      q<{ kind: string; quantity: number }>(
        h,
        sql`select m.kind, m.quantity from inventory.movements m join inventory.reservations r on r.id = m.reservation_id
            where r.key = ${key} order by m.kind`,
      );
    await waitFor(async () => (await ledger()).some((m) => m.kind === 'adjust'));
    const rows = await ledger();
    expect(rows.map((m) => m.kind)).toEqual(['adjust', 'commit']);
    expect(rows.reduce((s, m) => s + m.quantity, 0)).toBe(0);
    // A second restock (a redelivered event) adds nothing.
    await h.t.inventory.api.restock({ requestId: 't', actor: { kind: 'system', name: 'test' } }, key);
    expect(await ledger()).toEqual(rows);
  });

  it('[REQ-ORD-005] a cancel that released the stock before the commit subscriber ran leaves nothing to commit', async () => {
    const v = uid('var');
    await stock(h, v, 3);
    const sys = { requestId: 't', actor: { kind: 'system' as const, name: 'test' } };
    const key = `race:${v}`;
    await h.inventory.api.reserve(sys, { key, lines: [{ variantId: v, quantity: 2 }] });
    await h.inventory.api.release(sys, key);
    const commit = h.orders.definition.subscribers?.find((x) => x.name === 'orders.commit_reservation');
    const event = { type: 'orders.order.placed', aggregateId: 'ord_x', payload: { reservationKey: key } };
    await expect(commit?.handle(event as never)).resolves.toBeUndefined();
    const r = await q<{ status: string }>(h, sql`select status from inventory.reservations where key = ${key}`);
    expect(r).toEqual([{ status: 'released' }]);
  });

  it('[REQ-ORD-006] a customer cannot cancel after shipment; staff can; strangers get 404 and nothing changes', async () => {
    const user = uid('usr');
    const { id } = await customerOrder(user);
    await h.orders.orders.transition({ requestId: 't', actor: { kind: 'system', name: 'test' } }, id, 'shipped');
    const stranger = await h.t.http.inject({
      method: 'POST',
      url: `/v1/orders/${id}/cancel`,
      headers: asCustomer(uid('usr')),
      payload: {},
    });
    expect(stranger.statusCode).toBe(404);
    const customer = await h.t.http.inject({
      method: 'POST',
      url: `/v1/orders/${id}/cancel`,
      headers: asCustomer(user),
      payload: {},
    });
    expect(customer.statusCode).toBe(409);
    expect((await h.orders.orders.row(id))?.status).toBe('shipped');
    const staff = await h.t.http.inject({
      method: 'POST',
      url: `/v1/orders/${id}/cancel`,
      headers: asStaff('orders:read', 'orders:manage'),
      payload: { reason: 'lost in transit' },
    });
    expect(staff.statusCode).toBe(200);
    expect(staff.json().status).toBe('cancelled');
  });

  it('[REQ-ORD-005] 12 concurrent cancels of one order (customer and staff): one 200, eleven 409, one log entry, one event, one refund', async () => {
    const user = uid('usr');
    const { id } = await customerOrder(user);
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        h.t.http.inject({
          method: 'POST',
          url: `/v1/orders/${id}/cancel`,
          headers: i % 3 ? asCustomer(user) : asStaff('orders:read', 'orders:manage'),
          payload: { reason: `race ${i}` },
        }),
      ),
    );
    const statuses = results.map((r) => r.statusCode).sort();
    expect(statuses).toEqual([200, ...Array(11).fill(409)]);
    expect(
      results.filter((r) => r.statusCode === 409).every((r) => r.json().code === 'orders.invalid_transition'),
    ).toBe(true);
    await waitFor(async () => (await paymentOf(h, id))?.status === 'refunded');
    const log = (await h.orders.orders.events(id)).filter((e) => e.type === 'cancelled');
    expect(log).toHaveLength(1);
    expect(log[0]?.from_status).toBe('paid');
    const events = await q<{ n: number }>(
      h,
      sql`select count(*)::int as n from platform.outbox where aggregate_id = ${id} and type = 'orders.order.cancelled'`,
    );
    expect(events[0]?.n).toBe(1);
    const refunds = await q<{ n: number }>(
      h,
      sql`select count(*)::int as n from payments.refunds r join payments.payments p on p.id = r.payment_id
        where p.order_id = ${id}`,
    );
    expect(refunds[0]?.n).toBe(1);
  });

  it('[REQ-ORD-007] the event log rebuilds the order status', async () => {
    const user = uid('usr');
    const { id, variantId } = await customerOrder(user);
    const log = await h.orders.orders.events(id);
    expect(log.at(-1)?.to_status).toBe((await h.orders.orders.row(id))?.status);
    expect(await level(h, variantId)).toEqual({ onHand: 4, reserved: 0 });
  });
});
