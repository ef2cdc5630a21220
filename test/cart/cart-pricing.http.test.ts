// Cart × pricing over HTTP: tax by region, shipping options, promotions and coupons, the staff pricing API.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStaff, registerCustomer, type TestIdentity } from '../support/auth.ts';
import { address, createVariant, type TestVariant } from '../support/cart.ts';
import { createTestApp, type TestApp } from '../support/create-test-app.ts';

let t: TestApp;
let staff: TestIdentity;
let tee: TestVariant;
let bag: TestVariant;

interface Cart {
  id: string;
  token: string;
  items: { id: string; discount: { amount: number }; tax: { amount: number } }[];
  totals: Record<string, { amount: number }>;
  shippingMethod: { id: string; price: { amount: number } } | null;
  promotions: { promotionId: string; code: string | null; amount: { amount: number } }[];
  rejectedCoupons: { code: string; reason: string }[];
}
const amounts = (c: Cart) => Object.fromEntries(Object.entries(c.totals).map(([k, v]) => [k, v.amount]));

beforeAll(async () => {
  t = await createTestApp();
  staff = await createStaff(t, 'admin');
  tee = await createVariant(t, staff, { price: 2000, weightGrams: 2500 });
  bag = await createVariant(t, staff, { price: 4000, weightGrams: 100 });
}, 60_000);
afterAll(async () => {
  await t?.close();
});

async function cartWith(lines: [TestVariant, number][], country = 'DE'): Promise<Cart> {
  const c = (
    await t.http.inject({ method: 'POST', url: '/v1/carts', payload: { currency: 'EUR', country } })
  ).json() as Cart;
  for (const [v, quantity] of lines) {
    await t.http.inject({
      method: 'POST',
      url: `/v1/carts/${c.id}/items`,
      headers: { 'x-cart-token': c.token },
      payload: { variantId: v.variantId, quantity },
    });
  }
  return c;
}
const patch = (c: Cart, payload: Record<string, unknown>) =>
  t.http.inject({ method: 'PATCH', url: `/v1/carts/${c.id}`, headers: { 'x-cart-token': c.token }, payload });
const staffPost = (url: string, payload: Record<string, unknown>, headers = staff.headers) =>
  t.http.inject({ method: 'POST', url, headers, payload });

