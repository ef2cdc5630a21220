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

let t: InventoryTestDb;
let whA: string; // priority 10
let whB: string; // priority 5
let n = 0;
const variant = (name: string) => `var_${name}_${++n}`;
const svc = () => t.inventory.reservations;
const stock = () => t.inventory.stock;

async function receive(variantId: string, warehouseId: string, quantity: number) {
  await stock().recordMovement(ctx, { variantId, warehouseId, kind: 'receive', quantity, reason: 'test stock' });
}
async function countReservations(key: string) {
  const r = await sql<{ n: number }>`select count(*)::int as n from inventory.reservations where key = ${key}`.execute(
    t.db.k,
  );
  return r.rows[0]?.n;
}

beforeAll(async () => {
  t = await openInventoryTestDb();
  whA = (await stock().createWarehouse(ctx, { name: 'A', country: 'DE', priority: 10 })).id;
  whB = (await stock().createWarehouse(ctx, { name: 'B', country: 'FR', priority: 5 })).id;
});
afterAll(async () => {
  expect(await inventoryViolations(t.db)).toEqual([]);
  await t.dispose();
});

describe('reservations', () => {
  it('[REQ-INV-002] a reservation is all-or-nothing and names the short variants', async () => {
    const v1 = variant('a');
    const v2 = variant('b');
    await receive(v1, whA, 5);
    await receive(v2, whA, 1);
    const e = await svc()
      .reserve(ctx, {
        key: 'k-aon',
        lines: [
          { variantId: v1, quantity: 2 },
          { variantId: v2, quantity: 2 },
        ],
      })
      .catch((x: unknown) => x as { code: string; status: number; extra: unknown });
    expect(e).toMatchObject({ code: 'inventory.insufficient_stock', status: 409, extra: { variants: [v2] } });
    expect(await level(t.db, v1, whA)).toEqual({ onHand: 5, reserved: 0 });
    expect(await level(t.db, v2, whA)).toEqual({ onHand: 1, reserved: 0 });
    expect(await countReservations('k-aon')).toBe(0);
  });

  it('[REQ-INV-003] prefers one warehouse that can ship everything, then priority order', async () => {
    const v = variant('x');
    const w = variant('y');
    await receive(v, whA, 1);
    await receive(v, whB, 5);
    await receive(w, whB, 5);
    const one = await svc().reserve(ctx, {
      key: 'k-alloc-1',
      lines: [
        { variantId: v, quantity: 1 },
        { variantId: w, quantity: 1 },
      ],
    });
    expect(one.allocations).toEqual([
      { variantId: v, warehouseId: whB, quantity: 1 },
      { variantId: w, warehouseId: whB, quantity: 1 },
    ]);
    // 5 of v: no single warehouse has them (A 1, B 4 left) → A first by priority, rest from B.
    const split = await svc().reserve(ctx, { key: 'k-alloc-2', lines: [{ variantId: v, quantity: 5 }] });
    expect(split.allocations).toEqual(
      [
        { variantId: v, warehouseId: whA, quantity: 1 },
        { variantId: v, warehouseId: whB, quantity: 4 },
      ].sort((a, b) => (a.warehouseId < b.warehouseId ? -1 : 1)),
    );
    expect(await level(t.db, v, whA)).toEqual({ onHand: 1, reserved: 1 });
    expect(await level(t.db, v, whB)).toEqual({ onHand: 5, reserved: 5 });
  });

  it('[REQ-INV-004] 7 reservations of 1 unit with 5 in stock: exactly 5 succeed (PGlite)', async () => {
    const v = variant('hot');
    await receive(v, whA, 5);
    const results = await Promise.all(
      Array.from({ length: 7 }, (_, i) =>
        outcome(svc().reserve(ctx, { key: `k-hot-${i}`, lines: [{ variantId: v, quantity: 1 }] })),
      ),
    );
    expect(results.filter((r) => r === 'ok')).toHaveLength(5);
    expect(results.filter((r) => r === 'inventory.insufficient_stock')).toHaveLength(2);
    expect(await level(t.db, v, whA)).toEqual({ onHand: 5, reserved: 5 });
  });

  it('[REQ-INV-005] two lines of one variant are checked against the summed demand', async () => {
    const v = variant('sum');
    await receive(v, whA, 3);
    expect(
      await outcome(
        svc().reserve(ctx, {
          key: 'k-sum-1',
          lines: [
            { variantId: v, quantity: 2 },
            { variantId: v, quantity: 2 },
          ],
        }),
      ),
    ).toBe('inventory.insufficient_stock');
    const r = await svc().reserve(ctx, {
      key: 'k-sum-2',
      lines: [
        { variantId: v, quantity: 1 },
        { variantId: v, quantity: 2 },
      ],
    });
    expect(r.allocations).toEqual([{ variantId: v, warehouseId: whA, quantity: 3 }]);
    expect(await level(t.db, v, whA)).toEqual({ onHand: 3, reserved: 3 });
  });

  it('[REQ-INV-005] multi-line reservations in opposite variant orders: all-or-nothing (PGlite)', async () => {
    const a = variant('pa');
    const b = variant('pb');
    await receive(a, whA, 3);
    await receive(b, whA, 2);
    const pair = [
      { variantId: a, quantity: 1 },
      { variantId: b, quantity: 1 },
    ];
    const results = await Promise.all(
      Array.from({ length: 4 }, (_, i) =>
        outcome(svc().reserve(ctx, { key: `k-pair-${i}`, lines: i % 2 ? [...pair].reverse() : pair })),
      ),
    );
    expect(results.sort()).toEqual(['inventory.insufficient_stock', 'inventory.insufficient_stock', 'ok', 'ok']);
    expect(await level(t.db, a, whA)).toEqual({ onHand: 3, reserved: 2 });
    expect(await level(t.db, b, whA)).toEqual({ onHand: 2, reserved: 2 });
  });

  it('[REQ-INV-006] a retry with the same key returns the same reservation; other lines → key_conflict', async () => {
    const v = variant('idem');
    const w = variant('idem2');
    await receive(v, whA, 10);
    await receive(w, whA, 10);
    const lines = [
      { variantId: v, quantity: 2 },
      { variantId: w, quantity: 1 },
    ];
    const first = await svc().reserve(ctx, { key: 'k-idem', lines });
    const again = await svc().reserve(ctx, { key: 'k-idem', lines: [...lines].reverse() });
    expect(again.id).toBe(first.id);
    expect(again.allocations).toEqual(first.allocations);
    expect(await level(t.db, v, whA)).toEqual({ onHand: 10, reserved: 2 });
    expect(await outcome(svc().reserve(ctx, { key: 'k-idem', lines: [{ variantId: v, quantity: 3 }] }))).toBe(
      'inventory.key_conflict',
    );
    expect(await level(t.db, v, whA)).toEqual({ onHand: 10, reserved: 2 });
    expect(await countReservations('k-idem')).toBe(1);
  });

  it('[REQ-INV-007] release and commit are idempotent; commit moves stock out and writes the ledger', async () => {
    const v = variant('life');
    await receive(v, whA, 10);
    await svc().reserve(ctx, { key: 'k-rel', lines: [{ variantId: v, quantity: 4 }] });
    expect((await svc().release(ctx, 'k-rel')).status).toBe('released');
    expect((await svc().release(ctx, 'k-rel')).status).toBe('released');
    expect(await level(t.db, v, whA)).toEqual({ onHand: 10, reserved: 0 });
    expect(await outcome(svc().commit(ctx, 'k-rel'))).toBe('inventory.reservation_released');

    await svc().reserve(ctx, { key: 'k-com', lines: [{ variantId: v, quantity: 3 }] });
    expect((await svc().commit(ctx, 'k-com')).status).toBe('committed');
    expect((await svc().commit(ctx, 'k-com')).status).toBe('committed');
    expect(await level(t.db, v, whA)).toEqual({ onHand: 7, reserved: 0 });
    expect(await outcome(svc().release(ctx, 'k-com'))).toBe('inventory.reservation_committed');
    expect(await outcome(svc().commit(ctx, 'k-none'))).toBe('inventory.reservation_not_found');
    expect(await outcome(svc().release(ctx, 'k-none'))).toBe('inventory.reservation_not_found');
    const ledger = await sql<{ kind: string; quantity: number }>`select kind, quantity from inventory.movements
      where variant_id = ${v} order by created_at, id`.execute(t.db.k);
    expect(ledger.rows).toEqual([
      { kind: 'receive', quantity: 10 },
      { kind: 'commit', quantity: -3 },
    ]);
  });

  it('[REQ-INV-008] expired reservations are released by the sweeper; commit after expiry is refused', async () => {
    const v = variant('exp');
    await receive(v, whA, 5);
    const r = await svc().reserve(ctx, {
      key: 'k-exp',
      lines: [{ variantId: v, quantity: 2 }],
      expiresAt: new Date(Date.now() + 150),
    });
    await new Promise((res) => setTimeout(res, 250));
    expect(await outcome(svc().commit(ctx, 'k-exp'))).toBe('inventory.reservation_expired');
    expect(await level(t.db, v, whA)).toEqual({ onHand: 5, reserved: 2 });
    expect(await svc().releaseExpired(ctx)).toBe(1);
    expect(await svc().releaseExpired(ctx)).toBe(0);
    expect(await level(t.db, v, whA)).toEqual({ onHand: 5, reserved: 0 });
    expect(await outcome(svc().commit(ctx, 'k-exp'))).toBe('inventory.reservation_expired');
    expect((await svc().release(ctx, 'k-exp')).status).toBe('expired');
    const events = await outboxOf(t.db, 'inventory.reservation.expired', r.id);
    expect(events.map((e) => e.payload)).toEqual([
      { reservationId: r.id, key: 'k-exp', lines: [{ variantId: v, warehouseId: whA, quantity: 2 }] },
    ]);
  });

  it('[REQ-INV-008] the module schedules the sweeper as the job inventory.release_expired', async () => {
    const v = variant('job');
    await receive(v, whA, 2);
    await svc().reserve(ctx, {
      key: 'k-job',
      lines: [{ variantId: v, quantity: 2 }],
      expiresAt: new Date(Date.now() + 100),
    });
    await new Promise((res) => setTimeout(res, 200));
    const job = t.inventory.definition.jobs?.find((j) => j.name === 'inventory.release_expired');
    expect(job?.intervalMs).toBe(15_000);
    await job?.run(ctx, { scheduledAt: new Date(), attempt: 1 });
    expect(await level(t.db, v, whA)).toEqual({ onHand: 2, reserved: 0 });
  });

  it('[REQ-INV-008] the default expiry is now + RESERVATION_TTL_SECONDS; a past expiresAt is refused', async () => {
    const v = variant('ttl');
    await receive(v, whA, 1);
    const before = Date.now();
    const r = await svc().reserve(ctx, { key: 'k-ttl', lines: [{ variantId: v, quantity: 1 }] });
    expect(r.expiresAt.getTime() - before).toBeGreaterThanOrEqual(900_000);
    expect(r.expiresAt.getTime() - before).toBeLessThan(905_000);
    expect(
      await outcome(
        svc().reserve(ctx, { key: 'k-past', lines: [{ variantId: v, quantity: 1 }], expiresAt: new Date(0) }),
      ),
    ).toBe('inventory.invalid_reservation');
    expect(await outcome(svc().reserve(ctx, { key: 'k-zero', lines: [{ variantId: v, quantity: 0 }] }))).toBe(
      'inventory.invalid_reservation',
    );
  });

  it('[REQ-INV-009] backorder policy allows reserving up to the limit below zero; untracked touches no stock', async () => {
    const v = variant('bo');
    await receive(v, whA, 1);
    await stock().setPolicy(ctx, { variantId: v, mode: 'backorder', backorderLimit: 2, lowStockThreshold: null });
    await svc().reserve(ctx, { key: 'k-bo-1', lines: [{ variantId: v, quantity: 3 }] });
    expect(await outcome(svc().reserve(ctx, { key: 'k-bo-2', lines: [{ variantId: v, quantity: 1 }] }))).toBe(
      'inventory.insufficient_stock',
    );
    await svc().commit(ctx, 'k-bo-1');
    expect(await level(t.db, v, whA)).toEqual({ onHand: -2, reserved: 0 });

    const u = variant('untracked');
    await stock().setPolicy(ctx, { variantId: u, mode: 'untracked', backorderLimit: 0, lowStockThreshold: null });
    const r = await svc().reserve(ctx, { key: 'k-untracked', lines: [{ variantId: u, quantity: 1000 }] });
    expect(r.allocations).toEqual([{ variantId: u, warehouseId: null, quantity: 1000 }]);
    expect((await svc().commit(ctx, 'k-untracked')).status).toBe('committed');
    expect((await stock().getAvailability([u])).get(u)).toEqual({ available: null, inStock: true });
  });
  it('[REQ-INV-020] returned units go back where they came from, once per return; a cancel restocks only the rest, and returns settled after it add nothing', async () => {
    const v = variant('ret');
    await receive(v, whA, 2);
    await receive(v, whB, 3);
    // 4 units: A (priority) gives its 2, B the other 2.
    const r = await svc().reserve(ctx, { key: 'k-ret', lines: [{ variantId: v, quantity: 4 }] });
    expect(r.allocations).toEqual([
      { variantId: v, warehouseId: whA, quantity: 2 },
      { variantId: v, warehouseId: whB, quantity: 2 },
    ]);
    await svc().commit(ctx, 'k-ret');
    expect(await outcome(svc().restockReturned(ctx, 'k-none', 'ret_x', [{ variantId: v, quantity: 1 }]))).toBe(
      'inventory.reservation_not_found',
    );
    // Two returns of one unit each: the second must not put a third unit back into A, which shipped only two.
    await svc().restockReturned(ctx, 'k-ret', 'ret_1', [{ variantId: v, quantity: 1 }]);
    await svc().restockReturned(ctx, 'k-ret', 'ret_1', [{ variantId: v, quantity: 1 }]); // a retry adds nothing
    await svc().restockReturned(ctx, 'k-ret', 'ret_2', [{ variantId: v, quantity: 2 }]);
    expect(await level(t.db, v, whA)).toEqual({ onHand: 2, reserved: 0 });
    expect(await level(t.db, v, whB)).toEqual({ onHand: 2, reserved: 0 });
    // 3 of 4 are back: one more than remains is refused and changes nothing.
    expect(await outcome(svc().restockReturned(ctx, 'k-ret', 'ret_3', [{ variantId: v, quantity: 2 }]))).toBe(
      'inventory.reservation_not_committed',
    );
    expect(await level(t.db, v, whB)).toEqual({ onHand: 2, reserved: 0 });
    // The order is cancelled afterwards: only the unit not returned comes back, and a retry adds nothing.
    await svc().restock(ctx, 'k-ret');
    await svc().restock(ctx, 'k-ret');
    expect(await level(t.db, v, whA)).toEqual({ onHand: 2, reserved: 0 });
    expect(await level(t.db, v, whB)).toEqual({ onHand: 3, reserved: 0 });
    // A return received before the cancel but settled after it: the cancel put its unit back already.
    await svc().restockReturned(ctx, 'k-ret', 'ret_4', [{ variantId: v, quantity: 1 }]);
    expect(await level(t.db, v, whB)).toEqual({ onHand: 3, reserved: 0 });
    const ledger = await sql<{ warehouse: string; quantity: number }>`select warehouse_id as warehouse, quantity
      from inventory.movements where variant_id = ${v} and kind = 'adjust' order by created_at, id`.execute(t.db.k);
    expect(ledger.rows).toEqual([
      { warehouse: whA, quantity: 1 },
      { warehouse: whA, quantity: 1 },
      { warehouse: whB, quantity: 1 },
      { warehouse: whB, quantity: 1 },
    ]);
  });

  it('[REQ-INV-015] a restock or return that would take the variant past 2,000,000,000 on hand is refused, nothing written', async () => {
    const v = variant('full');
    await receive(v, whA, 3);
    await svc().reserve(ctx, { key: 'k-full', lines: [{ variantId: v, quantity: 2 }] });
    await svc().commit(ctx, 'k-full');
    // Meanwhile the other warehouse fills the variant up to its ceiling.
    await receive(v, whB, 1_000_000_000);
    await receive(v, whB, 999_999_999);
    const movements = async () =>
      (
        await sql<{ n: number }>`select count(*)::int as n from inventory.movements where variant_id = ${v}`.execute(
          t.db.k,
        )
      ).rows[0]?.n;
    const before = await movements();
    expect(await outcome(svc().restockReturned(ctx, 'k-full', 'ret_full', [{ variantId: v, quantity: 2 }]))).toBe(
      'inventory.quantity_out_of_range',
    );
    expect(await outcome(svc().restock(ctx, 'k-full'))).toBe('inventory.quantity_out_of_range');
    expect(await level(t.db, v, whA)).toEqual({ onHand: 1, reserved: 0 });
    expect(await level(t.db, v, whB)).toEqual({ onHand: 1_999_999_999, reserved: 0 });
    expect(await movements()).toBe(before);
  });
});
