// Orders and checkout over GraphQL, through the real modules (cart, pricing, inventory, payments with the embedded
// sandbox PSP posting its webhooks to a listening server) on PGlite or, in CI, PostgreSQL.
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStaff, registerCustomer, type TestIdentity } from '../../../test/support/auth.ts';
import { createVariant, type TestVariant } from '../../../test/support/cart.ts';
import { createTestApp, type TestApp } from '../../../test/support/create-test-app.ts';
import { graphql } from '../../../test/support/graphql.ts';
import { listen } from '../../../test/support/listen.ts';
import { statementsOf } from '../../../test/support/query-cost.ts';

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

const gql = (query: string, variables?: Record<string, unknown>, headers: Record<string, string> = {}) =>
  graphql(t, query, variables, headers);

const MONEY = '{ amount currency }';
const ORDER = `id number status email userId orderToken createdAt customerErased payment { status }
  items { variantId productId name sku quantity shippedQuantity returnedQuantity unitPrice ${MONEY} lineTotal ${MONEY} discount ${MONEY} tax ${MONEY} }
  totals { subtotal ${MONEY} discount ${MONEY} shipping ${MONEY} tax ${MONEY} total ${MONEY} }
  shippingAddress { name line1 city postalCode country }`;
const PLACE = `mutation($cartId: ID!, $token: String!, $key: String) {
  placeOrder(cartId: $cartId, payment: { provider: "sandbox", token: $token }, idempotencyKey: $key) {
    status attemptId nextAction { type url } order { ${ORDER} } } }`;
const ADDRESS = {
  name: 'Ada Lovelace',
  line1: 'Unter den Linden 1',
  city: 'Berlin',
  postalCode: '10117',
  country: 'DE',
};

interface Shopper {
  cartId: string;
  headers: Record<string, string>;
}

/** A cart with one line, email, address and the first shipping method, all set over GraphQL. */
async function readyCart(variant: TestVariant, auth: Record<string, string> = {}, quantity = 1): Promise<Shopper> {
  const created = await gql('mutation { createCart(currency: "EUR", country: "DE") { id token } }', {}, auth);
  // Each step's errors are asserted absent with the whole answer, so a rare failure names its cause.
  expect(created.body.errors, JSON.stringify(created.body)).toBeUndefined();
  const cart = created.body.data.createCart as { id: string; token: string };
  const headers = { ...auth, ...(auth.authorization ? {} : { 'x-cart-token': cart.token }) };
  const added = await gql(
    'mutation($c: ID!, $v: ID!, $q: Int!) { addCartItem(cartId: $c, variantId: $v, quantity: $q) { id } }',
    { c: cart.id, v: variant.variantId, q: quantity },
    headers,
  );
  expect(added.body.errors, JSON.stringify(added.body)).toBeUndefined();
  const withAddress = await gql(
    `mutation($c: ID!, $a: AddressInput) {
      updateCart(cartId: $c, email: "ada@example.com", shippingAddress: $a) { shippingOptions { id } } }`,
    { c: cart.id, a: ADDRESS },
    headers,
  );
  expect(withAddress.body.errors, JSON.stringify(withAddress.body)).toBeUndefined();
  const methodId = withAddress.body.data.updateCart.shippingOptions[0].id as string;
  const ready = await gql(
    'mutation($c: ID!, $m: String) { updateCart(cartId: $c, shippingMethodId: $m) { shippingMethod { id } } }',
    { c: cart.id, m: methodId },
    headers,
  );
  expect(ready.body.errors, JSON.stringify(ready.body)).toBeUndefined();
  expect(ready.body.data.updateCart.shippingMethod.id).toBe(methodId);
  return { cartId: cart.id, headers };
}

const ordersOfCart = async (cartId: string) =>
  Number(
    (await sql<{ n: string }>`select count(*) as n from orders.orders where cart_id = ${cartId}`.execute(t.kernel.db.k))
      .rows[0]?.n,
  );

