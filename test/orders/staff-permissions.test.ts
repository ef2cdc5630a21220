// Staff are judged by their permissions on the routes a buyer may also call, never as a buyer: with real staff roles
// over REST and GraphQL, a support agent (orders:read) or a read-only API key may read an order but neither cancel it
// (which refunds it) nor ask for a return of it — 403 auth.forbidden, and the order, its payment, its log and the
// outbox stay as they were; orders:manage may. Carts and address books stay their owners' whatever the staff role.
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStaff, registerCustomer, type TestIdentity } from '../support/auth.ts';
import { createVariant, readyCart, type TestVariant } from '../support/cart.ts';
import { createTestApp, type TestApp } from '../support/create-test-app.ts';
import { graphql } from '../support/graphql.ts';

let t: TestApp;
let admin: TestIdentity;
let support: TestIdentity;
let catalogManager: TestIdentity;
let orderManager: TestIdentity;
let readKey: { authorization: string };
let lamp: TestVariant;

beforeAll(async () => {
  t = await createTestApp();
  admin = await createStaff(t, 'admin');
  support = await createStaff(t, 'support');
  catalogManager = await createStaff(t, 'catalog_manager');
  orderManager = await createStaff(t, 'order_manager');
  const key = await t.http.inject({
    method: 'POST',
    url: '/v1/admin/api-keys',
    headers: admin.headers,
    payload: { name: 'order reader', permissions: ['orders:read'] },
  });
  expect(key.statusCode).toBe(201);
  readKey = { authorization: `Bearer ${key.json().key}` };
  lamp = await createVariant(t, admin, { price: 2500, stock: 1000 });
}, 60_000);
afterAll(async () => {
  await t?.close();
});

interface Order {
  id: string;
  status: string;
  orderToken: string;
  items: { variantId: string; returnedQuantity: number }[];
}

/** A guest's paid order (shipped when asked), settled: nothing of the checkout is still moving. */
async function guestOrder(opts: { ship?: boolean } = {}): Promise<Order> {
  const cart = await readyCart(t, lamp.variantId, { quantity: 2 });
  const res = await t.http.inject({
    method: 'POST',
    url: '/v1/orders',
    headers: { ...cart.headers, 'idempotency-key': randomUUID() },
    payload: { cartId: cart.id, payment: { provider: 'sandbox', token: 'tok_visa' } },
  });
  expect(res.statusCode).toBe(201);
  const order = res.json() as Order;
  expect(order.status).toBe('paid');
  if (opts.ship) {
    const shipped = await t.http.inject({
      method: 'POST',
      url: `/v1/admin/orders/${order.id}/shipments`,
      headers: admin.headers,
      payload: {},
    });
    expect(shipped.statusCode).toBe(201);
  }
  return order;
}

/** Everything a cancel or a return request would change: order, payment, log, returns, events. */
async function stateOf(orderId: string) {
  const one = async <T>(q: ReturnType<typeof sql<T>>) => (await q.execute(t.kernel.db.k)).rows;
  return {
    order: await one(sql`select status from orders.orders where id = ${orderId}`),
    lines: await one(sql`select variant_id, returned_quantity, return_received_quantity
      from orders.order_lines where order_id = ${orderId} order by variant_id`),
    payment: await one(sql`select status, captured_amount, refunded_amount, void_requested_at
      from payments.payments where order_id = ${orderId}`),
    refunds: await one(sql`select r.id from payments.refunds r join payments.payments p on p.id = r.payment_id
      where p.order_id = ${orderId}`),
    log: await one(sql`select seq, type from orders.order_events where order_id = ${orderId} order by seq`),
    returns: await one(sql`select id from orders.returns where order_id = ${orderId}`),
    events: await one(sql`select type from platform.outbox where aggregate_id = ${orderId} order by seq`),
  };
}

const cancel = (id: string, headers: Record<string, string>) =>
  t.http.inject({
    method: 'POST',
    url: `/v1/orders/${id}/cancel`,
    headers,
    payload: { reason: 'support cancels' },
  });
const askReturn = (o: Order, headers: Record<string, string>) =>
  t.http.inject({
    method: 'POST',
    url: `/v1/orders/${o.id}/returns`,
    headers: { ...headers, 'idempotency-key': randomUUID() },
    payload: { items: [{ variantId: lamp.variantId, quantity: 1 }], reason: 'support asks' },
  });
const forbidden = (res: { statusCode: number; headers: Record<string, unknown>; json(): { code: string } }) => {
  expect(res.statusCode).toBe(403);
  expect(res.headers['content-type']).toContain('application/problem+json');
  expect(res.json().code).toBe('auth.forbidden');
};

