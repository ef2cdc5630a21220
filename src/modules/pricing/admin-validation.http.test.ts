// Staff pricing input that would store nonsense is refused whole: a tax category products could never name, a
// country or coupon code listed twice. Each refusal writes nothing.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/support/create-test-app.ts';
import { asStaff, fakeAuth } from '../../../test/support/fake-auth.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ authenticate: fakeAuth });
});
afterAll(async () => {
  await t?.close();
});

const staff = asStaff('pricing:write', 'pricing:read');
const call = (method: 'GET' | 'POST' | 'PUT' | 'PATCH', url: string, payload?: object) =>
  t.http.inject({ method, url, headers: staff, ...(payload ? { payload } : {}) });
const count = async (table: string) =>
  (await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)}`.execute(t.kernel.db.k)).rows[0]?.n;
const refused = (res: { statusCode: number; json: () => { code: string }; headers: Record<string, unknown> }) => {
  expect([res.statusCode, res.json().code]).toEqual([400, 'request.validation_failed']);
  expect(String(res.headers['content-type'])).toMatch(/^application\/problem\+json/);
};

describe('staff pricing validation', () => {
  it('[REQ-PRC-019] a tax rate’s category must be one a product can name (^[a-z][a-z0-9_]{0,39}$); nothing written', async () => {
    const before = await count('pricing.tax_rates');
    for (const taxCategory of ['Bad Cat!', 'Reduced', '1st', '', 'a'.repeat(41)]) {
      refused(await call('PUT', '/v1/admin/tax-rates', { country: 'DE', taxCategory, rateBp: 500 }));
    }
    expect(await count('pricing.tax_rates')).toBe(before);
    const ok = await call('PUT', '/v1/admin/tax-rates', { country: 'DE', taxCategory: 'super_reduced_2', rateBp: 500 });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().taxCategory).toBe('super_reduced_2');
  });

  it('[REQ-PRC-020] a shipping method listing a country twice → 400 on create and change; nothing written', async () => {
    const body = { name: 'Twice', countries: ['DE', 'DE'], currency: 'EUR', kind: 'flat', price: 500 };
    const before = await count('pricing.shipping_methods');
    refused(await call('POST', '/v1/admin/shipping-methods', body));
    expect(await count('pricing.shipping_methods')).toBe(before);
    const created = await call('POST', '/v1/admin/shipping-methods', { ...body, countries: ['DE', 'AT'] });
    expect(created.statusCode).toBe(201);
    const id = created.json().id as string;
    refused(await call('PATCH', `/v1/admin/shipping-methods/${id}`, { countries: ['AT', 'FR', 'AT'] }));
    const stored = (await call('GET', '/v1/admin/shipping-methods'))
      .json()
      .items.find((m: { id: string }) => m.id === id);
    expect(stored.countries).toEqual(['DE', 'AT']);
  });

  it('[REQ-PRC-006] a promotion listing a coupon code twice (also in another case) → refused; nothing written', async () => {
    const body = { name: 'Twice', kind: 'percentage', value: 500 };
    const before = [await count('pricing.promotions'), await count('pricing.coupons')];
    refused(await call('POST', '/v1/admin/promotions', { ...body, codes: ['AAA1', 'AAA1'] }));
    const caseTwice = await call('POST', '/v1/admin/promotions', { ...body, codes: ['AAA1', 'aaa1'] });
    expect([caseTwice.statusCode, caseTwice.json().code]).toEqual([422, 'pricing.invalid']);
    expect([await count('pricing.promotions'), await count('pricing.coupons')]).toEqual(before);
    const ok = await call('POST', '/v1/admin/promotions', { ...body, codes: ['AAA1', 'BBB2'] });
    expect(ok.statusCode).toBe(201);
    expect([...ok.json().codes].sort()).toEqual(['AAA1', 'BBB2']);
  });
});
