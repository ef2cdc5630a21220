import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/support/create-test-app.ts';
import { asStaff, fakeAuth } from '../../../test/support/fake-auth.ts';
import { catalogVariants, inventoryViolations } from '../../../test/support/inventory.ts';

const WRITER = asStaff('inventory:read', 'inventory:write');

let t: TestApp;
let wh: string;
let V: Record<'http_1' | 'http_2' | 'http_3' | 'http_4' | 'http_5' | 'http_big', string>;

async function movementCount(variantId: string) {
  const r = await sql<{
    n: number;
  }>`select count(*)::int as n from inventory.movements where variant_id = ${variantId}`.execute(t.kernel.db.k);
  return r.rows[0]?.n;
}
const levels = async (variantId: string) =>
  (await t.http.inject({ method: 'GET', url: `/v1/admin/inventory/${variantId}`, headers: WRITER })).json();
const adjust = (body: Record<string, unknown>, headers: Record<string, string> = WRITER) =>
  t.http.inject({ method: 'POST', url: '/v1/admin/inventory/adjustments', headers, payload: body });

beforeAll(async () => {
  t = await createTestApp({ authenticate: fakeAuth });
  const res = await t.http.inject({
    method: 'POST',
    url: '/v1/admin/warehouses',
    headers: WRITER,
    payload: { name: 'Berlin DC', country: 'DE', priority: 10 },
  });
  expect(res.statusCode).toBe(201);
  wh = res.json().id;
  V = await catalogVariants(t.http, ['http_1', 'http_2', 'http_3', 'http_4', 'http_5', 'http_big']);
});
afterAll(async () => {
  expect(await inventoryViolations(t.kernel.db)).toEqual([]);
  await t.close();
});

