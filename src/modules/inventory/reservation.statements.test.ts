// What a reservation and its commit cost in statements, and that the totals their one statement reads after its own
// change are the ones the stock events carry, across warehouses.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  staffCtx as ctx,
  type InventoryTestDb,
  inventoryViolations,
  level,
  openInventoryTestDb,
  outboxOf,
} from '../../../test/support/inventory.ts';
import { statementsIn } from '../../platform/db/db.ts';

let t: InventoryTestDb;
let whA: string; // priority 10
let whB: string; // priority 5
const svc = () => t.inventory.reservations;

beforeAll(async () => {
  t = await openInventoryTestDb();
  whA = (await t.inventory.stock.createWarehouse(ctx, { name: 'A', country: 'DE', priority: 10 })).id;
  whB = (await t.inventory.stock.createWarehouse(ctx, { name: 'B', country: 'FR', priority: 5 })).id;
});
afterAll(async () => {
  expect(await inventoryViolations(t.db)).toEqual([]);
  await t.dispose();
});

const payloads = async (type: string, variantId: string) =>
  (await outboxOf(t.db, type, variantId)).map((e) => e.payload);

describe('reservation statements', () => {
  it('[REQ-INV-023] a reservation over two warehouses and its commit are five statements each; their events carry the totals after', async () => {
    const a = 'var_st_a';
    const b = 'var_st_b';
    await t.inventory.stock.setPolicy(ctx, { variantId: a, mode: 'tracked', backorderLimit: 0, lowStockThreshold: 1 });
    for (const [variantId, warehouseId, quantity] of [
      [a, whA, 2],
      [a, whB, 3],
      [b, whA, 4],
    ] as const) {
      await t.inventory.stock.recordMovement(ctx, { variantId, warehouseId, kind: 'receive', quantity, reason: 'PO' });
    }
    let id = '';
    // begin; the reservation's insert with the planning read; its lines and every level; the events; commit.
    const reserve = await statementsIn(async () => {
      const r = await svc().reserve(ctx, {
        key: 'k-st',
        lines: [
          { variantId: b, quantity: 1 },
          { variantId: a, quantity: 4 },
        ],
      });
      id = r.id;
      // Neither warehouse has 4 of a: A (priority) gives its 2, B the other 2.
      expect(r.allocations).toEqual([
        { variantId: a, warehouseId: whA, quantity: 2 },
        { variantId: a, warehouseId: whB, quantity: 2 },
        { variantId: b, warehouseId: whA, quantity: 1 },
      ]);
    });
    expect(await level(t.db, a, whA)).toEqual({ onHand: 2, reserved: 2 });
    expect(await level(t.db, a, whB)).toEqual({ onHand: 3, reserved: 2 });
    expect(await level(t.db, b, whA)).toEqual({ onHand: 4, reserved: 1 });

    // begin; the conditional update to committed with the lines; the levels with the ledger; the events; commit.
    const commit = await statementsIn(async () => {
      expect((await svc().commit(ctx, 'k-st')).status).toBe('committed');
    });
    expect({ reserve, commit }).toEqual({ reserve: 5, commit: 5 });
    expect(await level(t.db, a, whA)).toEqual({ onHand: 0, reserved: 0 });
    expect(await level(t.db, a, whB)).toEqual({ onHand: 1, reserved: 0 });
    expect(await level(t.db, b, whA)).toEqual({ onHand: 3, reserved: 0 });

    const after = (await payloads('inventory.stock.changed', a)).slice(-2);
    expect(after).toEqual([
      { variantId: a, onHand: 5, reserved: 4, available: 1, inStock: true, reason: 'reserved' },
      { variantId: a, onHand: 1, reserved: 0, available: 1, inStock: true, reason: 'committed' },
    ]);
    expect((await payloads('inventory.stock.changed', b)).slice(-2)).toEqual([
      { variantId: b, onHand: 4, reserved: 1, available: 3, inStock: true, reason: 'reserved' },
      { variantId: b, onHand: 3, reserved: 0, available: 3, inStock: true, reason: 'committed' },
    ]);
    expect(await payloads('inventory.stock.low', a)).toEqual([{ variantId: a, available: 1, threshold: 1 }]);
    const ledger = await sql<{ key: string; variant: string; warehouse: string; quantity: number }>`
      select idempotency_key as key, variant_id as variant, warehouse_id as warehouse, quantity
      from inventory.movements where kind = 'commit' and reservation_id = ${id} order by idempotency_key`.execute(
      t.db.k,
    );
    expect(ledger.rows).toEqual([
      { key: `commit:${id}:1`, variant: a, warehouse: whA, quantity: -2 },
      { key: `commit:${id}:2`, variant: a, warehouse: whB, quantity: -2 },
      { key: `commit:${id}:3`, variant: b, warehouse: whA, quantity: -1 },
    ]);

    // A repeated commit finds nothing to change, locks the reservation to tell why, and adds nothing.
    const events = (await outboxOf(t.db, 'inventory.stock.changed')).length;
    const again = await statementsIn(async () => {
      expect((await svc().commit(ctx, 'k-st')).status).toBe('committed');
    });
    expect(again).toBe(4);
    expect((await outboxOf(t.db, 'inventory.stock.changed')).length).toBe(events);
    expect(await level(t.db, a, whB)).toEqual({ onHand: 1, reserved: 0 });
  });
});
