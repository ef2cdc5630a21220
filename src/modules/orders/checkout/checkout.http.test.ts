import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

let h: OrdersHarness;
beforeAll(async () => {
  h = await startOrdersHarness();
});
afterAll(async () => {
  await h?.close();
});

const attempts = (cartId: string) =>
  q<{ status: string; steps: string[] }>(
    h,
    sql`select status, steps from orders.checkout_attempts where cart_id = ${cartId}`,
  );

describe('POST /v1/orders', () => {
  it('[REQ-CHK-001] [REQ-ORD-010] a guest places an order: 201 with the order, its token, and the saga completes after the pivot', async () => {
    const v = uid('var');
    await stock(h, v, 5);
    const { cartId, token } = guestCart(h, snapshot({ variantId: v, qty: 2 }));
    const res = await placeOrder(h, cartId, { token });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    // PAYMENT_CAPTURE=immediate (the default): captured before the answer.
    expect(body.status).toBe('paid');
    expect(body.number).toMatch(/^\d+$/);
    expect(body.items).toHaveLength(1);
    expect(body.items[0].quantity).toBe(2);
    expect(body.totals.total).toEqual({ amount: 2000 + 500 + 380, currency: 'EUR' });
    expect(body.payment).toEqual({ status: 'captured' });
    expect(typeof body.orderToken).toBe('string');
    expect(res.headers.location).toBe(`/v1/orders/${body.id}`);
    // [REQ-CHK-010] amount authorized = order total
    const p = await paymentOf(h, body.id);
    expect(p?.amount).toBe(2880);
    // Post-pivot: captured, reservation committed, cart completed, order paid.
    await waitFor(async () => (await paymentOf(h, body.id))?.status === 'captured');
    await waitFor(async () => h.cart.completed(cartId) === body.id);
    await waitFor(async () => (await level(h, v))?.onHand === 3);
    expect(await level(h, v)).toEqual({ onHand: 3, reserved: 0 });
    const read = await waitFor(async () => {
      const r = await h.t.http.inject({
        method: 'GET',
        url: `/v1/orders/${body.id}`,
        headers: { 'x-order-token': body.orderToken },
      });
      return r.json().status === 'paid' && r;
    });
    expect(read.json().payment).toEqual({ status: 'captured' });
    // The answer (written in the placing statement) is what the order row says.
    const { orderToken: _t, ...answered } = body;
    expect(read.json()).toEqual(answered);
    const placedEvent = await q<{ payload: { number: string; orderId: string } }>(
      h,
      sql`select payload from platform.outbox where type = 'orders.order.placed' and aggregate_id = ${body.id}`,
    );
    expect(placedEvent.map((e) => [e.payload.orderId, e.payload.number])).toEqual([[body.id, body.number]]);
    const log = await q<{ type: string; from_status: string | null; to_status: string; actor: string }>(
      h,
      sql`select type, from_status, to_status, actor from orders.order_events where order_id = ${body.id} order by seq`,
    );
    // Paid once, by the system: the inline capture, or the safety-net subscriber when its event woke it first.
    expect(log.slice(0, 1)).toEqual([{ type: 'placed', from_status: null, to_status: 'pending', actor: 'guest' }]);
    expect(log.slice(1).map((e) => [e.type, e.from_status, e.to_status])).toEqual([['paid', 'pending', 'paid']]);
    expect(['system:orders.checkout', 'system:orders.after_placed']).toContain(log[1]?.actor);
    expect(await attempts(cartId)).toEqual([{ status: 'placed', steps: ['reserved', 'authorized', 'placed'] }]);
    // The authorization is recorded by the placing statement, with the payment it placed the order on.
    const recorded = await q<{ payment_id: string | null }>(
      h,
      sql`select payment_id from orders.checkout_attempts where cart_id = ${cartId}`,
    );
    expect(recorded.map((a) => a.payment_id)).toEqual([p?.id]);
  });

  it('[REQ-CHK-002] a replay with the same key answers the order as it is now; another key names the same order', async () => {
    const v = uid('var');
    await stock(h, v, 5);
    const { cartId, token } = guestCart(h, snapshot({ variantId: v }));
    const key = uid('key');
    const first = await placeOrder(h, cartId, { token, key });
    expect(first.statusCode).toBe(201);
    const again = await placeOrder(h, cartId, { token, key });
    expect(again.statusCode).toBe(201);
    expect(again.json().id).toBe(first.json().id);
    // The replay shows what the client would see now: paid, as the first answer said (not the stored "pending").
    expect(again.json()).toEqual(first.json());
    expect(again.json()).toMatchObject({ status: 'paid', payment: { status: 'captured' } });
    const other = await placeOrder(h, cartId, { token });
    expect(other.statusCode).toBe(201);
    expect(other.json().id).toBe(first.json().id);
    expect((await q(h, sql`select id from orders.orders where cart_id = ${cartId}`)).length).toBe(1);
  });

  it('[REQ-CHK-002] a replay after the cart was completed (and refuses reads) still returns the original answer', async () => {
    const v = uid('var');
    await stock(h, v, 5);
    const { cartId, token } = guestCart(h, snapshot({ variantId: v }));
    const key = uid('key');
    const first = await placeOrder(h, cartId, { token, key });
    await waitFor(async () => h.cart.completed(cartId) === first.json().id);
    h.cart.refuseCompletedReads(true);
    try {
      const again = await placeOrder(h, cartId, { token, key });
      expect(again.statusCode).toBe(201);
      expect(again.json().id).toBe(first.json().id);
      const stranger = await placeOrder(h, cartId, { token: 'wrong', key });
      expect(stranger.statusCode).toBe(404);
      const otherKey = await placeOrder(h, cartId, { token });
      expect(otherKey.statusCode).toBe(409);
      expect(otherKey.json().code).toBe('cart.completed');
    } finally {
      h.cart.refuseCompletedReads(false);
    }
  });

  it('[REQ-CHK-002] a checkout that failed with a 5xx holds no request: its key with another token starts anew', async () => {
    const v = uid('var');
    await stock(h, v, 5);
    const { cartId, token } = guestCart(h, snapshot({ variantId: v }));
    const key = uid('key');
    h.psp.setFault({ status: 503 });
    try {
      expect((await placeOrder(h, cartId, { token, key })).statusCode).toBe(503);
    } finally {
      h.psp.setFault(undefined);
    }
    const other = await placeOrder(h, cartId, { token, key, payToken: 'tok_threeDSecureRequired' });
    expect(other.statusCode).toBe(202);
    // The key now stands for the new request: the first one's body is the other request.
    const first = await placeOrder(h, cartId, { token, key });
    expect([first.statusCode, first.json().code]).toEqual([422, 'idempotency.key_reused']);
    expect((await attempts(cartId)).map((a) => a.status).sort()).toEqual(['failed', 'waiting']);
  });

  it('[REQ-CHK-003] an incomplete cart → 422 orders.cart_incomplete naming what is missing; nothing changed', async () => {
    const v = uid('var');
    await stock(h, v, 5);
    const { cartId, token } = guestCart(h, snapshot({ variantId: v, lines: [], email: null, shippingMethod: null }));
    const res = await placeOrder(h, cartId, { token });
    expect(res.statusCode).toBe(422);
    expect(res.json().code).toBe('orders.cart_incomplete');
    expect(res.json().errors.map((e: { field: string }) => e.field)).toEqual([
      '/cart/lines',
      '/cart/email',
      '/cart/shippingMethod',
    ]);
    expect(await attempts(cartId)).toEqual([]);
    expect(await level(h, v)).toEqual({ onHand: 5, reserved: 0 });
  });

  it('[REQ-CHK-003] a payment provider this server does not run → 422 payments.unknown_provider; nothing written', async () => {
    const v = uid('var');
    await stock(h, v, 5);
    const { cartId, token } = guestCart(h, snapshot({ variantId: v }));
    const key = uid('key');
    const res = await placeOrder(h, cartId, { token, key, provider: 'stripe' });
    expect(res.statusCode).toBe(422);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json().code).toBe('payments.unknown_provider');
    expect(res.json().detail).toBe('Payments are not configured for stripe; the configured provider is sandbox.');
    expect(res.json().errors).toEqual([{ field: '/payment/provider', message: 'Must be sandbox.' }]);
    expect(await attempts(cartId)).toEqual([]);
    expect(await level(h, v)).toEqual({ onHand: 5, reserved: 0 });
    const held = await q(h, sql`select reservation_id from inventory.reservation_lines where variant_id = ${v}`);
    expect(held).toEqual([]);
    expect(await q(h, sql`select id from orders.orders where cart_id = ${cartId}`)).toEqual([]);
    expect(h.cart.completed(cartId)).toBeUndefined();
    // The same key with the configured provider then places the order (the refusal left nothing behind).
    const ok = await placeOrder(h, cartId, { token, key });
    expect(ok.statusCode).toBe(201);
    expect((await paymentOf(h, ok.json().id))?.provider).toBe('sandbox');
  });

  it('[REQ-CHK-004] another shopper’s cart, or a wrong cart token → 404 cart.not_found', async () => {
    const { cartId } = guestCart(h, snapshot({ variantId: uid('var') }));
    const res = await placeOrder(h, cartId, { token: 'wrong' });
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('cart.not_found');
    expect(await attempts(cartId)).toEqual([]);
  });

  it('[REQ-CHK-005] without Idempotency-Key → 400, nothing attempted; OpenAPI declares the header required', async () => {
    const { cartId, token } = guestCart(h, snapshot({ variantId: uid('var') }));
    const doc = (await h.t.http.inject({ method: 'GET', url: '/openapi.json' })).json();
    const params = doc.paths['/v1/orders'].post.parameters as { in: string; name: string; required?: boolean }[];
    expect(params.find((p) => p.in === 'header' && p.name === 'idempotency-key')?.required).toBe(true);
    const res = await h.t.http.inject({
      method: 'POST',
      url: '/v1/orders',
      headers: { 'x-cart-token': token },
      payload: { cartId, payment: { provider: 'sandbox', token: 'tok_visa' } },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('idempotency.key_required');
    expect(await attempts(cartId)).toEqual([]);
  });
});