async function waitFor(check: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('orders over GraphQL [REQ-GQL-011]', () => {
  it('[REQ-GQL-011] a guest places an order: the answer equals REST, a repeat with the key returns the same order', async () => {
    const s = await readyCart(tee, {}, 2);
    const key = randomUUID();
    const placed = await gql(PLACE, { cartId: s.cartId, token: 'tok_visa', key }, s.headers);
    expect(placed.status).toBe(200);
    expect(placed.body.errors).toBeUndefined();
    const result = placed.body.data.placeOrder;
    expect(result).toMatchObject({ status: 'placed', nextAction: null });
    const order = result.order;
    expect(order.id).toBe(result.attemptId);
    expect(order.number).toMatch(/^\d+$/);
    expect(order.items).toMatchObject([{ variantId: tee.variantId, quantity: 2, unitPrice: { amount: 2500 } }]);
    const x = order.totals;
    expect(x.total.amount).toBe(x.subtotal.amount + x.shipping.amount - x.discount.amount + x.tax.amount);
    expect(order.orderToken).toEqual(expect.any(String));

    const again = await gql(PLACE, { cartId: s.cartId, token: 'tok_visa', key }, s.headers);
    expect(again.body.data.placeOrder.order.id).toBe(order.id);
    expect(await ordersOfCart(s.cartId)).toBe(1);

    // Read back with the order token (header or argument): the same order as REST's.
    const rest = await t.http.inject({
      method: 'GET',
      url: `/v1/orders/${order.id}`,
      headers: { 'x-order-token': order.orderToken },
    });
    expect(rest.statusCode).toBe(200);
    const q = `query($id: ID!, $tok: String) { order(id: $id, orderToken: $tok) { ${ORDER} } }`;
    const byHeader = await gql(q, { id: order.id }, { 'x-order-token': order.orderToken });
    const byArg = await gql(q, { id: order.id, tok: order.orderToken });
    for (const read of [byHeader, byArg]) {
      expect(read.body.errors).toBeUndefined();
      const { orderToken: _once, ...seen } = read.body.data.order;
      const { orderToken: _none, ...restOrder } = rest.json();
      expect(seen).toMatchObject({ ...restOrder, status: expect.any(String), payment: { status: expect.any(String) } });
    }
    await waitFor(
      async () => (await gql(q, { id: order.id, tok: order.orderToken })).body.data.order.status === 'paid',
    );

    // Anyone else: null and orders.not_found.
    const strangers: Record<string, string>[] = [
      {},
      { 'x-order-token': 'not-the-token' },
      (await registerCustomer(t)).headers,
    ];
    for (const headers of strangers) {
      const denied = await gql(q, { id: order.id }, headers);
      expect(denied.body.data.order).toBeNull();
      expect(denied.body.errors?.[0]?.extensions).toMatchObject({ code: 'orders.not_found', status: 404 });
    }
  });

  it('[REQ-GQL-011] refusals carry the REST codes and change nothing', async () => {
    // An empty cart: 422 orders.cart_incomplete, no attempt, no order.
    const created = await gql('mutation { createCart(currency: "EUR", country: "DE") { id token } }');
    const empty = created.body.data.createCart as { id: string; token: string };
    const res = await gql(
      PLACE,
      { cartId: empty.id, token: 'tok_visa', key: randomUUID() },
      { 'x-cart-token': empty.token },
    );
    expect(res.body.data.placeOrder).toBeNull();
    expect(res.body.errors?.[0]?.extensions).toMatchObject({ code: 'orders.cart_incomplete', status: 422 });

    const s = await readyCart(tee);
    const before = await sql<{ n: string }>`select count(*) as n from orders.checkout_attempts
      where cart_id = ${s.cartId}`.execute(t.kernel.db.k);
    // No key: 400 idempotency.key_required. A bad key or provider: 400 request.validation_failed. Someone else's cart: 404.
    const noKey = await gql(PLACE, { cartId: s.cartId, token: 'tok_visa' }, s.headers);
    expect(noKey.body.errors?.[0]?.extensions).toMatchObject({ code: 'idempotency.key_required', status: 400 });
    const badKey = await gql(PLACE, { cartId: s.cartId, token: 'tok_visa', key: 'has space' }, s.headers);
    expect(badKey.body.errors?.[0]?.extensions).toMatchObject({ code: 'request.validation_failed', status: 400 });
    const badProvider = await gql(
      `mutation($c: ID!) { placeOrder(cartId: $c, payment: { provider: "paypal", token: "x" }, idempotencyKey: "k1") { status } }`,
      { c: s.cartId },
      s.headers,
    );
    expect(badProvider.body.errors?.[0]?.extensions).toMatchObject({ code: 'request.validation_failed', status: 400 });
    const stranger = await gql(
      PLACE,
      { cartId: s.cartId, token: 'tok_visa', key: randomUUID() },
      { 'x-cart-token': 'x' },
    );
    expect(stranger.body.errors?.[0]?.extensions).toMatchObject({ code: 'cart.not_found', status: 404 });
    const after = await sql<{ n: string }>`select count(*) as n from orders.checkout_attempts
      where cart_id = ${s.cartId}`.execute(t.kernel.db.k);
    expect(after.rows[0]?.n).toBe(before.rows[0]?.n);
    expect(await ordersOfCart(s.cartId)).toBe(0);

    // Declined: payments.declined (402), and a new key may try again.
    const declined = await gql(PLACE, { cartId: s.cartId, token: 'tok_chargeDeclined', key: randomUUID() }, s.headers);
    expect(declined.body.errors?.[0]?.extensions).toMatchObject({ code: 'payments.declined', status: 402 });
    expect(await ordersOfCart(s.cartId)).toBe(0);
    const retried = await gql(PLACE, { cartId: s.cartId, token: 'tok_visa', key: randomUUID() }, s.headers);
    expect(retried.body.data.placeOrder.status).toBe('placed');
  });

  it('[REQ-GQL-011] requires action with the Idempotency-Key header: the same request follows the attempt to the order', async () => {
    const s = await readyCart(tee);
    const headers = { ...s.headers, 'idempotency-key': randomUUID() };
    const vars = { cartId: s.cartId, token: 'tok_threeDSecureRequired' };
    const first = await gql(PLACE, vars, headers);
    const waiting = first.body.data.placeOrder;
    expect(waiting).toMatchObject({ status: 'requires_action', order: null, nextAction: { type: 'redirect' } });
    // Not a stored replay: the header's generic layer is released for placeOrder.
    const same = await t.http.inject({
      method: 'POST',
      url: '/graphql',
      headers,
      payload: { query: PLACE, variables: vars },
    });
    expect(same.headers['idempotent-replayed']).toBeUndefined();
    expect(same.json().data.placeOrder.status).toBe('requires_action');

    expect((await fetch(`${waiting.nextAction.url}?outcome=succeed`)).status).toBeLessThan(400);
    // While the webhook's resume holds the attempt, a call may answer a documented, retryable 409
    // (orders.checkout_in_progress, idempotency.in_progress); any other error fails here with its body.
    await waitFor(async () => {
      const r = await gql(PLACE, vars, headers);
      const code = r.body.errors?.[0]?.extensions.code;
      if (code === 'orders.checkout_in_progress' || code === 'idempotency.in_progress') return false;
      expect(r.body.errors).toBeUndefined();
      return r.body.data.placeOrder.status === 'placed';
    });
    const done = await gql(PLACE, vars, headers);
    expect(done.body.data.placeOrder.order.id).toBe(waiting.attemptId);
    expect(await ordersOfCart(s.cartId)).toBe(1);
  });

  it('[REQ-GQL-011] 10 concurrent placeOrder calls with one key: one order, every success names it', async () => {
    const s = await readyCart(tee);
    const key = randomUUID();
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => gql(PLACE, { cartId: s.cartId, token: 'tok_visa', key }, s.headers)),
    );
    const ids = new Set<string>();
    for (const a of answers) {
      const placed = a.body.data?.placeOrder;
      if (placed) ids.add(placed.order.id);
      else expect(a.body.errors?.[0]?.extensions.code).toBe('orders.checkout_in_progress');
    }
    expect(ids.size).toBe(1);
    expect(await ordersOfCart(s.cartId)).toBe(1);
    const payments = await sql<{ n: string }>`select count(*) as n from payments.payments
      where order_id = ${[...ids][0]}`.execute(t.kernel.db.k);
    expect(Number(payments.rows[0]?.n)).toBe(1);
  });

  it('[REQ-GQL-011] customers list and cancel their own orders; staff filter; guests get auth.unauthorized', async () => {
    const me = await registerCustomer(t);
    const other = await registerCustomer(t);
    const mine: string[] = [];
    for (let i = 0; i < 3; i++) {
      const s = await readyCart(tee, me.headers);
      const r = await gql(PLACE, { cartId: s.cartId, token: 'tok_visa', key: randomUUID() }, s.headers);
      expect(r.body.errors).toBeUndefined();
      expect(r.body.data.placeOrder.order.userId).toBe(me.userId);
      expect(r.body.data.placeOrder.order.orderToken).toBeNull();
      mine.push(r.body.data.placeOrder.order.id);
    }
    const list = `query($u: ID, $c: String, $l: Int) { orders(userId: $u, cursor: $c, limit: $l) { items { id userId } nextCursor } }`;
    const page1 = await gql(list, { l: 2 }, me.headers);
    const page2 = await gql(list, { l: 2, c: page1.body.data.orders.nextCursor }, me.headers);
    const seen = [...page1.body.data.orders.items, ...page2.body.data.orders.items].map((o: { id: string }) => o.id);
    expect(seen.sort()).toEqual([...mine].sort());
    expect(page2.body.data.orders.nextCursor).toBeNull();
    // Another customer asking for my userId still sees only their own (none).
    expect((await gql(list, { u: me.userId }, other.headers)).body.data.orders.items).toEqual([]);
    const staffView = await gql(list, { u: me.userId, l: 10 }, staff.headers);
    expect(staffView.body.data.orders.items.map((o: { id: string }) => o.id).sort()).toEqual([...mine].sort());
    const guest = await gql(list);
    expect(guest.body.data.orders).toBeNull();
    expect(guest.body.errors?.[0]?.extensions).toMatchObject({ code: 'auth.unauthorized', status: 401 });

    // The same statements for a page of 1 and a page of 3 (the lines of a page are read in one batch).
    const cost = (limit: number) =>
      statementsOf(() => gql(`{ orders(limit: ${limit}) { items { items { sku } } } }`, {}, me.headers));
    expect(await cost(3)).toBe(await cost(1));

    const cancel = `mutation($id: ID!) { cancelOrder(id: $id, reason: "changed my mind") { id status } }`;
    const byOther = await gql(cancel, { id: mine[0] }, other.headers);
    expect(byOther.body.errors?.[0]?.extensions).toMatchObject({ code: 'orders.not_found', status: 404 });
    const cancelled = await gql(cancel, { id: mine[0] }, me.headers);
    expect(cancelled.body.data.cancelOrder).toEqual({ id: mine[0], status: 'cancelled' });
    const twice = await gql(cancel, { id: mine[0] }, me.headers);
    expect(twice.body.errors?.[0]?.extensions).toMatchObject({ code: 'orders.invalid_transition', status: 409 });
    const log = await sql<{ n: string }>`select count(*) as n from orders.order_events
      where order_id = ${mine[0]} and to_status = 'cancelled'`.execute(t.kernel.db.k);
    expect(Number(log.rows[0]?.n)).toBe(1);
  });
  it('[REQ-GQL-011] a guest asks for a return of shipped units and reads it back; refusals carry the REST codes', async () => {
    const s = await readyCart(tee, {}, 2);
    const placed = await gql(PLACE, { cartId: s.cartId, token: 'tok_visa', key: randomUUID() }, s.headers);
    const order = placed.body.data.placeOrder.order as { id: string; orderToken: string };
    const asOwner = { 'x-order-token': order.orderToken };
    const ask = `mutation($o: ID!, $items: [ReturnItemInput!]!) {
      requestReturn(orderId: $o, items: $items, reason: "too big") { id status items { variantId quantity refund ${MONEY} } refund ${MONEY} } }`;
    const items = [{ variantId: tee.variantId, quantity: 1 }];
    const early = await gql(ask, { o: order.id, items }, asOwner);
    expect(early.body.errors?.[0]?.extensions).toMatchObject({ code: 'orders.not_returnable', status: 409 });
    const shipped = await t.http.inject({
      method: 'POST',
      url: `/v1/admin/orders/${order.id}/shipments`,
      headers: staff.headers,
      payload: {},
    });
    expect(shipped.statusCode).toBe(201);
    const asked = await gql(ask, { o: order.id, items }, asOwner);
    expect(asked.body.errors).toBeUndefined();
    const ret = asked.body.data.requestReturn;
    expect(ret).toMatchObject({ status: 'requested', items: [{ variantId: tee.variantId, quantity: 1 }] });
    const rest = await t.http.inject({
      method: 'GET',
      url: `/v1/orders/${order.id}/returns`,
      headers: asOwner,
    });
    expect(rest.json().items[0]).toMatchObject({ id: ret.id, refund: ret.refund, items: ret.items });
    const list = await gql('query($o: ID!) { returns(orderId: $o) { id status } }', { o: order.id }, asOwner);
    expect(list.body.data.returns).toEqual([{ id: ret.id, status: 'requested' }]);
    const over = await gql(ask, { o: order.id, items: [{ variantId: tee.variantId, quantity: 2 }] }, asOwner);
    expect(over.body.errors?.[0]?.extensions).toMatchObject({ code: 'orders.over_return', status: 409 });
    const stranger = await gql(ask, { o: order.id, items });
    expect(stranger.body.errors?.[0]?.extensions).toMatchObject({ code: 'orders.not_found', status: 404 });
    const bad = await gql(ask, { o: order.id, items: [{ variantId: tee.variantId, quantity: 0 }] }, asOwner);
    expect(bad.body.errors?.[0]?.extensions).toMatchObject({ code: 'request.validation_failed', status: 400 });
    expect(
      (await t.http.inject({ method: 'GET', url: `/v1/orders/${order.id}/returns`, headers: asOwner })).json().items,
    ).toHaveLength(1);
  });
});
