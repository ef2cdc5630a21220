// A shopper's calls for the soak and checkout benches: a cart with a few items, and the whole purchase (the flow
// bench/checkout.ts measures: create cart → add item → address → shipping options → shipping method → place order with
// tok_visa → poll until paid), plus a pool of stocked variants set up as staff.
import { randomUUID } from 'node:crypto';
import { call } from './server.ts';

const ADDRESS = { name: 'Bench Shopper', line1: 'Street 1', city: 'Berlin', postalCode: '10117', country: 'DE' };

/** Up to `n` published variants with stock, each topped up by `units` in a new warehouse (so the soak never sells out). */
export async function stockedPool(base: string, auth: Record<string, string>, n: number, units: number) {
  const out: string[] = [];
  for (let page = 1; page <= 10 && out.length < n; page++) {
    const r = await call(base, 'GET', `/v1/products?limit=100&page=${page}`);
    for (const p of r.body.items) for (const v of p.variants) if (v.available > 0 && out.length < n) out.push(v.id);
    if (r.body.items.length < 100) break;
  }
  if (!out.length) throw new Error('no stocked variants: start the server with DEMO_DATA=on');
  const wh = await call(base, 'POST', '/v1/admin/warehouses', { name: `Soak ${Date.now()}`, country: 'DE' }, auth);
  if (wh.status !== 201) throw new Error(`warehouse: ${wh.status} ${JSON.stringify(wh.body)}`);
  for (const variantId of out) {
    const r = await call(
      base,
      'POST',
      '/v1/admin/inventory/adjustments',
      { variantId, warehouseId: wh.body.id, quantity: units, reason: 'receipt' },
      auth,
    );
    if (r.status >= 300) throw new Error(`stock: ${r.status} ${JSON.stringify(r.body)}`);
  }
  return out;
}

/** A new cart with `variants` added one by one; ok when every call succeeded. */
export async function fillCart(base: string, variants: string[]): Promise<boolean> {
  const cart = await call(base, 'POST', '/v1/carts', { currency: 'EUR', country: 'DE' });
  if (cart.status !== 201) return false;
  const h = { 'x-cart-token': cart.body.token as string };
  for (const variantId of variants) {
    const r = await call(base, 'POST', `/v1/carts/${cart.body.id}/items`, { variantId, quantity: 1 }, h);
    if (r.status >= 300) return false;
  }
  return true;
}

/** One purchase, until the order is paid (or 30 s pass). */
export async function checkout(base: string, variantId: string): Promise<{ ok: boolean; ms: number; status: number }> {
  const t0 = performance.now();
  const cart = await call(base, 'POST', '/v1/carts', { currency: 'EUR', country: 'DE' });
  if (cart.status !== 201) return { ok: false, ms: performance.now() - t0, status: cart.status };
  const h = { 'x-cart-token': cart.body.token as string };
  const id = cart.body.id as string;
  await call(base, 'POST', `/v1/carts/${id}/items`, { variantId, quantity: 1 }, h);
  await call(base, 'PATCH', `/v1/carts/${id}`, { email: 'bench@example.com', shippingAddress: ADDRESS }, h);
  const options = await call(base, 'GET', `/v1/carts/${id}/shipping-options`, undefined, h);
  const methodId = options.body?.items?.[0]?.id;
  if (!methodId) return { ok: false, ms: performance.now() - t0, status: options.status };
  await call(base, 'PATCH', `/v1/carts/${id}`, { shippingMethodId: methodId }, h);
  const order = await call(
    base,
    'POST',
    '/v1/orders',
    { cartId: id, payment: { provider: 'sandbox', token: 'tok_visa' } },
    { ...h, 'idempotency-key': randomUUID() },
  );
  if (order.status !== 201) return { ok: false, ms: performance.now() - t0, status: order.status };
  let status = order.body.status as string;
  while (status !== 'paid' && performance.now() - t0 < 30_000) {
    await new Promise((r) => setTimeout(r, 20));
    const r = await call(base, 'GET', `/v1/orders/${order.body.id}`, undefined, {
      'x-order-token': order.body.orderToken,
    });
    status = r.body?.status;
  }
  return { ok: status === 'paid', ms: performance.now() - t0, status: order.status };
}
