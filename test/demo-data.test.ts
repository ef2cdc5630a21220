// The first embedded start: the demo catalog comes with stock in two warehouses, and the storefront
// shows inventory's real availability (catalog → inventory wiring in app.ts).
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStaff } from './support/auth.ts';
import { createTestApp, type TestApp } from './support/create-test-app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ env: { DEMO_DATA: 'on' } });
});
afterAll(async () => {
  await t.close();
});

describe('demo data with stock [REQ-INV-018]', () => {
  it('[REQ-INV-018] seeds two warehouses and a ledger that sums to on hand', async () => {
    const admin = await createStaff(t, 'admin');
    const wh = await t.http.inject({ method: 'GET', url: '/v1/admin/warehouses', headers: admin.headers });
    expect(wh.statusCode).toBe(200);
    expect(
      wh
        .json()
        .items.map((w: { country: string }) => w.country)
        .sort(),
    ).toEqual(['DE', 'NL']);
    const drift = await sql<{ n: number }>`
      select count(*)::int as n from inventory.levels l
      where l.on_hand <> (select coalesce(sum(m.quantity), 0) from inventory.movements m
                          where m.variant_id = l.variant_id and m.warehouse_id = l.warehouse_id)`.execute(
      t.kernel.db.k,
    );
    expect(drift.rows[0]?.n).toBe(0);
  });

  it('[REQ-INV-018] a product page shows each variant’s availability as inventory counts it', async () => {
    const admin = await createStaff(t, 'admin');
    const list = await t.http.inject({ method: 'GET', url: '/v1/products?limit=3' });
    expect(list.statusCode).toBe(200);
    expect(list.json().items).toHaveLength(3);
    const id = list.json().items[0].id as string;
    const product = (await t.http.inject({ method: 'GET', url: `/v1/products/${id}` })).json();
    expect(product.variants.length).toBeGreaterThan(0);
    for (const v of product.variants as { id: string; available: number; inStock: boolean }[]) {
      const levels = (
        await t.http.inject({ method: 'GET', url: `/v1/admin/inventory/${v.id}`, headers: admin.headers })
      ).json().levels as { available: number }[];
      const total = levels.reduce((s, l) => s + l.available, 0);
      expect([v.id, v.available, v.inStock]).toEqual([v.id, total, total > 0]);
    }
  });

  it('[REQ-INV-018] a stock adjustment shows on the next product read (the cached page is dropped by the stock event)', async () => {
    const admin = await createStaff(t, 'admin');
    const id = (await t.http.inject({ method: 'GET', url: '/v1/products?limit=1' })).json().items[0].id as string;
    const before = (await t.http.inject({ method: 'GET', url: `/v1/products/${id}` })).json();
    const variant = before.variants[0] as { id: string; available: number };
    const warehouseId = (
      await t.http.inject({ method: 'GET', url: '/v1/admin/warehouses', headers: admin.headers })
    ).json().items[0].id as string;
    const adj = await t.http.inject({
      method: 'POST',
      url: '/v1/admin/inventory/adjustments',
      headers: admin.headers,
      payload: { variantId: variant.id, warehouseId, quantity: 7, reason: 'found in back room' },
    });
    expect(adj.statusCode).toBe(201);
    let seen = variant.available;
    for (let i = 0; i < 50 && seen !== variant.available + 7; i++) {
      await new Promise((r) => setTimeout(r, 100));
      const now = (await t.http.inject({ method: 'GET', url: `/v1/products/${id}` })).json();
      seen = now.variants.find((v: { id: string }) => v.id === variant.id).available;
    }
    expect(seen).toBe(variant.available + 7);
  });
});
