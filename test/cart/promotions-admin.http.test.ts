// Staff promotions over HTTP: bundles seen on a cart; read, partial update and delete (archive) with their
// error paths, each asserting that nothing changed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPricingModule, type PricingApi } from '../../src/modules/pricing/index.ts';
import { systemCtx } from '../../src/platform/context.ts';
import { createStaff, registerCustomer, type TestIdentity } from '../support/auth.ts';
import { createVariant, type TestVariant } from '../support/cart.ts';
import { createTestApp, type TestApp } from '../support/create-test-app.ts';

let t: TestApp;
let staff: TestIdentity;
let pricing: PricingApi;
let phone: TestVariant;
let phoneCase: TestVariant;
let charger: TestVariant;
let shirt: TestVariant;
const ctx = systemCtx('test');

interface Cart {
  id: string;
  token: string;
  items: { discount: { amount: number }; tax: { amount: number } }[];
  totals: Record<string, { amount: number }>;
  promotions: { promotionId: string; name: string; code: string | null; amount: { amount: number } }[];
  rejectedCoupons: { code: string; reason: string }[];
}
interface Promotion {
  id: string;
  redemptions: number;
  usageLimit: number | null;
  active: boolean;
  endsAt: string | null;
  value: number;
  deletedAt: string | null;
  updatedAt: string;
  codes: string[];
}
const amounts = (c: Cart) => Object.fromEntries(Object.entries(c.totals).map(([k, v]) => [k, v.amount]));

beforeAll(async () => {
  t = await createTestApp();
  staff = await createStaff(t, 'admin');
  pricing = createPricingModule({ db: t.kernel.db }).api; // the checkout's contract, over the same database
  phone = await createVariant(t, staff, { price: 8000 });
  phoneCase = await createVariant(t, staff, { price: 1500 });
  charger = await createVariant(t, staff, { price: 2000 });
  shirt = await createVariant(t, staff, { price: 2000 });
}, 60_000);
afterAll(async () => {
  await t?.close();
});

const staffCall = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
  t.http.inject({ method, url, headers: staff.headers, ...(payload ? { payload } : {}) });
const getPromotion = async (id: string) => (await staffCall('GET', `/v1/admin/promotions/${id}`)).json() as Promotion;
async function cartWith(lines: [TestVariant, number][], codes: string[] = []): Promise<Cart> {
  const c = (
    await t.http.inject({ method: 'POST', url: '/v1/carts', payload: { currency: 'EUR', country: 'DE' } })
  ).json() as Cart;
  const headers = { 'x-cart-token': c.token };
  for (const [v, quantity] of lines) {
    await t.http.inject({
      method: 'POST',
      url: `/v1/carts/${c.id}/items`,
      headers,
      payload: { variantId: v.variantId, quantity },
    });
  }
  for (const couponCode of codes) {
    await t.http.inject({ method: 'PATCH', url: `/v1/carts/${c.id}`, headers, payload: { couponCode } });
  }
  return (await t.http.inject({ method: 'GET', url: `/v1/carts/${c.id}`, headers })).json() as Cart;
}
const reserve = (key: string, promotionId: string) =>
  pricing.reserveRedemptions(ctx, { key, promotionIds: [promotionId], customerId: null, email: null });
const codeOf = (r: { json(): unknown; statusCode: number }) => [r.statusCode, (r.json() as { code?: string }).code];

