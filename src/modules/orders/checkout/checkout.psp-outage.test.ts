// The payment provider slow, down or failing, over real HTTP: the sandbox PSP slowed (`setFault({delayMs})`),
// answering 5xx (`setFault({status})`) or not listening (`stop()`). Each checkout answers promptly with a documented
// status, its stock goes back at once, nothing stays authorized without an order, and a retry places one order.
import type { AddressInfo } from 'node:net';
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

/** The client's timeout for each provider call. */
const PSP_TIMEOUT_MS = 300;

let h: OrdersHarness;
let webhookUrl: string;
beforeAll(async () => {
  h = await startOrdersHarness({ timeoutMs: PSP_TIMEOUT_MS });
  webhookUrl = `http://127.0.0.1:${(h.t.http.server.address() as AddressInfo).port}/v1/payments/webhooks/sandbox`;
});
afterAll(async () => {
  await h?.close();
});
afterEach(async () => {
  h.hooks.afterStep = undefined;
  h.psp.setFault(undefined);
  await h.psp.start();
});

const attempts = (cartId: string) =>
  q<{ id: string; status: string; answer_status: number | null }>(
    h,
    sql`select id, status, answer_status from orders.checkout_attempts where cart_id = ${cartId} order by created_at`,
  );
const orderCount = async (cartId: string) =>
  (await q(h, sql`select id from orders.orders where cart_id = ${cartId}`)).length;
const pspPaymentsOf = (orderId: string) => [...h.psp.payments.values()].filter((p) => p.metadata.orderId === orderId);
const voidRequested = async (paymentId: string) =>
  (
    await q<{ requested: boolean }>(
      h,
      sql`select void_requested_at is not null as requested from payments.payments where id = ${paymentId}`,
    )
  )[0]?.requested === true;

async function timedOrder(cartId: string, token: string, key: string) {
  const started = performance.now();
  const res = await placeOrder(h, cartId, { token, key });
  return { res, ms: performance.now() - started };
}

/**
 * What every outage leaves behind, once the provider is back: the owed voids done, no authorization left at the
 * provider for an attempt that failed, our failed attempts' payments voided; then a retry with the same key places
 * exactly one order, charged once.
 */
async function recoversWithOneOrder(v: string, cartId: string, token: string, key: string) {
  await waitFor(async () => (await h.payments.retryVoids()).pending === 0, 15_000);
  const failed = (await attempts(cartId)).filter((a) => a.status === 'failed');
  for (const a of failed) {
    const p = await paymentOf(h, a.id);
    if (p) expect(['voided', 'failed']).toContain(p.status);
    // The provider may still be processing a request it received while slow: wait for it to settle, voided.
    await waitFor(async () => pspPaymentsOf(a.id).every((x) => x.status === 'voided' || x.status === 'failed'));
  }
  const retry = await placeOrder(h, cartId, { token, key });
  expect(retry.statusCode).toBe(201);
  expect(await orderCount(cartId)).toBe(1);
  const id = retry.json().id as string;
  await waitFor(async () => (await paymentOf(h, id))?.status === 'captured');
  expect(pspPaymentsOf(id).map((p) => p.status)).toEqual(['captured']);
  await waitFor(async () => (await level(h, v))?.onHand === 4);
  expect(await level(h, v)).toEqual({ onHand: 4, reserved: 0 });
}

/** A checkout while the provider is out (`begin`), a retry while it still is, then recovery. */
async function duringOutage(begin: () => Promise<void>) {
  const v = uid('var');
  await stock(h, v, 5);
  const { cartId, token } = guestCart(h, snapshot({ variantId: v }));
  const key = uid('key');
  await begin();
  const { res, ms } = await timedOrder(cartId, token, key);
  expect(res.statusCode).toBe(503);
  expect(res.json().code).toBe('payments.unavailable');
  expect(res.headers['retry-after']).toBe('2');
  // No provider call waited for its timeout: the answer does not depend on PSP_TIMEOUT_MS.
  expect(ms).toBeLessThan(5_000);
  const [first] = await attempts(cartId);
  expect(first).toMatchObject({ status: 'failed', answer_status: 503 });
  expect(await level(h, v)).toEqual({ onHand: 5, reserved: 0 });
  const p = await paymentOf(h, first?.id as string);
  expect(p?.status).toBe('pending');
  expect(await voidRequested(p?.id as string)).toBe(true);
  // A retry while it is still out: the same documented answer (not 409), still nothing held.
  const again = await placeOrder(h, cartId, { token, key });
  expect(again.statusCode).toBe(503);
  expect(again.json().code).toBe('payments.unavailable');
  expect(await level(h, v)).toEqual({ onHand: 5, reserved: 0 });
  expect(await orderCount(cartId)).toBe(0);
  await h.psp.start();
  h.psp.setFault(undefined);
  await recoversWithOneOrder(v, cartId, token, key);
}

