// The whole purchase through a listening server, the sandbox PSP over HTTP with its chaos setting on,
// and (in CI) real PostgreSQL: browse → cart → address and shipping → order → webhook → paid.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/create-test-app.ts';
import { listen } from '../support/listen.ts';

let t: TestApp;
let base: string;
beforeAll(async () => {
  t = await createTestApp({
    env: { DEMO_DATA: 'on', SANDBOX_CHAOS: 'duplicate,reorder', SANDBOX_CHAOS_DELAY_MS: '50' },
  });
  base = await listen(t.http);
});
afterAll(async () => {
  await t.close();
});

async function api(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(base + path, {
    method,
    headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

type M = { amount: number; currency: string };

describe('checkout end to end [REQ-CHK-090]', () => {
  it('[REQ-CHK-090] a guest buys an in-stock variant with tok_visa and the order becomes paid', async () => {
    const list = await api('GET', '/v1/products?limit=50');
    expect(list.status).toBe(200);
    const variant = list.body.items
      .flatMap((p: { variants: { id: string; inStock: boolean; available: number }[] }) => p.variants)
      .find((v: { inStock: boolean; available: number }) => v.inStock && v.available >= 2);
    expect(variant).toBeDefined();

    const cart = await api('POST', '/v1/carts', { currency: 'EUR', country: 'DE' });
    expect(cart.status).toBe(201);
    const creds = { 'x-cart-token': cart.body.token as string };
    const cartId = cart.body.id as string;

    const added = await api('POST', `/v1/carts/${cartId}/items`, { variantId: variant.id, quantity: 2 }, creds);
    expect([200, 201]).toContain(added.status);
    const address = {
      name: 'Ada Lovelace',
      line1: 'Unter den Linden 1',
      city: 'Berlin',
      postalCode: '10117',
      country: 'DE',
    };
    const patched = await api(
      'PATCH',
      `/v1/carts/${cartId}`,
      { email: 'ada@example.com', shippingAddress: address },
      creds,
    );
    expect(patched.status).toBe(200);
    const options = await api('GET', `/v1/carts/${cartId}/shipping-options`, undefined, creds);
    expect(options.status).toBe(200);
    const method = options.body.items[0];
    const ready = await api('PATCH', `/v1/carts/${cartId}`, { shippingMethodId: method.id }, creds);
    expect(ready.status).toBe(200);
    const totals = ready.body.totals as { subtotal: M; discount: M; shipping: M; tax: M; total: M };
    expect(totals.total.amount).toBe(
      totals.subtotal.amount + totals.shipping.amount - totals.discount.amount + totals.tax.amount,
    );

    const key = randomUUID();
    const order = await api(
      'POST',
      '/v1/orders',
      { cartId, payment: { provider: 'sandbox', token: 'tok_visa' } },
      { ...creds, 'idempotency-key': key },
    );
    expect(order.status).toBe(201);
    expect(order.body.totals.total).toEqual(totals.total);
    const replay = await api(
      'POST',
      '/v1/orders',
      { cartId, payment: { provider: 'sandbox', token: 'tok_visa' } },
      { ...creds, 'idempotency-key': key },
    );
    expect(replay.body.id).toBe(order.body.id);

    let status = order.body.status as string;
    for (let i = 0; i < 100 && status !== 'paid'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      status = (await api('GET', `/v1/orders/${order.body.id}`, undefined, { 'x-order-token': order.body.orderToken }))
        .body.status;
    }
    expect(status).toBe('paid');
    // The cart is completed: it refuses more items.
    const late = await api('POST', `/v1/carts/${cartId}/items`, { variantId: variant.id, quantity: 1 }, creds);
    expect(late.status).toBe(409);
  });
});