describe('tax, shipping and promotions in the cart', () => {
  it('[REQ-PRC-010] tax is recomputed when the address changes; a country-only region gets its VAT', async () => {
    const c = await cartWith([[tee, 1]], 'DE');
    let body = (await patch(c, { shippingAddress: address('NL') })).json() as Cart;
    expect(amounts(body)).toMatchObject({ subtotal: 2000, tax: 420, total: 2420 });
    body = (await patch(c, { shippingAddress: address('FR') })).json() as Cart;
    expect(amounts(body)).toMatchObject({ tax: 400, total: 2400 });
    body = (await patch(c, { shippingAddress: address('US', 'CA') })).json() as Cart;
    expect(amounts(body)).toMatchObject({ tax: 0, total: 2000 });
    const put = await t.http.inject({
      method: 'PUT',
      url: '/v1/admin/tax-rates',
      headers: staff.headers,
      payload: { country: 'US', province: 'CA', rateBp: 725 },
    });
    expect(put.statusCode).toBe(200);
    body = (await patch(c, { shippingAddress: address('US', 'CA') })).json() as Cart;
    expect(amounts(body)).toMatchObject({ tax: 145, total: 2145 });
    body = (await patch(c, { shippingAddress: null })).json() as Cart;
    expect(amounts(body)).toMatchObject({ tax: 380, total: 2380 }); // back to the cart's country, DE
  });

  it("[REQ-PRC-019] each line is taxed in its product's tax category; a staff change of category shows on the next read", async () => {
    const book = await createVariant(t, staff, { price: 1000 });
    const set = (taxCategory: string) =>
      t.http.inject({
        method: 'PATCH',
        url: `/v1/products/${book.productId}`,
        headers: staff.headers,
        payload: { taxCategory },
      });
    expect((await set('reduced')).statusCode).toBe(200);
    const staffView = await t.http.inject({
      method: 'GET',
      url: `/v1/admin/products/${book.productId}`,
      headers: staff.headers,
    });
    expect(staffView.json().taxCategory).toBe('reduced');
    const c = await cartWith(
      [
        [book, 1],
        [tee, 1],
      ],
      'DE',
    );
    let body = (await patch(c, { shippingAddress: address('DE') })).json() as Cart;
    // DE: reduced 7 % on 10.00, standard 19 % on 20.00.
    expect(body.items.map((i) => i.tax.amount)).toEqual([70, 380]);
    expect(amounts(body)).toMatchObject({ subtotal: 3000, tax: 450, total: 3450 });
    // NL has no `reduced` rate seeded: a category without a rate in the region gets the region's standard rate.
    body = (await patch(c, { shippingAddress: address('NL') })).json() as Cart;
    expect(body.items.map((i) => i.tax.amount)).toEqual([210, 420]);
    expect((await set('standard')).statusCode).toBe(200);
    body = (
      await t.http.inject({ method: 'GET', url: `/v1/carts/${c.id}`, headers: { 'x-cart-token': c.token } })
    ).json() as Cart;
    expect(body.items.map((i) => i.tax.amount)).toEqual([210, 420]);
    // A malformed category is refused and changes nothing.
    const bad = await set('Reduced Rate!');
    expect(bad.statusCode).toBe(400);
    body = (
      await t.http.inject({ method: 'GET', url: `/v1/carts/${c.id}`, headers: { 'x-cart-token': c.token } })
    ).json() as Cart;
    expect(body.items.map((i) => i.tax.amount)).toEqual([210, 420]);
  });

  it('[REQ-PRC-011] shipping options by zone: flat, by weight, free above a subtotal; choosing one adds it', async () => {
    const c = await cartWith([[tee, 1]], 'DE');
    const opts = await t.http.inject({
      method: 'GET',
      url: `/v1/carts/${c.id}/shipping-options`,
      headers: { 'x-cart-token': c.token },
    });
    expect((opts.json() as { items: unknown[] }).items).toEqual([
      { id: 'shm_eu_standard', name: 'Standard (EU)', price: { amount: 495, currency: 'EUR' } },
      { id: 'shm_eu_express', name: 'Express (EU)', price: { amount: 995 + 3 * 200, currency: 'EUR' } },
    ]);
    let res = await patch(c, { shippingMethodId: 'shm_us_standard' });
    expect([res.statusCode, (res.json() as { code: string }).code]).toEqual([422, 'cart.invalid_shipping_method']);
    res = await patch(c, { shippingMethodId: 'shm_eu_standard' });
    expect(amounts(res.json() as Cart)).toMatchObject({ subtotal: 2000, shipping: 495, tax: 380, total: 2875 });
    await t.http.inject({
      method: 'POST',
      url: `/v1/carts/${c.id}/items`,
      headers: { 'x-cart-token': c.token },
      payload: { variantId: bag.variantId, quantity: 1 },
    });
    const body = (
      await t.http.inject({ method: 'GET', url: `/v1/carts/${c.id}`, headers: { 'x-cart-token': c.token } })
    ).json() as Cart;
    expect(amounts(body)).toMatchObject({ subtotal: 6000, shipping: 0, tax: 1140, total: 7140 });
  });

  it('[REQ-PRC-020] staff change and retire a shipping method; carts that chose it follow; bad changes change nothing', async () => {
    const created = await staffPost('/v1/admin/shipping-methods', {
      name: 'Courier (DE)',
      countries: ['DE'],
      currency: 'EUR',
      kind: 'flat',
      price: 700,
    });
    expect(created.statusCode).toBe(201);
    const id = created.json().id as string;
    const c = await cartWith([[tee, 1]], 'DE');
    expect(amounts((await patch(c, { shippingMethodId: id })).json() as Cart)).toMatchObject({ shipping: 700 });
    const staffCall = (method: 'PATCH' | 'DELETE', url: string, payload?: Record<string, unknown>) =>
      t.http.inject({ method, url, headers: staff.headers, ...(payload ? { payload } : {}) });
    const changed = await staffCall('PATCH', `/v1/admin/shipping-methods/${id}`, { price: 650, name: 'Courier' });
    expect(changed.statusCode).toBe(200);
    expect(changed.json()).toMatchObject({ id, name: 'Courier', price: 650, countries: ['DE'], kind: 'flat' });
    const read = () =>
      t.http
        .inject({ method: 'GET', url: `/v1/carts/${c.id}`, headers: { 'x-cart-token': c.token } })
        .then((r) => r.json() as Cart);
    expect(amounts(await read())).toMatchObject({ shipping: 650, total: 2000 + 380 + 650 });
    // Refused, and nothing changed.
    expect((await staffCall('PATCH', `/v1/admin/shipping-methods/${id}`, {})).statusCode).toBe(400);
    expect((await staffCall('PATCH', `/v1/admin/shipping-methods/${id}`, { price: -1 })).statusCode).toBe(400);
    expect((await staffCall('PATCH', `/v1/admin/shipping-methods/${id}`, { currency: 'euro' })).statusCode).toBe(400);
    const missing = await staffCall('PATCH', '/v1/admin/shipping-methods/shm_nope', { price: 1 });
    expect([missing.statusCode, missing.json().code]).toEqual([404, 'pricing.not_found']);
    expect(amounts(await read())).toMatchObject({ shipping: 650 });
    // Retired: no longer offered, the cart that chose it has no method, a second delete is a no-op.
    expect((await staffCall('DELETE', `/v1/admin/shipping-methods/${id}`)).statusCode).toBe(204);
    expect((await staffCall('DELETE', `/v1/admin/shipping-methods/${id}`)).statusCode).toBe(204);
    expect((await staffCall('DELETE', '/v1/admin/shipping-methods/shm_nope')).statusCode).toBe(404);
    expect((await staffCall('PATCH', `/v1/admin/shipping-methods/${id}`, { price: 1 })).statusCode).toBe(404);
    const after = await read();
    expect(after.shippingMethod).toBeNull();
    expect(amounts(after)).toMatchObject({ shipping: 0, total: 2380 });
    const opts = await t.http.inject({
      method: 'GET',
      url: `/v1/carts/${c.id}/shipping-options`,
      headers: { 'x-cart-token': c.token },
    });
    expect((opts.json() as { items: { id: string }[] }).items.map((o) => o.id)).not.toContain(id);
  });

  it('[REQ-PRC-012] coupons apply in the documented order; rejected ones say why', async () => {
    const ten = await staffPost('/v1/admin/promotions', {
      name: '10 %',
      kind: 'percentage',
      value: 1000,
      codes: ['TEN'],
    });
    expect(ten.statusCode).toBe(201);
    await staffPost('/v1/admin/promotions', {
      name: 'Big spender',
      kind: 'fixed',
      value: 1000,
      currency: 'EUR',
      minSubtotal: 100000,
      codes: ['BIG'],
    });
    await staffPost('/v1/admin/promotions', {
      name: 'Old',
      kind: 'free_shipping',
      endsAt: '2020-01-01T00:00:00Z',
      codes: ['OLD'],
    });
    await staffPost('/v1/admin/promotions', {
      name: 'Bag sale',
      kind: 'fixed',
      value: 500,
      currency: 'EUR',
      automatic: true,
      productIds: [bag.productId],
    });
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString();
    const later = await staffPost('/v1/admin/promotions', {
      name: 'Flash sale',
      kind: 'percentage',
      value: 5000,
      automatic: true,
      startsAt: tomorrow,
    });
    expect(later.statusCode).toBe(201);
    const c = await cartWith(
      [
        [tee, 1],
        [bag, 1],
      ],
      'DE',
    );
    for (const code of ['ten', 'BIG', 'OLD', 'NOPE']) await patch(c, { couponCode: code });
    const body = (
      await t.http.inject({ method: 'GET', url: `/v1/carts/${c.id}`, headers: { 'x-cart-token': c.token } })
    ).json() as Cart;
    // sale: 500 off the bag (4000 → 3500); then 10 % of 5500 = 550, split 200 / 350
    expect(body.promotions.map((p) => [p.code, p.amount.amount])).toEqual([
      [null, 500],
      ['TEN', 550],
    ]);
    expect(body.items.map((i) => i.discount.amount)).toEqual([200, 850]);
    expect(body.rejectedCoupons).toEqual([
      { code: 'OLD', reason: 'expired' },
      { code: 'NOPE', reason: 'unknown_code' },
      { code: 'BIG', reason: 'min_subtotal_not_met' },
    ]);
    // tax per line after discount: 1800 × 19 % = 342, 3150 × 19 % = 598.5 → 599
    expect(amounts(body)).toMatchObject({ subtotal: 6000, discount: 1050, tax: 941, total: 5891 });
    const cleared = (await patch(c, { couponCode: null })).json() as Cart;
    expect(cleared.promotions.map((p) => p.code)).toEqual([null]);
  });

  it('[REQ-PRC-006] staff pricing API: pricing:write required; invalid rules refused with pricing.invalid and nothing stored', async () => {
    const customer = await registerCustomer(t);
    const denied = await staffPost(
      '/v1/admin/promotions',
      { name: 'x', kind: 'percentage', value: 10, codes: ['XX'] },
      customer.headers,
    );
    expect(denied.statusCode).toBe(403);
    const before = (
      await t.http.inject({ method: 'GET', url: '/v1/admin/promotions', headers: staff.headers })
    ).json() as { items: unknown[] };
    for (const [payload, status, code] of [
      [{ name: 'x', kind: 'percentage', value: 20000, codes: ['BAD1'] }, 422, 'pricing.invalid'],
      [{ name: 'x', kind: 'fixed', value: 100, codes: ['BAD2'] }, 422, 'pricing.invalid'],
      [{ name: 'x', kind: 'percentage', value: 100 }, 422, 'pricing.invalid'],
      [{ name: 'x', kind: 'percentage', value: 100, codes: ['TEN'] }, 409, 'pricing.duplicate'],
      [{ name: 'x', kind: 'bogus', codes: ['BAD3'] }, 400, 'request.validation_failed'],
    ] as const) {
      const res = await staffPost('/v1/admin/promotions', payload);
      expect([res.statusCode, (res.json() as { code: string }).code]).toEqual([status, code]);
    }
    const after = (
      await t.http.inject({ method: 'GET', url: '/v1/admin/promotions', headers: staff.headers })
    ).json() as { items: unknown[] };
    expect(after.items).toHaveLength(before.items.length);
    const sm = await staffPost('/v1/admin/shipping-methods', {
      name: 'Pickup',
      countries: ['DE'],
      currency: 'EUR',
      kind: 'flat',
      price: 0,
    });
    expect(sm.statusCode).toBe(201);
    const badSm = await staffPost('/v1/admin/shipping-methods', {
      name: 'X',
      countries: ['germany'],
      currency: 'EUR',
      kind: 'flat',
      price: -1,
    });
    expect(badSm.statusCode).toBe(400);
  });
});
