// The provider times out (its answer comes after the client's timeout): payments finds the authorization by its
// idempotency key, so the checkout still places exactly one order, charged once.
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  guestCart,
  level,
  type OrdersHarness,
  paymentOf,
  placeOrder,
  snapshot,
  startOrdersHarness,
  stock,
  uid,
  waitFor,
} from '../../../../test/support/orders-harness.ts';

let h: OrdersHarness;
beforeAll(async () => {
  h = await startOrdersHarness({ timeoutMs: 300 });
});
afterAll(async () => {
  await h?.close();
});

it('[REQ-CHK-024] provider timeout, then the authorization is found by key → 201, one payment, captured once', async () => {
  const v = uid('var');
  await stock(h, v, 5);
  const { cartId, token } = guestCart(h, snapshot({ variantId: v }));
  const key = uid('key');
  const res = await placeOrder(h, cartId, { token, key, payToken: 'tok_timeout' });
  expect(res.statusCode).toBe(201);
  const id = res.json().id as string;
  const p = await waitFor(async () => {
    const x = await paymentOf(h, id);
    return x?.status === 'captured' && x;
  });
  expect(p.amount).toBe(res.json().totals.total.amount);
  expect(p.capturedAmount).toBe(p.amount);
  expect([...h.psp.payments.values()].filter((x) => x.id === p.providerPaymentId).length).toBe(1);
  const replay = await placeOrder(h, cartId, { token, key, payToken: 'tok_timeout' });
  expect(replay.json().id).toBe(id);
  await waitFor(async () => (await level(h, v))?.onHand === 4);
});