describe('payment provider outage during checkout', () => {
  it('[REQ-RES-030] provider down (connection refused) → 503 payments.unavailable at once, stock released, no order; retries place one order once it is back', () =>
    duringOutage(() => h.psp.stop()));

  it('[REQ-RES-031] provider answering 503 → 503 payments.unavailable at once, stock released, no order; retries place one order once it is back', () =>
    duringOutage(async () => h.psp.setFault({ status: 503 })));

  it('[REQ-RES-031] provider answering 500 → 503 payments.unavailable at once, stock released, no order; retries place one order once it is back', () =>
    duringOutage(async () => h.psp.setFault({ status: 500 })));

  it('[REQ-RES-032] provider slow (answers after the timeout, does the work late) → 503 within three timeouts, stock released; the late authorization is voided', async () => {
    const v = uid('var');
    await stock(h, v, 5);
    const { cartId, token } = guestCart(h, snapshot({ variantId: v }));
    const key = uid('key');
    h.psp.setFault({ delayMs: 6_000 });
    const { res, ms } = await timedOrder(cartId, token, key);
    expect(res.statusCode).toBe(503);
    expect(res.json().code).toBe('payments.unavailable');
    expect(res.headers['retry-after']).toBe('2');
    // authorize, the lookup by key, the void's lookup: each gave up after its timeout, none waited for the PSP.
    expect(ms).toBeGreaterThanOrEqual(3 * PSP_TIMEOUT_MS);
    expect(ms).toBeLessThan(3 * PSP_TIMEOUT_MS + 4_000); // and well before the PSP answers (6 s)
    const [first] = await attempts(cartId);
    expect(first).toMatchObject({ status: 'failed', answer_status: 503 });
    expect(await level(h, v)).toEqual({ onHand: 5, reserved: 0 });
    expect(await orderCount(cartId)).toBe(0);
    // The PSP does the work late: it authorizes the abandoned payment; that authorization must not survive.
    await waitFor(async () => pspPaymentsOf(first?.id as string).length === 1);
    h.psp.setFault(undefined);
    await waitFor(async () => pspPaymentsOf(first?.id as string)[0]?.status === 'voided', 15_000);
    await waitFor(async () => (await paymentOf(h, first?.id as string))?.status === 'voided');
    await recoversWithOneOrder(v, cartId, token, key);
  });

  it('[REQ-RES-033] an authorization the provider creates after we voided the payment (not found by key) is voided by its webhook', async () => {
    const v = uid('var');
    await stock(h, v, 5);
    const { cartId, token } = guestCart(h, snapshot({ variantId: v }));
    const key = uid('key');
    // Creation is slow, lookups are not: the lookup by key finds nothing, so the void is done on our side only.
    h.psp.setFault({ delayMs: 1_000, createOnly: true });
    const res = await placeOrder(h, cartId, { token, key });
    expect(res.statusCode).toBe(503);
    const [first] = await attempts(cartId);
    expect((await paymentOf(h, first?.id as string))?.status).toBe('voided');
    expect(await level(h, v)).toEqual({ onHand: 5, reserved: 0 });
    await waitFor(async () => pspPaymentsOf(first?.id as string).length === 1);
    h.psp.setFault(undefined);
    await waitFor(async () => pspPaymentsOf(first?.id as string)[0]?.status === 'voided', 15_000);
    await recoversWithOneOrder(v, cartId, token, key);
  });

  it('[REQ-RES-033] the same, with its webhook lost: reconciliation voids it at the provider and reports it repaired', async () => {
    const v = uid('var');
    await stock(h, v, 5);
    const { cartId, token } = guestCart(h, snapshot({ variantId: v }));
    h.psp.setWebhookUrl(undefined);
    try {
      h.psp.setFault({ delayMs: 1_000, createOnly: true });
      const res = await placeOrder(h, cartId, { token });
      expect(res.statusCode).toBe(503);
      const [first] = await attempts(cartId);
      const id = first?.id as string;
      await waitFor(async () => pspPaymentsOf(id)[0]?.status === 'authorized');
      h.psp.setFault(undefined);
      const report = await h.payments.reconcile({
        from: new Date(Date.now() - 60_000),
        to: new Date(Date.now() + 1000),
      });
      const ours = await paymentOf(h, id);
      expect(report.repaired).toContainEqual({ paymentId: ours?.id, from: 'provider:authorized', to: 'voided' });
      expect(report.drifts.filter((d) => d.paymentId === ours?.id)).toEqual([]);
      expect(pspPaymentsOf(id)[0]?.status).toBe('voided');
    } finally {
      h.psp.setWebhookUrl(webhookUrl);
    }
  });

  it('[REQ-RES-034] a placed order cancelled while the provider is down: stock back at once, the authorization voided once it returns', async () => {
    const v = uid('var');
    await stock(h, v, 5);
    const { cartId, token } = guestCart(h, snapshot({ variantId: v }));
    // The provider goes down right after the pivot: the inline capture fails, the order stays pending (authorized).
    h.hooks.afterStep = (s) => {
      if (s === 'placed') h.psp.setFault({ status: 503 });
    };
    const res = await placeOrder(h, cartId, { token });
    expect(res.statusCode).toBe(201);
    expect(res.json().status).toBe('pending');
    const { id, orderToken } = res.json() as { id: string; orderToken: string };
    const cancel = await h.t.http.inject({
      method: 'POST',
      url: `/v1/orders/${id}/cancel`,
      headers: { 'x-order-token': orderToken },
      payload: { reason: 'changed my mind' },
    });
    expect(cancel.statusCode).toBe(200);
    const p = await paymentOf(h, id);
    await waitFor(async () => voidRequested(p?.id as string));
    await waitFor(async () => (await level(h, v))?.onHand === 5 && (await level(h, v))?.reserved === 0);
    expect((await paymentOf(h, id))?.status).toBe('authorized');
    h.psp.setFault(undefined);
    await waitFor(async () => (await h.payments.retryVoids()).pending === 0, 15_000);
    expect((await paymentOf(h, id))?.status).toBe('voided');
    expect(pspPaymentsOf(id).map((x) => x.status)).toEqual(['voided']);
    expect(await level(h, v)).toEqual({ onHand: 5, reserved: 0 });
  });

  it('[REQ-RES-034] the void job leaves owed voids alone while the provider is still down, and reports them in payments_void_requests_pending', async () => {
    const v = uid('var');
    await stock(h, v, 5);
    const { cartId, token } = guestCart(h, snapshot({ variantId: v }));
    await h.psp.stop();
    expect((await placeOrder(h, cartId, { token })).statusCode).toBe(503);
    const [first] = await attempts(cartId);
    const pass = await h.payments.retryVoids();
    expect(pass.voided).toBe(0);
    expect(pass.pending).toBeGreaterThanOrEqual(1);
    expect((await paymentOf(h, first?.id as string))?.status).toBe('pending');
    const metrics = await h.t.kernel.metrics.registry.getSingleMetricAsString('payments_void_requests_pending');
    expect(metrics).toMatch(/payments_void_requests_pending [1-9]/);
    const calls = await h.t.kernel.metrics.registry.getSingleMetricAsString('payments_provider_calls_total');
    expect(calls).toMatch(/payments_provider_calls_total\{operation="authorize",outcome="unavailable"\} [1-9]/);
    await h.psp.start();
    const after = await h.payments.retryVoids();
    expect(after.pending).toBe(0);
    expect((await paymentOf(h, first?.id as string))?.status).toBe('voided');
  });
});