describe('staff on the routes a buyer may call', () => {
  it('[REQ-ORD-006] support and a read-only API key cannot cancel (403, nothing changes); orders:manage can', async () => {
    const order = await guestOrder();
    const before = await stateOf(order.id);

    forbidden(await cancel(order.id, support.headers));
    forbidden(await cancel(order.id, readKey));
    const blind = await cancel(order.id, catalogManager.headers); // may not even read it
    expect([blind.statusCode, blind.json().code]).toEqual([404, 'orders.not_found']);
    const gql = await graphql(
      t,
      'mutation($id: ID!) { cancelOrder(id: $id, reason: "support cancels") { id status } }',
      { id: order.id },
      support.headers,
    );
    expect(gql.body.errors?.[0]?.extensions).toMatchObject({ code: 'auth.forbidden', status: 403 });
    expect(await stateOf(order.id)).toEqual(before);

    // Reading stays what orders:read grants.
    const read = await t.http.inject({ method: 'GET', url: `/v1/orders/${order.id}`, headers: support.headers });
    expect([read.statusCode, read.json().status]).toEqual([200, 'paid']);

    const managed = await cancel(order.id, orderManager.headers);
    expect([managed.statusCode, managed.json().status]).toEqual([200, 'cancelled']);
  });

  it('[REQ-ORD-006] staff with orders:manage still cancel a shipped order; support still cannot', async () => {
    const order = await guestOrder({ ship: true });
    const before = await stateOf(order.id);
    forbidden(await cancel(order.id, support.headers));
    expect(await stateOf(order.id)).toEqual(before);
    const managed = await cancel(order.id, orderManager.headers);
    expect([managed.statusCode, managed.json().status]).toEqual([200, 'cancelled']);
  });

  it('[REQ-ORD-016] support and a read-only API key cannot ask for a return (403, nothing claimed); orders:manage can', async () => {
    const order = await guestOrder({ ship: true });
    const before = await stateOf(order.id);

    forbidden(await askReturn(order, support.headers));
    forbidden(await askReturn(order, readKey));
    const gql = await graphql(
      t,
      'mutation($id: ID!, $items: [ReturnItemInput!]!) { requestReturn(orderId: $id, items: $items) { id } }',
      { id: order.id, items: [{ variantId: lamp.variantId, quantity: 1 }] },
      support.headers,
    );
    expect(gql.body.errors?.[0]?.extensions).toMatchObject({ code: 'auth.forbidden', status: 403 });
    expect(await stateOf(order.id)).toEqual(before);

    const listed = await t.http.inject({
      method: 'GET',
      url: `/v1/orders/${order.id}/returns`,
      headers: support.headers,
    });
    expect([listed.statusCode, listed.json().items]).toEqual([200, []]);

    const managed = await askReturn(order, orderManager.headers);
    expect([managed.statusCode, managed.json().status]).toEqual([201, 'requested']);
    // The guest, holding the order token, asks as the buyer.
    const buyer = await askReturn(order, { 'x-order-token': order.orderToken });
    expect(buyer.statusCode).toBe(201);
  });

  it('[REQ-IDN-016] a staff token is no key to a customer cart or address book', async () => {
    const customer = await registerCustomer(t);
    const cart = await readyCart(t, lamp.variantId, { auth: customer.headers });
    const address = await t.http.inject({
      method: 'POST',
      url: '/v1/me/addresses',
      headers: customer.headers,
      payload: { name: 'A', line1: 'L1', city: 'C', postalCode: '1', country: 'DE' },
    });
    expect(address.statusCode).toBe(201);
    const cartRow = async () =>
      (await sql`select * from cart.carts where id = ${cart.id}`.execute(t.kernel.db.k)).rows[0];
    const cartBefore = await cartRow();
    for (const who of [support, orderManager, admin]) {
      const seen = await t.http.inject({ method: 'GET', url: `/v1/carts/${cart.id}`, headers: who.headers });
      expect([seen.statusCode, seen.json().code]).toEqual([404, 'cart.not_found']);
      const changed = await t.http.inject({
        method: 'PATCH',
        url: `/v1/carts/${cart.id}`,
        headers: who.headers,
        payload: { email: 'staff@example.com' },
      });
      expect([changed.statusCode, changed.json().code]).toEqual([404, 'cart.not_found']);
      const edited = await t.http.inject({
        method: 'PATCH',
        url: `/v1/me/addresses/${address.json().id}`,
        headers: who.headers,
        payload: { city: 'Staff town' },
      });
      expect([edited.statusCode, edited.json().code]).toEqual([404, 'identity.address_not_found']);
    }
    expect(await cartRow()).toEqual(cartBefore);
    const book = await t.http.inject({ method: 'GET', url: '/v1/me/addresses', headers: customer.headers });
    expect(book.json().items).toEqual([address.json()]);
  });
});
