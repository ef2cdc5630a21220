// What happens outside the dashboard in the end-to-end journeys, over the public API: customers place orders (with
// a coupon, optionally) and ask for returns; a second product to archive.
import { randomUUID } from 'node:crypto';
import type { TestIdentity } from '../support/auth.ts';
import { address } from '../support/cart.ts';
import type { TestApp } from '../support/create-test-app.ts';

export interface PlacedOrder {
  id: string;
  number: string;
  status: string;
  orderToken: string;
  totals: { total: { amount: number; currency: string }; discount: { amount: number } };
}

async function call(t: TestApp, method: 'GET' | 'POST' | 'PATCH', url: string, headers: object, payload?: object) {
  const res = await t.http.inject({
    method,
    url,
    headers: headers as Record<string, string>,
    ...(payload ? { payload } : {}),
  });
  if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
  return res.json();
}

/**
 * A guest's order of the given variants (a German address, the first shipping option, paid in the sandbox); with
 * `customer`, the order of that signed-in account.
 */
export async function placeOrder(
  t: TestApp,
  lines: { variantId: string; quantity: number }[],
  opts: { couponCode?: string; email?: string; customer?: { headers: Record<string, string> } } = {},
): Promise<PlacedOrder> {
  const cart = await call(t, 'POST', '/v1/carts', opts.customer?.headers ?? {}, { currency: 'EUR', country: 'DE' });
  const headers = { ...opts.customer?.headers, 'x-cart-token': cart.token };
  for (const l of lines) await call(t, 'POST', `/v1/carts/${cart.id}/items`, headers, l);
  await call(t, 'PATCH', `/v1/carts/${cart.id}`, headers, {
    email: opts.email ?? 'shopper@example.com',
    shippingAddress: address('DE'),
    ...(opts.couponCode ? { couponCode: opts.couponCode } : {}),
  });
  const options = await call(t, 'GET', `/v1/carts/${cart.id}/shipping-options`, headers);
  await call(t, 'PATCH', `/v1/carts/${cart.id}`, headers, { shippingMethodId: options.items[0].id });
  const order = await call(
    t,
    'POST',
    '/v1/orders',
    { ...headers, 'idempotency-key': randomUUID() },
    { cartId: cart.id, payment: { provider: 'sandbox', token: 'tok_visa' } },
  );
  return order as PlacedOrder;
}

/** The guest asks to return units of a shipped order (with the order's token). */
export async function requestReturn(t: TestApp, order: PlacedOrder, variantId: string, quantity: number) {
  return call(
    t,
    'POST',
    `/v1/orders/${order.id}/returns`,
    { 'x-order-token': order.orderToken, 'idempotency-key': randomUUID() },
    { items: [{ variantId, quantity }], reason: 'Too small' },
  ) as Promise<{ id: string; status: string }>;
}

export async function createProduct(t: TestApp, staff: TestIdentity, name: string): Promise<{ id: string }> {
  const slug = `${name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-${randomUUID().slice(0, 8)}`;
  return call(t, 'POST', '/v1/products', staff.headers, {
    slug,
    name,
    status: 'published',
    variants: [{ sku: `SKU-${randomUUID().slice(0, 8)}`, prices: [{ currency: 'EUR', amount: 900 }] }],
  });
}
