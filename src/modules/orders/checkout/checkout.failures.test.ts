// Checkout's failure matrix (docs/checkout.md: what each failure before and after the pivot leaves), one test per row.
import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  ctx,
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
import { errors } from '../../../platform/errors.ts';

let h: OrdersHarness;
beforeAll(async () => {
  h = await startOrdersHarness();
});
afterAll(async () => {
  await h?.close();
});
afterEach(() => {
  h.hooks.afterStep = undefined;
  h.hooks.afterAuthorize = undefined;
});

const attempt = async (cartId: string) =>
  (
    await q<{ id: string; status: string; steps: string[] }>(
      h,
      sql`select id, status, steps from orders.checkout_attempts where cart_id = ${cartId} order by created_at desc limit 1`,
    )
  )[0];
const orderCount = async (cartId: string) =>
  (await q(h, sql`select id from orders.orders where cart_id = ${cartId}`)).length;
/** The lease ran out longer ago than the sweeper's grace (one lease), so the sweeper compensates it. */
const expireLease = (id: string) =>
  sql`update orders.checkout_attempts set claimed_until = now() - interval '1 hour' where id = ${id}`.execute(
    h.t.kernel.db.k,
  );

/** A guest checkout paid with a 3-D Secure token: 202, the attempt waiting for the customer's action. */
async function awaitingAction() {
  const v = uid('var');
  await stock(h, v, 5);
  const { cartId, token } = guestCart(h, snapshot({ variantId: v }));
  const key = uid('key');
  const res = await placeOrder(h, cartId, { token, key, payToken: 'tok_threeDSecureRequired' });
  expect(res.statusCode).toBe(202);
  const { id, nextAction } = res.json() as { id: string; nextAction: { type: string; url: string } };
  return { v, cartId, token, key, id, nextAction };
}

