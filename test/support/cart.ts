// Cart test helpers: products created over the staff catalog API, stock over the inventory API.
import { randomBytes } from 'node:crypto';
import type { TestIdentity } from './auth.ts';
import type { TestApp } from './create-test-app.ts';

export interface TestVariant {
  productId: string;
  variantId: string;
  sku: string;
}

/** Creates a product with one variant priced in EUR (and USD); stock untracked unless `stock` is given. */
export async function createVariant(
  t: TestApp,
  staff: TestIdentity,
  opts: {
    price: number;
    usd?: number;
    status?: 'published' | 'draft';
    weightGrams?: number;
    stock?: number;
    categoryIds?: string[];
  },
): Promise<TestVariant> {
  const tag = randomBytes(4).toString('hex');
  const sku = `SKU-${tag}`;
  const res = await t.http.inject({
    method: 'POST',
    url: '/v1/products',
    headers: staff.headers,
    payload: {
      slug: `p-${tag}`,
      name: `Product ${tag}`,
      status: opts.status ?? 'published',
      ...(opts.categoryIds ? { categoryIds: opts.categoryIds } : {}),
      variants: [
        {
          sku,
          weightGrams: opts.weightGrams ?? 500,
          prices: [
            { currency: 'EUR', amount: opts.price },
            ...(opts.usd !== undefined ? [{ currency: 'USD', amount: opts.usd }] : []),
          ],
        },
      ],
    },
  });
  if (res.statusCode !== 201) throw new Error(`product: ${res.statusCode} ${res.body}`);
  const body = res.json() as { id: string; variants: { id: string }[] };
  const variantId = body.variants[0]?.id ?? '';
  if (opts.stock === undefined) {
    const p = await t.http.inject({
      method: 'PUT',
      url: `/v1/admin/inventory/${variantId}/policy`,
      headers: staff.headers,
      payload: { mode: 'untracked' },
    });
    if (p.statusCode >= 300) throw new Error(`policy: ${p.statusCode} ${p.body}`);
  } else {
    const wh = await t.http.inject({
      method: 'POST',
      url: '/v1/admin/warehouses',
      headers: staff.headers,
      payload: { name: `WH ${tag}`, country: 'DE' },
    });
    const adj = await t.http.inject({
      method: 'POST',
      url: '/v1/admin/inventory/adjustments',
      headers: staff.headers,
      payload: { variantId, warehouseId: (wh.json() as { id: string }).id, quantity: opts.stock, reason: 'receipt' },
    });
    if (adj.statusCode !== 201) throw new Error(`stock: ${adj.statusCode} ${adj.body}`);
  }
  return { productId: body.id, variantId, sku };
}

export const address = (country: string, region?: string) => ({
  name: 'Ada Lovelace',
  line1: 'Main St 1',
  city: 'Berlin',
  postalCode: '10115',
  country,
  ...(region ? { region } : {}),
});

/**
 * A cart ready for checkout over REST: `quantity` of the variant, an email, a German address and the first shipping
 * option (plus a coupon when given). A guest cart unless `auth` carries a customer's Bearer token.
 */
export async function readyCart(
  t: TestApp,
  variantId: string,
  opts: { quantity?: number; couponCode?: string; auth?: Record<string, string> } = {},
): Promise<{ id: string; token: string; headers: Record<string, string>; totals: Record<string, { amount: number }> }> {
  const auth = opts.auth ?? {};
  const created = await t.http.inject({
    method: 'POST',
    url: '/v1/carts',
    headers: auth,
    payload: { currency: 'EUR', country: 'DE' },
  });
  const c = created.json() as { id: string; token: string };
  const headers = { ...auth, 'x-cart-token': c.token };
  const call = async (method: 'POST' | 'PATCH' | 'GET', url: string, payload?: object) => {
    const res = await t.http.inject({ method, url, headers, ...(payload ? { payload } : {}) });
    if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
    return res.json();
  };
  await call('POST', `/v1/carts/${c.id}/items`, { variantId, quantity: opts.quantity ?? 1 });
  await call('PATCH', `/v1/carts/${c.id}`, {
    email: 'shopper@example.com',
    shippingAddress: address('DE'),
    ...(opts.couponCode ? { couponCode: opts.couponCode } : {}),
  });
  const options = await call('GET', `/v1/carts/${c.id}/shipping-options`);
  const cart = await call('PATCH', `/v1/carts/${c.id}`, { shippingMethodId: options.items[0].id });
  return { id: c.id, token: c.token, headers, totals: cart.totals };
}

export type ReadyCart = Awaited<ReturnType<typeof readyCart>>;

/** `POST /v1/orders` for a ready cart with this Idempotency-Key, paying with a sandbox token. */
export const placeOrder = (t: TestApp, c: ReadyCart, key: string, token: string) =>
  t.http.inject({
    method: 'POST',
    url: '/v1/orders',
    headers: { ...c.headers, 'idempotency-key': key },
    payload: { cartId: c.id, payment: { provider: 'sandbox', token } },
  });

/** `fn`'s first defined answer, asked every 50 ms for up to `ms` (then it throws). */
export async function poll<T>(fn: () => Promise<T | undefined>, ms = 15_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error('poll: timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}
