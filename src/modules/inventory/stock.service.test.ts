import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  staffCtx as ctx,
  type InventoryTestDb,
  inventoryViolations,
  level,
  openInventoryTestDb,
  outboxOf,
  outcome,
} from '../../../test/support/inventory.ts';
import { statementsOf } from '../../../test/support/query-cost.ts';

let t: InventoryTestDb;
let wh: string;
let off: string;
let n = 0;
const variant = (name: string) => `var_${name}_${++n}`;
const stock = () => t.inventory.stock;

async function ledger(variantId: string) {
  const r = await sql<{ kind: string; quantity: number; reason: string; actor: string }>`
    select kind, quantity, reason, actor from inventory.movements where variant_id = ${variantId}
    order by created_at, id`.execute(t.db.k);
  return r.rows;
}

beforeAll(async () => {
  t = await openInventoryTestDb();
  wh = (await stock().createWarehouse(ctx, { name: 'Main', country: 'de', priority: 1 })).id;
  off = (await stock().createWarehouse(ctx, { name: 'Closed', country: 'AT', active: false })).id;
});
afterAll(async () => {
  expect(await inventoryViolations(t.db)).toEqual([]);
  await t.dispose();
});

describe('stock movements', () => {
  it('[REQ-INV-011] receive, adjust, count and damage each append one ledger row that sums to on hand', async () => {
    const v = variant('mv');
    const m = (kind: 'receive' | 'adjust' | 'count' | 'damage', quantity: number, reason: string) =>
      stock().recordMovement(ctx, { variantId: v, warehouseId: wh, kind, quantity, reason });
    expect(await m('receive', 10, 'PO-1')).toEqual({
      variantId: v,
      warehouseId: wh,
      onHand: 10,
      reserved: 0,
      available: 10,
    });
    expect((await m('adjust', -3, 'found broken seal')).onHand).toBe(7);
    expect((await m('count', 9, 'cycle count')).onHand).toBe(9);
    expect((await m('damage', -1, 'water damage')).onHand).toBe(8);
    expect(await ledger(v)).toEqual([
      { kind: 'receive', quantity: 10, reason: 'PO-1', actor: 'staff:usr_staff' },
      { kind: 'adjust', quantity: -3, reason: 'found broken seal', actor: 'staff:usr_staff' },
      { kind: 'count', quantity: 2, reason: 'cycle count', actor: 'staff:usr_staff' },
      { kind: 'damage', quantity: -1, reason: 'water damage', actor: 'staff:usr_staff' },
    ]);
    // The ledger is append-only: the database refuses updates and deletes (raise_exception).
    expect(await outcome(sql`delete from inventory.movements where variant_id = ${v}`.execute(t.db.k))).toBe('P0001');
    expect(
      await outcome(sql`update inventory.movements set quantity = 0 where variant_id = ${v}`.execute(t.db.k)),
    ).toBe('P0001');
  });

  it('[REQ-INV-011] an idempotency key replays the movement once; another body with it is a conflict', async () => {
    const v = variant('idem');
    const input = { variantId: v, warehouseId: wh, kind: 'receive' as const, quantity: 4, reason: 'PO-2' };
    await stock().recordMovement(ctx, { ...input, idempotencyKey: 'mv-1' });
    const again = await stock().recordMovement({ ...ctx, idempotencyKey: 'mv-1' }, input);
    expect(again.onHand).toBe(4);
    expect(await outcome(stock().recordMovement(ctx, { ...input, quantity: 5, idempotencyKey: 'mv-1' }))).toBe(
      'inventory.key_conflict',
    );
    expect(await ledger(v)).toHaveLength(1);
    expect(await level(t.db, v, wh)).toEqual({ onHand: 4, reserved: 0 });
  });

  it('[REQ-INV-011] refused movements change nothing: below reserved, unknown warehouse, wrong sign', async () => {
    const v = variant('bad');
    await stock().recordMovement(ctx, { variantId: v, warehouseId: wh, kind: 'receive', quantity: 3, reason: 'PO' });
    await t.inventory.reservations.reserve(ctx, { key: `k-${v}`, lines: [{ variantId: v, quantity: 2 }] });
    const base = { variantId: v, warehouseId: wh, reason: 'x' };
    expect(await outcome(stock().recordMovement(ctx, { ...base, kind: 'adjust', quantity: -2 }))).toBe(
      'inventory.stock_below_reserved',
    );
    expect(await outcome(stock().recordMovement(ctx, { ...base, kind: 'count', quantity: 1 }))).toBe(
      'inventory.stock_below_reserved',
    );
    expect(
      await outcome(stock().recordMovement(ctx, { ...base, warehouseId: 'wh_nope', kind: 'adjust', quantity: 1 })),
    ).toBe('inventory.warehouse_not_found');
    expect(await outcome(stock().recordMovement(ctx, { ...base, kind: 'receive', quantity: -1 }))).toBe(
      'inventory.invalid_quantity',
    );
    expect(await outcome(stock().recordMovement(ctx, { ...base, kind: 'damage', quantity: 1 }))).toBe(
      'inventory.invalid_quantity',
    );
    expect(await outcome(stock().recordMovement(ctx, { ...base, kind: 'adjust', quantity: 0 }))).toBe(
      'inventory.invalid_quantity',
    );
    expect(await level(t.db, v, wh)).toEqual({ onHand: 3, reserved: 2 });
    expect(await ledger(v)).toHaveLength(1);
  });
});