describe('staff promotions', () => {
  it('[REQ-PRC-014] a bundle created over the staff API applies to a cart holding its items', async () => {
    const bundle = {
      name: 'Phone starter set',
      kind: 'bundle',
      automatic: true,
      value: 9900,
      currency: 'EUR',
      bundleItems: [
        { productId: phone.productId, quantity: 1 },
        { productId: phoneCase.productId, quantity: 1 },
        { variantId: charger.variantId, quantity: 1 },
      ],
    };
    const before = (await staffCall('GET', '/v1/admin/promotions')).json() as { items: unknown[] };
    for (const [payload, status, code] of [
      [{ ...bundle, currency: undefined }, 422, 'pricing.invalid'],
      [{ ...bundle, bundleItems: [] }, 400, 'request.validation_failed'],
      [{ ...bundle, bundleItems: [{ productId: 'prod_x', variantId: 'var_x', quantity: 1 }] }, 400, undefined],
      [{ ...bundle, bundleItems: [bundle.bundleItems[0], bundle.bundleItems[0]] }, 422, 'pricing.invalid'],
      [{ ...bundle, kind: 'fixed', bundleItems: bundle.bundleItems }, 422, 'pricing.invalid'],
    ] as const) {
      const res = await staffCall('POST', '/v1/admin/promotions', payload);
      expect(res.statusCode).toBe(status);
      if (code) expect((res.json() as { code: string }).code).toBe(code);
    }
    expect(((await staffCall('GET', '/v1/admin/promotions')).json() as { items: unknown[] }).items).toHaveLength(
      before.items.length,
    );
    const created = await staffCall('POST', '/v1/admin/promotions', bundle);
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ kind: 'bundle', value: 9900, currency: 'EUR', active: true, codes: [] });
    expect((created.json() as { bundleItems: unknown }).bundleItems).toEqual(bundle.bundleItems);

    const cart = await cartWith([
      [phone, 1],
      [phoneCase, 2],
      [charger, 1],
    ]);
    expect(cart.promotions.map((p) => [p.name, p.amount.amount])).toEqual([['Phone starter set', 1600]]);
    // 1600 over 8000 / 1500 / 2000 (only one case is in the bundle): 1113, 209, 278
    expect(cart.items.map((i) => i.discount.amount)).toEqual([1113, 209, 278]);
    // DE 19 % per line after discount: 6887 → 1309, 2791 → 530, 1722 → 327
    expect(amounts(cart)).toMatchObject({ subtotal: 13000, discount: 1600, tax: 2166, total: 13566 });
    const incomplete = await cartWith([
      [phone, 1],
      [phoneCase, 1],
    ]);
    expect(incomplete.promotions).toEqual([]);
    expect(amounts(incomplete)).toMatchObject({ subtotal: 9500, discount: 0 });
  });

  it('[REQ-PRC-015] PATCH changes only the given fields and the carts follow; refusals change nothing', async () => {
    const created = await staffCall('POST', '/v1/admin/promotions', {
      name: 'Ten',
      kind: 'percentage',
      value: 1000,
      codes: ['PATCHME'],
      usageLimit: 100,
    });
    const id = (created.json() as Promotion).id;
    let cart = await cartWith([[shirt, 1]], ['patchme']);
    expect(cart.promotions.map((p) => [p.code, p.amount.amount])).toEqual([['PATCHME', 200]]);

    let res = await staffCall('PATCH', `/v1/admin/promotions/${id}`, { value: 2500 });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ value: 2500, usageLimit: 100, name: 'Ten', codes: ['PATCHME'] });
    cart = await cartWith([[shirt, 1]], ['PATCHME']);
    expect(cart.promotions.map((p) => p.amount.amount)).toEqual([500]);

    res = await staffCall('PATCH', `/v1/admin/promotions/${id}`, { active: false });
    expect((res.json() as Promotion).active).toBe(false);
    cart = await cartWith([[shirt, 1]], ['PATCHME']);
    expect([cart.promotions, cart.rejectedCoupons]).toEqual([[], [{ code: 'PATCHME', reason: 'not_active' }]]);
    await staffCall('PATCH', `/v1/admin/promotions/${id}`, { active: true, endsAt: '2020-01-01T00:00:00Z' });
    cart = await cartWith([[shirt, 1]], ['PATCHME']);
    expect(cart.rejectedCoupons).toEqual([{ code: 'PATCHME', reason: 'expired' }]);
    res = await staffCall('PATCH', `/v1/admin/promotions/${id}`, { endsAt: null });
    expect((res.json() as Promotion).endsAt).toBeNull();

    const before = await getPromotion(id);
    const customer = await registerCustomer(t);
    const denied = await t.http.inject({
      method: 'PATCH',
      url: `/v1/admin/promotions/${id}`,
      headers: customer.headers,
      payload: { value: 1 },
    });
    expect(denied.statusCode).toBe(403);
    for (const [payload, status, code] of [
      [{ value: 20000 }, 422, 'pricing.invalid'],
      [{ startsAt: '2030-01-02T00:00:00Z', endsAt: '2030-01-01T00:00:00Z' }, 422, 'pricing.invalid'],
      [{ bundleItems: [{ productId: 'prod_x', quantity: 1 }] }, 422, 'pricing.invalid'],
      [{}, 400, 'request.validation_failed'],
      [{ kind: 'fixed' }, 400, 'request.validation_failed'],
      [{ codes: ['OTHER'] }, 400, 'request.validation_failed'],
      [{ usageLimit: -1 }, 400, 'request.validation_failed'],
    ] as const) {
      expect(codeOf(await staffCall('PATCH', `/v1/admin/promotions/${id}`, payload))).toEqual([status, code]);
    }
    expect(codeOf(await staffCall('PATCH', '/v1/admin/promotions/promo_nope', { value: 1 }))).toEqual([
      404,
      'pricing.not_found',
    ]);
    expect(codeOf(await staffCall('GET', '/v1/admin/promotions/promo_nope'))).toEqual([404, 'pricing.not_found']);
    expect(await getPromotion(id)).toEqual(before);
  });

  it('[REQ-PRC-016] usageLimit cannot go below the redemptions already counted', async () => {
    const id = (
      (
        await staffCall('POST', '/v1/admin/promotions', {
          name: 'Limited',
          kind: 'percentage',
          value: 500,
          codes: ['LIMITED'],
          usageLimit: 5,
        })
      ).json() as Promotion
    ).id;
    await reserve('limit-a', id);
    await pricing.commitRedemptions(ctx, 'limit-a');
    await reserve('limit-b', id); // a checkout in progress counts too
    const before = await getPromotion(id);
    expect(before).toMatchObject({ redemptions: 2, usageLimit: 5 });
    const res = await staffCall('PATCH', `/v1/admin/promotions/${id}`, { usageLimit: 1, name: 'Renamed' });
    expect(codeOf(res)).toEqual([409, 'pricing.usage_limit_below_redemptions']);
    expect((res.json() as { redemptions: number }).redemptions).toBe(2);
    expect(await getPromotion(id)).toEqual(before);
    const ok = await staffCall('PATCH', `/v1/admin/promotions/${id}`, { usageLimit: 2 });
    expect((ok.json() as Promotion).usageLimit).toBe(2);
    await expect(reserve('limit-c', id)).rejects.toMatchObject({ code: 'promotions.limit_reached' });
    await pricing.releaseRedemptions(ctx, 'limit-b');
    await reserve('limit-c', id);
    expect(await getPromotion(id)).toMatchObject({ redemptions: 2, usageLimit: 2 });
    // null means unlimited (and is not coerced to a limit of 0), on PATCH as on create
    const unlimited = await staffCall('PATCH', `/v1/admin/promotions/${id}`, { usageLimit: null });
    expect((unlimited.json() as Promotion).usageLimit).toBeNull();
    const created = await staffCall('POST', '/v1/admin/promotions', {
      name: 'Open',
      kind: 'percentage',
      value: 100,
      codes: ['OPEN'],
      usageLimit: null,
      perCustomerLimit: null,
      minSubtotal: null,
    });
    expect(created.json()).toMatchObject({ usageLimit: null, perCustomerLimit: null, minSubtotal: null });
  });

  it('[REQ-PRC-017] DELETE archives: carts stop applying it, checkouts cannot reserve it, history stays', async () => {
    const coupon = (
      (
        await staffCall('POST', '/v1/admin/promotions', {
          name: 'Gone soon',
          kind: 'fixed',
          value: 300,
          currency: 'EUR',
          codes: ['GONE'],
        })
      ).json() as Promotion
    ).id;
    const auto = (
      (
        await staffCall('POST', '/v1/admin/promotions', {
          name: 'Shirt sale',
          kind: 'fixed',
          value: 100,
          currency: 'EUR',
          automatic: true,
          productIds: [shirt.productId],
        })
      ).json() as Promotion
    ).id;
    let cart = await cartWith([[shirt, 1]], ['GONE']);
    expect(cart.promotions.map((p) => p.promotionId)).toEqual([auto, coupon]);
    await reserve('gone-placed', coupon);
    await pricing.commitRedemptions(ctx, 'gone-placed'); // an order placed with it
    await reserve('gone-in-flight', auto); // a checkout still running

    for (const id of [coupon, auto]) {
      expect((await staffCall('DELETE', `/v1/admin/promotions/${id}`)).statusCode).toBe(204);
    }
    expect((await staffCall('DELETE', `/v1/admin/promotions/${coupon}`)).statusCode).toBe(204); // idempotent
    expect(codeOf(await staffCall('DELETE', '/v1/admin/promotions/promo_nope'))).toEqual([404, 'pricing.not_found']);

    cart = await cartWith([[shirt, 1]], ['GONE']);
    expect(cart.promotions).toEqual([]);
    expect(cart.rejectedCoupons).toEqual([{ code: 'GONE', reason: 'unknown_code' }]);
    expect(amounts(cart)).toMatchObject({ subtotal: 2000, discount: 0 });
    await expect(reserve('gone-late', coupon)).rejects.toMatchObject({ status: 409, code: 'promotions.not_active' });

    const archived = await getPromotion(coupon);
    expect(archived).toMatchObject({ redemptions: 1, active: false, codes: ['GONE'] });
    expect(archived.deletedAt).not.toBeNull();
    await pricing.releaseRedemptions(ctx, 'gone-in-flight'); // a failed checkout still gives its count back
    expect(await getPromotion(auto)).toMatchObject({ redemptions: 0 });

    const list = (await staffCall('GET', '/v1/admin/promotions')).json() as { items: Promotion[] };
    expect(list.items.map((p) => p.id)).not.toContain(coupon);
    const all = (await staffCall('GET', '/v1/admin/promotions?includeDeleted=true')).json() as { items: Promotion[] };
    expect(all.items.map((p) => p.id)).toEqual(expect.arrayContaining([coupon, auto]));

    const refused = await staffCall('PATCH', `/v1/admin/promotions/${coupon}`, { active: true });
    expect(codeOf(refused)).toEqual([409, 'pricing.promotion_deleted']);
    expect(await getPromotion(coupon)).toEqual(archived);
    const reuse = await staffCall('POST', '/v1/admin/promotions', {
      name: 'x',
      kind: 'percentage',
      value: 100,
      codes: ['GONE'],
    });
    expect(codeOf(reuse)).toEqual([409, 'pricing.duplicate']); // a code never comes to mean another promotion
  });
});