describe('checkout failure matrix', () => {
  it('[REQ-CHK-011] reserve stock fails → 409 inventory.insufficient_stock, nothing charged, stock unchanged', async () => {
    const v = uid('var');
    await stock(h, v, 1);
    const { cartId, token } = guestCart(h, snapshot({ variantId: v, qty: 2 }));
    const res = await placeOrder(h, cartId, { token });
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('inventory.insufficient_stock');
    const a = await attempt(cartId);
    expect(a?.status).toBe('failed');
    expect(await paymentOf(h, a?.id as string)).toBeUndefined();
    expect(await level(h, v)).toEqual({ onHand: 1, reserved: 0 });
    expect(await orderCount(cartId)).toBe(0);
  });

  it('[REQ-CHK-012] coupon limit reached → 409 promotions.limit_reached, stock released, nothing charged', async () => {
    const v = uid('var');
    const promo = uid('promo');
    await stock(h, v, 5);
    h.pricing.setLimit(promo, 0);
    const { cartId, token } = guestCart(h, snapshot({ variantId: v, promotionId: promo }));
    const res = await placeOrder(h, cartId, { token });
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('promotions.limit_reached');
    const a = await attempt(cartId);
    expect(a?.steps).toEqual(['reserved']);
    expect(await paymentOf(h, a?.id as string)).toBeUndefined();
    expect(await level(h, v)).toEqual({ onHand: 5, reserved: 0 });
    expect(h.pricing.used(promo)).toEqual({ reserved: 0, committed: 0 });
  });

  it('[REQ-CHK-013] declined → 402 payments.declined, stock and coupon released; a new attempt is allowed', async () => {
    const v = uid('var');
    const promo = uid('promo');
    await stock(h, v, 5);
    h.pricing.setLimit(promo, 1);
    const { cartId, token } = guestCart(h, snapshot({ variantId: v, promotionId: promo }));
    const key = uid('key');
    const res = await placeOrder(h, cartId, { token, key, payToken: 'tok_chargeDeclined' });
    expect(res.statusCode).toBe(402);
    expect(res.json().code).toBe('payments.declined');
    expect(res.json().declineCode).toBe('card_declined');
    expect(await level(h, v)).toEqual({ onHand: 5, reserved: 0 });
    expect(h.pricing.used(promo)).toEqual({ reserved: 0, committed: 0 });
    const replay = await placeOrder(h, cartId, { token, key, payToken: 'tok_chargeDeclined' });
    expect(replay.statusCode).toBe(402);
    const retry = await placeOrder(h, cartId, { token, payToken: 'tok_visa' });
    expect(retry.statusCode).toBe(201);
    expect(await orderCount(cartId)).toBe(1);
  });

  it('[REQ-CHK-013] a token the provider does not know → 422 payments.invalid_token, stock released, no order', async () => {
    const v = uid('var');
    const promo = uid('promo');
    await stock(h, v, 5);
    h.pricing.setLimit(promo, 1);
    const { cartId, token } = guestCart(h, snapshot({ variantId: v, promotionId: promo }));
    const key = uid('key');
    const res = await placeOrder(h, cartId, { token, key, payToken: 'tok_bogus' });
    expect(res.statusCode).toBe(422);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json().code).toBe('payments.invalid_token');
    expect(await level(h, v)).toEqual({ onHand: 5, reserved: 0 });
    expect(h.pricing.used(promo)).toEqual({ reserved: 0, committed: 0 });
    const a = await attempt(cartId);
    expect(a?.status).toBe('failed');
    const reservations = await q<{ status: string }>(
      h,
      sql`select status from inventory.reservations where key = ${`checkout:${a?.id}`}`,
    );
    expect(reservations.map((r) => r.status)).toEqual(['released']);
    // Nothing was authorized: the payment record is closed without money held.
    expect((await paymentOf(h, a?.id as string))?.status).toBe('voided');
    expect(await orderCount(cartId)).toBe(0);
    const replay = await placeOrder(h, cartId, { token, key, payToken: 'tok_bogus' });
    expect([replay.statusCode, replay.json().code]).toEqual([422, 'payments.invalid_token']);
    const retry = await placeOrder(h, cartId, { token, payToken: 'tok_visa' });
    expect(retry.statusCode).toBe(201);
    expect(await orderCount(cartId)).toBe(1);
  });

  it('[REQ-CHK-014] provider answer lost after it authorized → void by key, release, 503; a retry with the same key succeeds', async () => {
    const v = uid('var');
    await stock(h, v, 5);
    const { cartId, token } = guestCart(h, snapshot({ variantId: v }));
    const key = uid('key');
    h.hooks.afterAuthorize = () => {
      throw errors.unavailable('payments.unavailable', 'The payment provider did not answer.', 1);
    };
    const res = await placeOrder(h, cartId, { token, key });
    expect(res.statusCode).toBe(503);
    expect(res.json().code).toBe('payments.unavailable');
    const failed = await attempt(cartId);
    expect((await paymentOf(h, failed?.id as string))?.status).toBe('voided');
    expect(await level(h, v)).toEqual({ onHand: 5, reserved: 0 });
    h.hooks.afterAuthorize = undefined;
    const retry = await placeOrder(h, cartId, { token, key });
    expect(retry.statusCode).toBe(201);
    expect(retry.json().id).not.toBe(failed?.id);
    expect(await orderCount(cartId)).toBe(1);
  });

  it('[REQ-CHK-015] requires action → 202 nextAction; the webhook after 3-D Secure places the order; a replay then gets 201', async () => {
    const { v, cartId, token, key, id, nextAction } = await awaitingAction();
    expect(nextAction.type).toBe('redirect');
    expect((await attempt(cartId))?.status).toBe('waiting');
    expect(await orderCount(cartId)).toBe(0);
    expect((await fetch(`${nextAction.url}?outcome=succeed`)).status).toBeLessThan(400);
    await waitFor(async () => (await attempt(cartId))?.status === 'placed');
    const replay = await placeOrder(h, cartId, { token, key, payToken: 'tok_threeDSecureRequired' });
    expect(replay.statusCode).toBe(201);
    expect(replay.json().id).toBe(id);
    await waitFor(async () => (await paymentOf(h, id))?.status === 'captured');
    await waitFor(async () => (await level(h, v))?.onHand === 4);
  });

  it('[REQ-CHK-016] requires action, then the customer fails it → compensated; a replay gets 402', async () => {
    const { v, cartId, token, key, nextAction } = await awaitingAction();
    await fetch(`${nextAction.url}?outcome=fail`);
    await waitFor(async () => (await attempt(cartId))?.status === 'failed');
    expect(await level(h, v)).toEqual({ onHand: 5, reserved: 0 });
    const replay = await placeOrder(h, cartId, { token, key, payToken: 'tok_threeDSecureRequired' });
    expect(replay.statusCode).toBe(402);
  });

  it('[REQ-CHK-017] requires action, then abandoned past the deadline → the sweeper voids and releases', async () => {
    const { v, cartId, id } = await awaitingAction();
    expect(await h.orders.sweep()).toBe(0);
    await sql`update orders.checkout_attempts set expires_at = now() - interval '1 second' where id = ${id}`.execute(
      h.t.kernel.db.k,
    );
    expect(await h.orders.sweep()).toBe(1);
    expect((await attempt(cartId))?.status).toBe('failed');
    expect((await paymentOf(h, id))?.status).toBe('voided');
    expect(await level(h, v)).toEqual({ onHand: 5, reserved: 0 });
    expect(await orderCount(cartId)).toBe(0);
  });

  it('[REQ-CHK-017] a payment completed after the deadline, its stock released meanwhile → compensated, no order', async () => {
    const { v, cartId, token, key, id, nextAction } = await awaitingAction();
    // Past the deadline, and the reservation is gone (as inventory's expiry sweeper would leave it).
    await sql`update orders.checkout_attempts set expires_at = now() - interval '1 second' where id = ${id}`.execute(
      h.t.kernel.db.k,
    );
    await h.inventory.api.release(ctx, `checkout:${id}`);
    expect((await fetch(`${nextAction.url}?outcome=succeed`)).status).toBeLessThan(400);
    await waitFor(async () => (await attempt(cartId))?.status === 'failed');
    await waitFor(async () => (await paymentOf(h, id))?.status === 'voided');
    expect(await orderCount(cartId)).toBe(0);
    expect(await level(h, v)).toEqual({ onHand: 5, reserved: 0 });
    const replay = await placeOrder(h, cartId, { token, key, payToken: 'tok_threeDSecureRequired' });
    expect(replay.statusCode).toBe(409);
    expect(replay.json().code).toBe('inventory.reservation_expired');
  });

  it('[REQ-CHK-023] placing the order fails → void, release, 500 orders.place_failed; a retry with the same key is safe', async () => {
    const v = uid('var');
    await stock(h, v, 5);
    const s = snapshot({ variantId: v });
    // A line the order table refuses (sku is NOT NULL): the placing transaction rolls back.
    (s.lines[0] as { sku: string | null }).sku = null;
    const { cartId, token } = guestCart(h, s);
    const key = uid('key');
    const res = await placeOrder(h, cartId, { token, key });
    expect(res.statusCode).toBe(500);
    expect(res.json().code).toBe('orders.place_failed');
    const a = await attempt(cartId);
    expect(a?.status).toBe('failed');
    expect((await paymentOf(h, a?.id as string))?.status).toBe('voided');
    expect(await level(h, v)).toEqual({ onHand: 5, reserved: 0 });
    expect(await orderCount(cartId)).toBe(0);
    s.lines[0] = { ...(s.lines[0] as (typeof s.lines)[number]), sku: 'SKU-OK' };
    h.cart.put(s, token);
    const retry = await placeOrder(h, cartId, { token, key });
    expect(retry.statusCode).toBe(201);
    expect(await orderCount(cartId)).toBe(1);
  });

  for (const step of ['reserved', 'authorized'] as const) {
    it(`[REQ-CHK-018] the process dies after "${step}" → the sweeper compensates; a retry with the same key places the order`, async () => {
      const v = uid('var');
      await stock(h, v, 5);
      const { cartId, token } = guestCart(h, snapshot({ variantId: v }));
      const key = uid('key');
      h.hooks.afterStep = (s) => {
        if (s === step) throw new Error('simulated process death');
      };
      const res = await placeOrder(h, cartId, { token, key });
      expect(res.statusCode).toBe(500);
      h.hooks.afterStep = undefined;
      const dead = await attempt(cartId);
      expect(dead?.status).toBe('running');
      expect(await h.orders.sweep()).toBe(0); // lease still held
      await expireLease(dead?.id as string);
      expect(await h.orders.sweep()).toBe(1);
      expect((await attempt(cartId))?.status).toBe('failed');
      expect(await level(h, v)).toEqual({ onHand: 5, reserved: 0 });
      if (step === 'authorized') expect((await paymentOf(h, dead?.id as string))?.status).toBe('voided');
      const retry = await placeOrder(h, cartId, { token, key });
      expect(retry.statusCode).toBe(201);
      expect(await orderCount(cartId)).toBe(1);
    });
  }

  it('[REQ-CHK-018] the process dies right after the pivot → the subscribers finish; a retry returns the same order', async () => {
    const v = uid('var');
    await stock(h, v, 5);
    const { cartId, token } = guestCart(h, snapshot({ variantId: v }));
    const key = uid('key');
    h.hooks.afterStep = (s) => {
      if (s === 'placed') throw new Error('simulated process death');
    };
    const res = await placeOrder(h, cartId, { token, key });
    expect(res.statusCode).toBe(500);
    h.hooks.afterStep = undefined;
    const a = await attempt(cartId);
    expect(a?.status).toBe('placed');
    expect(await h.orders.sweep()).toBe(0);
    const retry = await placeOrder(h, cartId, { token, key });
    expect(retry.statusCode).toBe(201);
    expect(retry.json().id).toBe(a?.id);
    await waitFor(async () => (await paymentOf(h, a?.id as string))?.status === 'captured');
  });

  it('[REQ-CHK-019] the module declares the post-pivot subscribers and the sweeper job', () => {
    expect(h.orders.definition.subscribers?.map((x) => x.name)).toEqual([
      'orders.commit_reservation',
      'orders.commit_redemptions',
      'orders.complete_cart',
      'orders.capture_payment',
      'orders.settle_cancelled',
      'orders.payment_refunded',
      'orders.settle_return',
      'orders.payment_settled',
    ]);
    expect(h.orders.definition.jobs?.map((j) => [j.name, j.intervalMs])).toEqual([
      ['orders.checkout_sweeper', 60_000],
      ['orders.checkout_attempt_retention', 3_600_000],
      ['orders.personal_data_retention', 3_600_000],
    ]);
  });

  it('[REQ-CHK-019] a post-pivot subscriber failing twice is retried until it succeeds', async () => {
    const v = uid('var');
    await stock(h, v, 5);
    const { cartId, token } = guestCart(h, snapshot({ variantId: v }));
    const before = h.cart.completionCalls();
    h.cart.failNextCompletions(2);
    const res = await placeOrder(h, cartId, { token });
    expect(res.statusCode).toBe(201);
    await waitFor(async () => h.cart.completed(cartId) === res.json().id, 15_000);
    expect(h.cart.completionCalls() - before).toBe(3);
  }, 20_000);
});