describe('events', () => {
  it('[REQ-INV-012] stock.changed carries the totals; stock.low fires once when crossing the threshold', async () => {
    const v = variant('ev');
    await stock().setPolicy(ctx, { variantId: v, mode: 'tracked', backorderLimit: 0, lowStockThreshold: 2 });
    await stock().recordMovement(ctx, { variantId: v, warehouseId: wh, kind: 'receive', quantity: 5, reason: 'PO' });
    await t.inventory.reservations.reserve(ctx, { key: `k-${v}-1`, lines: [{ variantId: v, quantity: 2 }] });
    await t.inventory.reservations.reserve(ctx, { key: `k-${v}-2`, lines: [{ variantId: v, quantity: 1 }] });
    await t.inventory.reservations.reserve(ctx, { key: `k-${v}-3`, lines: [{ variantId: v, quantity: 1 }] });
    const changed = await outboxOf(t.db, 'inventory.stock.changed', v);
    expect(changed.map((e) => e.payload)).toEqual([
      { variantId: v, onHand: 5, reserved: 0, available: 5, inStock: true, reason: 'movement' },
      { variantId: v, onHand: 5, reserved: 2, available: 3, inStock: true, reason: 'reserved' },
      { variantId: v, onHand: 5, reserved: 3, available: 2, inStock: true, reason: 'reserved' },
      { variantId: v, onHand: 5, reserved: 4, available: 1, inStock: true, reason: 'reserved' },
    ]);
    const low = await outboxOf(t.db, 'inventory.stock.low', v);
    expect(low.map((e) => e.payload)).toEqual([{ variantId: v, available: 2, threshold: 2 }]);
  });
});

describe('availability', () => {
  it('[REQ-INV-013] batch availability in one query: sums active warehouses, unknown variants are out of stock', async () => {
    const a = variant('av');
    const b = variant('av');
    const none = variant('none');
    await stock().recordMovement(ctx, { variantId: a, warehouseId: wh, kind: 'receive', quantity: 4, reason: 'PO' });
    await stock().recordMovement(ctx, { variantId: a, warehouseId: off, kind: 'receive', quantity: 50, reason: 'PO' });
    await stock().recordMovement(ctx, { variantId: b, warehouseId: wh, kind: 'receive', quantity: 1, reason: 'PO' });
    await t.inventory.reservations.reserve(ctx, { key: `k-${b}`, lines: [{ variantId: b, quantity: 1 }] });
    let map = new Map<string, unknown>();
    expect(
      await statementsOf(async () => {
        map = await stock().getAvailability([a, b, none, a]);
      }),
    ).toBe(1);
    expect([...map.entries()]).toEqual([
      [a, { available: 4, inStock: true }],
      [b, { available: 0, inStock: false }],
      [none, { available: 0, inStock: false }],
    ]);
    expect((await stock().getAvailability([])).size).toBe(0);
  });

  it('[REQ-INV-001] warehouses are listed by priority; levels per variant show on hand, reserved, available', async () => {
    const list = await stock().listWarehouses();
    expect(list.map((w) => [w.name, w.country, w.priority, w.active])).toEqual([
      ['Main', 'DE', 1, true],
      ['Closed', 'AT', 0, false],
    ]);
    const v = variant('lv');
    await stock().recordMovement(ctx, { variantId: v, warehouseId: wh, kind: 'receive', quantity: 3, reason: 'PO' });
    await t.inventory.reservations.reserve(ctx, { key: `k-${v}`, lines: [{ variantId: v, quantity: 1 }] });
    expect(await stock().getLevels(v)).toEqual({
      variantId: v,
      levels: [{ variantId: v, warehouseId: wh, onHand: 3, reserved: 1, available: 2 }],
    });
  });
});
