import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/support/create-test-app.ts';
import { asStaff, fakeAuth } from '../../../test/support/fake-auth.ts';
import { catalogVariants } from '../../../test/support/inventory.ts';

const WRITER = asStaff('inventory:read', 'inventory:write');
const READER = asStaff('inventory:read');

let t: TestApp;
let berlin: string;
let paris: string;
let V: Record<'hist_1' | 'other' | 'low_a' | 'low_b' | 'low_c' | 'low_d' | 'low_e', string>;

const get = (url: string, headers: Record<string, string> = READER) => t.http.inject({ method: 'GET', url, headers });
async function post(url: string, payload: Record<string, unknown>) {
  const res = await t.http.inject({ method: 'POST', url, headers: WRITER, payload });
  expect(res.statusCode).toBe(201);
  return res.json();
}
const adjust = (variantId: string, warehouseId: string, quantity: number, kind: string, reason: string) =>
  post('/v1/admin/inventory/adjustments', { variantId, warehouseId, quantity, kind, reason });
async function policy(variantId: string, body: Record<string, unknown>) {
  const res = await t.http.inject({
    method: 'PUT',
    url: `/v1/admin/inventory/${variantId}/policy`,
    headers: WRITER,
    payload: body,
  });
  expect(res.statusCode).toBe(200);
}

beforeAll(async () => {
  t = await createTestApp({ authenticate: fakeAuth });
  berlin = (await post('/v1/admin/warehouses', { name: 'Berlin', country: 'DE' })).id;
  paris = (await post('/v1/admin/warehouses', { name: 'Paris', country: 'FR' })).id;
  V = await catalogVariants(t.http, ['hist_1', 'other', 'low_a', 'low_b', 'low_c', 'low_d', 'low_e']);
});
afterAll(async () => {
  await t.close();
});

describe('stock movement history', () => {
  it('[REQ-INV-021] lists a variant’s movements newest first, per warehouse, in pages without gaps', async () => {
    await adjust(V.hist_1, berlin, 10, 'receive', 'PO-1');
    await adjust(V.hist_1, paris, 4, 'receive', 'PO-2');
    await adjust(V.hist_1, berlin, -1, 'damage', 'dropped');
    await adjust(V.hist_1, berlin, 7, 'count', 'cycle count');
    await adjust(V.other, berlin, 3, 'receive', 'not this variant');

    const all = await get(`/v1/admin/inventory/${V.hist_1}/movements`);
    expect(all.statusCode).toBe(200);
    const body = all.json();
    expect(body.nextCursor).toBeNull();
    expect(body.items.map((m: { reason: string }) => m.reason)).toEqual(['cycle count', 'dropped', 'PO-2', 'PO-1']);
    expect(body.items[0]).toMatchObject({
      variantId: V.hist_1,
      warehouseId: berlin,
      kind: 'count',
      quantity: -2,
      requested: 7,
      actor: 'staff:usr_staff',
    });
    expect(body.items[0].id).toMatch(/^mov_/);
    expect(Number.isNaN(Date.parse(body.items[0].createdAt))).toBe(false);

    const inBerlin = (await get(`/v1/admin/inventory/${V.hist_1}/movements?warehouseId=${berlin}`)).json();
    expect(inBerlin.items.map((m: { quantity: number }) => m.quantity)).toEqual([-2, -1, 10]);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const q: string = cursor ? `&cursor=${cursor}` : '';
      const res = (await get(`/v1/admin/inventory/${V.hist_1}/movements?limit=3${q}`)).json();
      expect(res.items.length).toBeLessThanOrEqual(3);
      seen.push(...res.items.map((m: { reason: string }) => m.reason));
      cursor = res.nextCursor;
    } while (cursor);
    expect(seen).toEqual(['cycle count', 'dropped', 'PO-2', 'PO-1']);

    expect((await get('/v1/admin/inventory/var_none/movements')).json()).toEqual({ items: [], nextCursor: null });
  });

  it('[REQ-INV-021] bad input is a 400 problem; a caller without inventory:read is refused', async () => {
    const other = (await get(`/v1/admin/inventory/${V.other}/movements`)).json().items[0].id;
    const cases: [string, string][] = [
      [`/v1/admin/inventory/${V.hist_1}/movements?cursor=${other}`, 'inventory.invalid_cursor'],
      [`/v1/admin/inventory/${V.hist_1}/movements?cursor=mov_nope`, 'inventory.invalid_cursor'],
      [`/v1/admin/inventory/${V.hist_1}/movements?limit=0`, 'request.validation_failed'],
      [`/v1/admin/inventory/${V.hist_1}/movements?limit=101`, 'request.validation_failed'],
      [`/v1/admin/inventory/${V.hist_1}/movements?sort=asc`, 'request.validation_failed'],
      ['/v1/admin/inventory/low-stock?limit=abc', 'request.validation_failed'],
    ];
    for (const [url, code] of cases) {
      const res = await get(url);
      expect([url, res.statusCode, res.json().code]).toEqual([url, 400, code]);
      expect(String(res.headers['content-type'])).toMatch(/^application\/problem\+json/);
    }
    for (const url of [`/v1/admin/inventory/${V.hist_1}/movements`, '/v1/admin/inventory/low-stock']) {
      expect((await get(url, {})).statusCode).toBe(401);
      const forbidden = await get(url, asStaff('orders:read'));
      expect([forbidden.statusCode, forbidden.json().code]).toEqual([403, 'auth.forbidden']);
    }
  });
});

describe('low stock', () => {
  it('[REQ-INV-022] lists tracked variants at or below their threshold with their totals, in pages', async () => {
    await adjust(V.low_a, berlin, 2, 'receive', 'PO');
    await adjust(V.low_a, paris, 1, 'receive', 'PO');
    await policy(V.low_a, { mode: 'tracked', lowStockThreshold: 3 }); // 3 ≤ 3: low
    await adjust(V.low_b, berlin, 10, 'receive', 'PO');
    await policy(V.low_b, { mode: 'tracked', lowStockThreshold: 3 }); // 10: fine
    await policy(V.low_c, { mode: 'tracked', lowStockThreshold: 0 }); // never stocked: 0 ≤ 0, low
    await policy(V.low_d, { mode: 'untracked', lowStockThreshold: 5 }); // untracked: never low
    await adjust(V.low_e, berlin, 1, 'receive', 'PO'); // no threshold: never low

    const res = await get('/v1/admin/inventory/low-stock');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      items: [
        { variantId: V.low_a, onHand: 3, reserved: 0, available: 3, threshold: 3 },
        { variantId: V.low_c, onHand: 0, reserved: 0, available: 0, threshold: 0 },
      ],
      nextCursor: null,
    });
    const first = (await get('/v1/admin/inventory/low-stock?limit=1')).json();
    expect([first.items[0].variantId, first.nextCursor]).toEqual([V.low_a, V.low_a]);
    const second = (await get(`/v1/admin/inventory/low-stock?limit=1&cursor=${first.nextCursor}`)).json();
    expect([second.items[0].variantId, second.nextCursor]).toEqual([V.low_c, null]);

    await adjust(V.low_a, berlin, 5, 'receive', 'restocked');
    const after = (await get('/v1/admin/inventory/low-stock')).json();
    expect(after.items.map((i: { variantId: string }) => i.variantId)).toEqual([V.low_c]);
  });
});
