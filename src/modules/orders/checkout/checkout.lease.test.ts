// The checkout lease with the default length (10 s): the holder renews it while it works, so a step longer than the
// lease keeps it; a dead holder's lease is not renewed, the 409 says how long is left, and the first retry after it
// ran out takes the attempt over (one order, one authorization).
import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
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
import { DEFAULT_LEASE_MS } from './checkout.lease.ts';

const LEASE_MS = DEFAULT_LEASE_MS;

let h: OrdersHarness;
beforeAll(async () => {
  h = await startOrdersHarness({ leaseMs: LEASE_MS, timeoutMs: 20_000 });
});
afterAll(async () => {
  await h?.close();
});
afterEach(() => {
  h.hooks.afterStep = undefined;
  h.psp.setFault(undefined);
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const attemptOf = async (cartId: string) =>
  (
    await q<{ id: string; status: string; steps: string[]; claimed_until: Date; answer: { code?: string } | null }>(
      h,
      sql`select id, status, steps, claimed_until, answer from orders.checkout_attempts where cart_id = ${cartId}
        order by created_at desc limit 1`,
    )
  )[0];
const orderCount = async (cartId: string) =>
  (await q(h, sql`select id from orders.orders where cart_id = ${cartId}`)).length;
const pspPaymentsOf = (orderId: string) => [...h.psp.payments.values()].filter((p) => p.metadata.orderId === orderId);

/** A checkout whose process dies right after `step`: the request fails, the attempt is left running. */
async function diesAfter(step: 'reserved' | 'authorized') {
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
  const dead = await attemptOf(cartId);
  expect(dead?.status).toBe('running');
  return { v, cartId, token, key, dead: dead as NonNullable<typeof dead> };
}

describe('checkout lease', () => {
  it('[REQ-RES-035] a holder whose provider call outlasts the lease keeps renewing it: others get 409 Retry-After 1, it places the order', async () => {
    const v = uid('var');
    await stock(h, v, 5);
    const { cartId, token } = guestCart(h, snapshot({ variantId: v }));
    const key = uid('key');
    // Only the authorization is slow (longer than the lease); lookups and the capture answer at once.
    h.psp.setFault({ delayMs: LEASE_MS + 1_500, createOnly: true });
    const started = Date.now();
    const holder = placeOrder(h, cartId, { token, key });
    const first = await waitFor(async () => {
      const a = await attemptOf(cartId);
      return a?.steps.includes('reserved') && a;
    });
    // Past the lease the holder would have had without renewing: it is still the holder, others are told to wait.
    await sleep(Math.max(0, started + LEASE_MS + 500 - Date.now()));
    const now = await attemptOf(cartId);
    expect(now?.status).toBe('running');
    expect(now?.claimed_until.getTime()).toBeGreaterThan(first.claimed_until.getTime());
    const sameKey = await placeOrder(h, cartId, { token, key });
    const otherKey = await placeOrder(h, cartId, { token });
    for (const r of [sameKey, otherKey]) {
      expect(r.statusCode).toBe(409);
      expect(r.json().code).toBe('orders.checkout_in_progress');
      expect(r.headers['retry-after']).toBe('1');
    }
    const res = await holder;
    expect(res.statusCode).toBe(201);
    expect(res.json().id).toBe(first.id);
    expect(await orderCount(cartId)).toBe(1);
    await waitFor(async () => (await paymentOf(h, first.id as string))?.status === 'captured');
    expect(pspPaymentsOf(first.id as string).map((p) => p.status)).toEqual(['captured']);
  }, 40_000);

  for (const step of ['reserved', 'authorized'] as const) {
    it(`[REQ-RES-036] the holder dies after "${step}": its lease is not renewed; the first retry after it ran out takes over and places the same order`, async () => {
      const { v, cartId, token, key, dead } = await diesAfter(step);
      const died = Date.now();
      // Longer than a renewal period: nobody renews a dead holder's lease.
      await sleep(LEASE_MS / 5 + 1_000);
      expect((await attemptOf(cartId))?.claimed_until.getTime()).toBe(dead.claimed_until.getTime());
      // The client honours Retry-After until it gets its order.
      const waits: number[] = [];
      let res = await placeOrder(h, cartId, { token, key });
      while (res.statusCode === 409 && Date.now() - died < 3 * LEASE_MS) {
        expect(res.json().code).toBe('orders.checkout_in_progress');
        const after = Number(res.headers['retry-after']);
        waits.push(after);
        expect(after).toBeGreaterThanOrEqual(1);
        expect(after).toBeLessThanOrEqual(LEASE_MS / 1000);
        await sleep(after * 1000);
        res = await placeOrder(h, cartId, { token, key });
      }
      expect(res.statusCode).toBe(201);
      expect(res.json().id).toBe(dead.id);
      // A holder that stopped renewing is told the time left, not "1 s" over and over.
      expect(waits.length).toBeLessThanOrEqual(3);
      expect(await orderCount(cartId)).toBe(1);
      await waitFor(async () => (await paymentOf(h, dead.id))?.status === 'captured');
      expect(pspPaymentsOf(dead.id).map((p) => p.status)).toEqual(['captured']);
      await waitFor(async () => (await level(h, v))?.onHand === 4);
      expect(await level(h, v)).toEqual({ onHand: 4, reserved: 0 });
    }, 40_000);
  }

  it('[REQ-RES-037] Retry-After on the 409: 1 s right after the holder wrote, then the seconds left on a lease no longer renewed', async () => {
    const { cartId, token, key, dead } = await diesAfter('reserved');
    const fresh = await placeOrder(h, cartId, { token, key });
    expect(fresh.statusCode).toBe(409);
    expect(fresh.headers['retry-after']).toBe('1');
    // As if the holder had been silent for 5 s: 5 s of the lease left.
    await sql`update orders.checkout_attempts set claimed_until = now() + interval '5 seconds' where id = ${dead.id}`.execute(
      h.t.kernel.db.k,
    );
    const stale = await placeOrder(h, cartId, { token, key });
    expect(stale.statusCode).toBe(409);
    expect(['4', '5']).toContain(stale.headers['retry-after']);
    await sql`update orders.checkout_attempts set claimed_until = now() - interval '1 second' where id = ${dead.id}`.execute(
      h.t.kernel.db.k,
    );
    const taken = await placeOrder(h, cartId, { token, key });
    expect(taken.statusCode).toBe(201);
    expect(taken.json().id).toBe(dead.id);
  });

  it('[REQ-RES-038] the sweeper leaves a just-expired lease to the retrying client for one more lease, then compensates', async () => {
    const { v, cartId, dead } = await diesAfter('authorized');
    await sql`update orders.checkout_attempts set claimed_until = now() - interval '1 second' where id = ${dead.id}`.execute(
      h.t.kernel.db.k,
    );
    expect(await h.orders.sweep()).toBe(0);
    expect((await attemptOf(cartId))?.status).toBe('running');
    await sql`update orders.checkout_attempts set claimed_until = now() - ${LEASE_MS + 1000} * interval '1 millisecond'
      where id = ${dead.id}`.execute(h.t.kernel.db.k);
    expect(await h.orders.sweep()).toBe(1);
    expect(await attemptOf(cartId)).toMatchObject({
      status: 'failed',
      answer: { code: 'orders.checkout_interrupted' },
    });
    expect((await paymentOf(h, dead.id))?.status).toBe('voided');
    expect(pspPaymentsOf(dead.id).map((p) => p.status)).toEqual(['voided']);
    expect(await level(h, v)).toEqual({ onHand: 5, reserved: 0 });
  });

  it('[REQ-RES-038] an attempt the sweeper cannot compensate now does not hold up the others; it is left for the next pass', async () => {
    const promo = uid('promo');
    h.pricing.setLimit(promo, 10);
    const stuck = uid('var');
    await stock(h, stuck, 5);
    const bad = guestCart(h, snapshot({ variantId: stuck, promotionId: promo }));
    h.hooks.afterStep = (s) => {
      if (s === 'redeemed') throw new Error('simulated process death');
    };
    expect((await placeOrder(h, bad.cartId, { token: bad.token })).statusCode).toBe(500);
    h.hooks.afterStep = undefined;
    const { v, cartId, dead } = await diesAfter('reserved');
    const badAttempt = await attemptOf(bad.cartId);
    await sql`update orders.checkout_attempts set claimed_until = now() - interval '1 hour'
      where id = any(${[dead.id, badAttempt?.id]})`.execute(h.t.kernel.db.k);
    const release = h.pricing.releaseRedemptions;
    h.pricing.releaseRedemptions = async (c, key) => {
      if (key === `checkout:${badAttempt?.id}`) throw new Error('pricing unavailable');
      return release.call(h.pricing, c, key);
    };
    try {
      await expect(h.orders.sweep()).rejects.toThrow(/1 attempt\(s\) left for the next pass/);
      expect((await attemptOf(cartId))?.status).toBe('failed');
      expect(await level(h, v)).toEqual({ onHand: 5, reserved: 0 });
      expect((await attemptOf(bad.cartId))?.status).toBe('compensating');
    } finally {
      h.pricing.releaseRedemptions = release;
    }
    await sql`update orders.checkout_attempts set claimed_until = now() - interval '1 hour'
      where id = ${badAttempt?.id}`.execute(h.t.kernel.db.k);
    expect(await h.orders.sweep()).toBe(1);
    expect((await attemptOf(bad.cartId))?.status).toBe('failed');
    expect(await level(h, stuck)).toEqual({ onHand: 5, reserved: 0 });
    expect(h.pricing.used(promo)).toEqual({ reserved: 0, committed: 0 });
  });

  it('[REQ-RES-038] the holder died while compensating: a retry finishes the compensation, then places a fresh order', async () => {
    const { v, cartId, token, key, dead } = await diesAfter('reserved');
    await sql`update orders.checkout_attempts set status = 'compensating', claimed_until = now() - interval '1 second'
      where id = ${dead.id}`.execute(h.t.kernel.db.k);
    const res = await placeOrder(h, cartId, { token, key });
    expect(res.statusCode).toBe(201);
    expect(res.json().id).not.toBe(dead.id);
    const old = (
      await q<{ status: string; answer: { code: string } }>(
        h,
        sql`select status, answer from orders.checkout_attempts where id = ${dead.id}`,
      )
    )[0];
    expect(old).toMatchObject({ status: 'failed', answer: { code: 'orders.checkout_interrupted' } });
    expect(await orderCount(cartId)).toBe(1);
    await waitFor(async () => (await level(h, v))?.onHand === 4);
    expect(await level(h, v)).toEqual({ onHand: 4, reserved: 0 });
  });
});