describe('staff inventory API', () => {
  it('[REQ-INV-014] warehouses: create (201) and list in the documented shape', async () => {
    const res = await t.http.inject({ method: 'GET', url: '/v1/admin/warehouses', headers: asStaff('inventory:read') });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ items: [{ id: wh, name: 'Berlin DC', country: 'DE', priority: 10, active: true }] });
    expect(wh).toMatch(/^wh_[0-9a-z]{26}$/);
  });

  it('[REQ-INV-014] adjustments return 201 with the new level; GET shows levels per warehouse', async () => {
    const res = await adjust({ variantId: V.http_1, warehouseId: wh, quantity: 7, reason: 'initial count' });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toEqual({ variantId: V.http_1, warehouseId: wh, onHand: 7, reserved: 0, available: 7 });
    const neg = await adjust({
      variantId: V.http_1,
      warehouseId: wh,
      quantity: -2,
      reason: 'broken',
      kind: 'damage',
    });
    expect(neg.json()).toMatchObject({ onHand: 5 });
    expect(await levels(V.http_1)).toEqual({
      variantId: V.http_1,
      levels: [{ warehouseId: wh, onHand: 5, reserved: 0, available: 5 }],
    });
    expect(await levels(V.http_5)).toEqual({ variantId: V.http_5, levels: [] });
  });

  it('[REQ-INV-014] the Idempotency-Key header is the ledger key: a retry records one movement', async () => {
    const body = { variantId: V.http_2, warehouseId: wh, quantity: 3, reason: 'PO-7' };
    const headers = { ...WRITER, 'idempotency-key': 'adj-http-2' };
    const a = await adjust(body, headers);
    const b = await adjust(body, headers);
    expect([a.statusCode, b.statusCode]).toEqual([201, 201]);
    expect(b.json()).toEqual(a.json());
    expect(await movementCount(V.http_2)).toBe(1);
    const c = await adjust({ ...body, quantity: 4 }, headers);
    expect(c.statusCode).toBe(409);
    expect(c.json().code).toBe('inventory.key_conflict');
    expect((await levels(V.http_2)).levels[0].onHand).toBe(3);
  });

  it('[REQ-INV-015] error paths change nothing: unknown warehouse, bad quantity, below reserved', async () => {
    await adjust({ variantId: V.http_3, warehouseId: wh, quantity: 2, reason: 'PO' });
    const cases: [Record<string, unknown>, number, string][] = [
      [
        { variantId: V.http_3, warehouseId: 'wh_missing', quantity: 1, reason: 'x' },
        404,
        'inventory.warehouse_not_found',
      ],
      [{ variantId: V.http_3, warehouseId: wh, quantity: 1.5, reason: 'x' }, 400, 'request.validation_failed'],
      [{ variantId: V.http_3, warehouseId: wh, quantity: 0, reason: 'x' }, 422, 'inventory.invalid_quantity'],
      [{ variantId: V.http_3, warehouseId: wh, quantity: 'many', reason: 'x' }, 400, 'request.validation_failed'],
      [{ variantId: V.http_3, warehouseId: wh, quantity: 1 }, 400, 'request.validation_failed'],
      [{ variantId: V.http_3, warehouseId: wh, quantity: -3, reason: 'x' }, 409, 'inventory.stock_below_reserved'],
    ];
    for (const [body, status, code] of cases) {
      const res = await adjust(body);
      expect([res.statusCode, res.json().code]).toEqual([status, code]);
      expect(String(res.headers['content-type'])).toMatch(/^application\/problem\+json/);
    }
    expect(await movementCount(V.http_3)).toBe(1);
    expect((await levels(V.http_3)).levels).toEqual([{ warehouseId: wh, onHand: 2, reserved: 0, available: 2 }]);
  });

  it('[REQ-INV-015] permissions: 401 anonymous, 403 without inventory:write or inventory:read; nothing changes', async () => {
    const body = { variantId: V.http_4, warehouseId: wh, quantity: 5, reason: 'x' };
    expect((await adjust(body, {})).statusCode).toBe(401);
    const forbidden = await adjust(body, asStaff('inventory:read'));
    expect([forbidden.statusCode, forbidden.json().code]).toEqual([403, 'auth.forbidden']);
    const wh403 = await t.http.inject({
      method: 'POST',
      url: '/v1/admin/warehouses',
      headers: asStaff('inventory:read'),
      payload: { name: 'Nope', country: 'FR' },
    });
    expect(wh403.statusCode).toBe(403);
    const read403 = await t.http.inject({
      method: 'GET',
      url: '/v1/admin/warehouses',
      headers: asStaff('orders:read'),
    });
    expect(read403.statusCode).toBe(403);
    expect(await movementCount(V.http_4)).toBe(0);
    const list = await t.http.inject({ method: 'GET', url: '/v1/admin/warehouses', headers: WRITER });
    expect(list.json().items).toHaveLength(1);
    const badCountry = await t.http.inject({
      method: 'POST',
      url: '/v1/admin/warehouses',
      headers: WRITER,
      payload: { name: 'Lower', country: 'de' },
    });
    expect([badCountry.statusCode, badCountry.json().code]).toEqual([400, 'request.validation_failed']);
  });

  it('[REQ-INV-009] PUT policy sets backorder with a limit', async () => {
    const res = await t.http.inject({
      method: 'PUT',
      url: `/v1/admin/inventory/${V.http_5}/policy`,
      headers: WRITER,
      payload: { mode: 'backorder', backorderLimit: 4, lowStockThreshold: 1 },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ variantId: V.http_5, mode: 'backorder', backorderLimit: 4, lowStockThreshold: 1 });
  });

  it('[REQ-INV-015] a movement that would take the variant past 2,000,000,000 on hand over its warehouses → 409, nothing written', async () => {
    const v = V.http_big;
    const big = { variantId: v, warehouseId: wh, quantity: 1_000_000_000, reason: 'big' };
    expect((await adjust({ ...big, quantity: 27 })).statusCode).toBe(201);
    expect((await adjust(big)).statusCode).toBe(201);
    expect((await adjust({ ...big, quantity: 999_999_973 })).json()).toMatchObject({ onHand: 2_000_000_000 });
    const other = await t.http.inject({
      method: 'POST',
      url: '/v1/admin/warehouses',
      headers: WRITER,
      payload: { name: 'Hamburg DC', country: 'DE' },
    });
    const refused: [Record<string, unknown>, Record<string, string>][] = [
      [big, WRITER],
      [{ ...big, quantity: 1 }, WRITER],
      [
        { ...big, quantity: 1 },
        { ...WRITER, 'idempotency-key': 'adj-http-big' },
      ],
      [{ ...big, warehouseId: other.json().id, quantity: 1 }, WRITER],
      [{ ...big, warehouseId: other.json().id, quantity: 5, kind: 'count' }, WRITER],
    ];
    for (const [body, headers] of refused) {
      const res = await adjust(body, headers);
      expect([res.statusCode, res.json().code]).toEqual([409, 'inventory.quantity_out_of_range']);
      expect(String(res.headers['content-type'])).toMatch(/^application\/problem\+json/);
    }
    expect(await movementCount(v)).toBe(3);
    expect((await levels(v)).levels).toEqual([
      { warehouseId: wh, onHand: 2_000_000_000, reserved: 0, available: 2_000_000_000 },
    ]);
    // Taking stock away still works.
    expect((await adjust({ ...big, quantity: -1 })).json()).toMatchObject({ onHand: 1_999_999_999 });
  });

  it('[REQ-INV-015] a variant the catalog does not have → 404 inventory.variant_not_found on every staff route, nothing written', async () => {
    const count = async (table: 'levels' | 'movements' | 'policies') =>
      (
        await sql<{ n: number }>`select count(*)::int as n from ${sql.table(`inventory.${table}`)}
          where variant_id = 'var_nope'`.execute(t.kernel.db.k)
      ).rows[0]?.n;
    const outbox = async () =>
      (await sql<{ n: number }>`select count(*)::int as n from platform.outbox`.execute(t.kernel.db.k)).rows[0]?.n;
    const events = await outbox();
    const answers = [
      await adjust({ variantId: 'var_nope', warehouseId: wh, quantity: 5, reason: 'x' }),
      await adjust({ variantId: 'var_nope', warehouseId: 'wh_missing', quantity: 5, reason: 'x' }),
      await t.http.inject({
        method: 'PUT',
        url: '/v1/admin/inventory/var_nope/policy',
        headers: WRITER,
        payload: { mode: 'backorder', backorderLimit: 4 },
      }),
      await t.http.inject({ method: 'GET', url: '/v1/admin/inventory/var_nope', headers: WRITER }),
    ];
    for (const res of answers) {
      expect([res.statusCode, res.json().code]).toEqual([404, 'inventory.variant_not_found']);
      expect(String(res.headers['content-type'])).toMatch(/^application\/problem\+json/);
    }
    expect([await count('levels'), await count('movements'), await count('policies')]).toEqual([0, 0, 0]);
    expect(await outbox()).toBe(events);
  });
});
