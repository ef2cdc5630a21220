// Concurrency invariants on real PostgreSQL: no oversell, no deadlock reaching the caller, all-or-nothing,
// and after every test: stock never negative, reserved = sum(active reservations), ledger sum = on hand.
import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  staffCtx as ctx,
  type InventoryTestDb,
  inventoryViolations,
  level,
  openInventoryTestDb,
  outcome,
} from '../support/inventory.ts';
import { needsPostgres, TEST_DATABASE_URL } from '../support/services.ts';

let t: InventoryTestDb;
const wh: string[] = [];
let n = 0;
const variant = (name: string) => `var_${name}_${++n}`;
const svc = () => t.inventory.reservations;
const receive = (variantId: string, warehouseId: string, quantity: number) =>
  t.inventory.stock.recordMovement(ctx, { variantId, warehouseId, kind: 'receive', quantity, reason: 'test stock' });
function tally(results: string[]): Record<string, number> {
  const acc: Record<string, number> = {};
  for (const r of results) acc[r] = (acc[r] ?? 0) + 1;
  return acc;
}

describe.skipIf(!TEST_DATABASE_URL)(`inventory under concurrency ${needsPostgres}`, () => {
  beforeAll(async () => {
    t = await openInventoryTestDb({ kind: 'postgres', poolMax: 20 });
    for (const [name, priority] of [
      ['A', 3],
      ['B', 2],
      ['C', 1],
    ] as const) {
      wh.push((await t.inventory.stock.createWarehouse(ctx, { name, country: 'DE', priority })).id);
    }
  });
  afterEach(async () => {
    expect(await inventoryViolations(t.db)).toEqual([]);
  });
  afterAll(async () => {
    await t?.dispose();
  });

  it('[REQ-INV-004] 200 concurrent reservations of 1 unit with 5 in stock: exactly 5 succeed', async () => {
    const v = variant('hot');
    await receive(v, wh[0] as string, 5);
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        outcome(svc().reserve(ctx, { key: `hot-${v}-${i}`, lines: [{ variantId: v, quantity: 1 }] })),
      ),
    );
    expect(tally(results)).toEqual({ ok: 5, 'inventory.insufficient_stock': 195 });
    expect(await level(t.db, v, wh[0] as string)).toEqual({ onHand: 5, reserved: 5 });
  });

  it('[REQ-INV-004] stock spread over 3 warehouses: 40 concurrent reservations get exactly the 6 units', async () => {
    const v = variant('spread');
    for (const w of wh) await receive(v, w, 2);
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        outcome(svc().reserve(ctx, { key: `spread-${v}-${i}`, lines: [{ variantId: v, quantity: 1 }] })),
      ),
    );
    expect(tally(results)).toEqual({ ok: 6, 'inventory.insufficient_stock': 34 });
    for (const w of wh) expect(await level(t.db, v, w)).toEqual({ onHand: 2, reserved: 2 });
  });

  it('[REQ-INV-005] multi-line reservations racing in opposite variant orders: no deadlock, all-or-nothing', async () => {
    const a = variant('pa');
    const b = variant('pb');
    await receive(a, wh[0] as string, 30);
    await receive(b, wh[0] as string, 20);
    const results = await Promise.all(
      Array.from({ length: 60 }, (_, i) => {
        const lines = [
          { variantId: a, quantity: 1 },
          { variantId: b, quantity: 1 },
        ];
        return outcome(svc().reserve(ctx, { key: `pair-${a}-${i}`, lines: i % 2 ? lines.reverse() : lines }));
      }),
    );
    expect(tally(results)).toEqual({ ok: 20, 'inventory.insufficient_stock': 40 });
    expect(await level(t.db, a, wh[0] as string)).toEqual({ onHand: 30, reserved: 20 });
    expect(await level(t.db, b, wh[0] as string)).toEqual({ onHand: 20, reserved: 20 });
  });

  it('[REQ-INV-023] two-variant orders split over warehouses, reserved and committed at once in opposite line orders: no deadlock, each unit once', async () => {
    const a = variant('sa');
    const b = variant('sb');
    // 15 of a over three warehouses, 20 of b over two: a bounds the orders at 15, and most take a from two levels.
    for (const w of wh) await receive(a, w, 5);
    await receive(b, wh[0] as string, 10);
    await receive(b, wh[1] as string, 10);
    const results = await Promise.all(
      Array.from({ length: 40 }, async (_, i) => {
        const lines = [
          { variantId: a, quantity: i % 3 === 0 ? 2 : 1 },
          { variantId: b, quantity: 1 },
        ];
        const key = `split-${a}-${i}`;
        const got = await outcome(svc().reserve(ctx, { key, lines: i % 2 ? lines.reverse() : lines }));
        return got === 'ok' ? outcome(svc().commit(ctx, key)) : got;
      }),
    );
    expect(results.filter((r) => r !== 'ok' && r !== 'inventory.insufficient_stock')).toEqual([]);
    const committed = await sql<{ a: number; b: number; rows: number; lines: number }>`
      select coalesce(sum(-m.quantity) filter (where m.variant_id = ${a}), 0)::int as a,
        coalesce(sum(-m.quantity) filter (where m.variant_id = ${b}), 0)::int as b, count(*)::int as rows,
        (select count(*)::int from inventory.reservation_lines l join inventory.reservations r on r.id = l.reservation_id
          where r.key like ${`split-${a}-%`} and r.status = 'committed') as lines
      from inventory.movements m where m.kind = 'commit' and m.variant_id in (${a}, ${b})`.execute(t.db.k);
    const ok = results.filter((r) => r === 'ok').length;
    const row = committed.rows[0];
    // Every committed reservation took its a and one b; the ledger has one commit row per stored line.
    expect(row?.b).toBe(ok);
    expect(row?.rows).toBe(row?.lines);
    // a runs out: what is left of it cannot give any order its units.
    expect(15 - (row?.a ?? 0)).toBeLessThan(2);
    for (const w of wh) expect((await level(t.db, a, w))?.reserved).toBe(0);
    const bLeft = (await level(t.db, b, wh[0] as string))?.onHand ?? 0;
    expect(bLeft + ((await level(t.db, b, wh[1] as string))?.onHand ?? 0)).toBe(20 - ok);
  });

  it('[REQ-INV-006] 20 concurrent retries of one key create one reservation', async () => {
    const v = variant('samekey');
    await receive(v, wh[0] as string, 10);
    const rs = await Promise.all(
      Array.from({ length: 20 }, () =>
        svc().reserve(ctx, { key: `same-${v}`, lines: [{ variantId: v, quantity: 3 }] }),
      ),
    );
    expect(new Set(rs.map((r) => r.id)).size).toBe(1);
    expect(await level(t.db, v, wh[0] as string)).toEqual({ onHand: 10, reserved: 3 });
  });

  it('[REQ-INV-009] backorder limit respected under concurrency: 3 on hand + limit 2 → exactly 5 of 50', async () => {
    const v = variant('bo');
    await receive(v, wh[0] as string, 3);
    await t.inventory.stock.setPolicy(ctx, {
      variantId: v,
      mode: 'backorder',
      backorderLimit: 2,
      lowStockThreshold: null,
    });
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        outcome(svc().reserve(ctx, { key: `bo-${v}-${i}`, lines: [{ variantId: v, quantity: 1 }] })),
      ),
    );
    expect(tally(results)).toEqual({ ok: 5, 'inventory.insufficient_stock': 45 });
    expect(await level(t.db, v, wh[0] as string)).toEqual({ onHand: 3, reserved: 5 });
  });

  it('[REQ-INV-007] concurrent commits, releases and sweepers: each reservation ends in exactly one state', async () => {
    const v = variant('mix');
    await receive(v, wh[0] as string, 30);
    let lastExpiry = 0;
    for (let i = 0; i < 30; i++) {
      const expiresAt = i >= 20 ? new Date(Date.now() + 200) : undefined;
      if (expiresAt) lastExpiry = expiresAt.getTime();
      await svc().reserve(ctx, {
        key: `mix-${v}-${i}`,
        lines: [{ variantId: v, quantity: 1 }],
        ...(expiresAt ? { expiresAt } : {}),
      });
    }
    await new Promise((r) => setTimeout(r, lastExpiry - Date.now() + 100));
    const ops: Promise<string>[] = [];
    for (let i = 0; i < 10; i++)
      ops.push(outcome(svc().commit(ctx, `mix-${v}-${i}`)), outcome(svc().commit(ctx, `mix-${v}-${i}`)));
    for (let i = 10; i < 20; i++)
      ops.push(outcome(svc().release(ctx, `mix-${v}-${i}`)), outcome(svc().release(ctx, `mix-${v}-${i}`)));
    for (let i = 20; i < 30; i++) ops.push(outcome(svc().commit(ctx, `mix-${v}-${i}`)));
    const swept = Promise.all([svc().releaseExpired(ctx), svc().releaseExpired(ctx), svc().releaseExpired(ctx)]);
    const results = await Promise.all(ops);
    expect(tally(results)).toEqual({ ok: 40, 'inventory.reservation_expired': 10 });
    // A sweeper skips (SKIP LOCKED) a reservation that a refused commit holds at that moment; the next run takes it.
    const sweptNow = (await swept).reduce((s, x) => s + x, 0);
    expect(sweptNow + (await svc().releaseExpired(ctx))).toBe(10);
    expect(await svc().releaseExpired(ctx)).toBe(0);
    expect(await level(t.db, v, wh[0] as string)).toEqual({ onHand: 20, reserved: 0 });
  });

  it('[REQ-INV-011] concurrent movements: one idempotency key applies once; movements racing reservations keep the ledger', async () => {
    const v = variant('mvc');
    await receive(v, wh[0] as string, 10);
    const same = await Promise.all(
      Array.from({ length: 20 }, () =>
        t.inventory.stock.recordMovement(ctx, {
          variantId: v,
          warehouseId: wh[0] as string,
          kind: 'receive',
          quantity: 1,
          reason: 'PO-9',
          idempotencyKey: `mv-${v}`,
        }),
      ),
    );
    expect(same.map((l) => l.onHand).every((x) => x === 11)).toBe(true);
    const mixed = await Promise.all([
      ...Array.from({ length: 30 }, (_, i) =>
        outcome(svc().reserve(ctx, { key: `mvr-${v}-${i}`, lines: [{ variantId: v, quantity: 1 }] })),
      ),
      ...Array.from({ length: 10 }, () =>
        outcome(
          t.inventory.stock.recordMovement(ctx, {
            variantId: v,
            warehouseId: wh[0] as string,
            kind: 'receive',
            quantity: 1,
            reason: 'x',
          }),
        ),
      ),
    ]);
    expect(mixed.filter((r) => r !== 'ok' && r !== 'inventory.insufficient_stock')).toEqual([]);
    expect(await level(t.db, v, wh[0] as string)).toEqual({
      onHand: 21,
      reserved: mixed.slice(0, 30).filter((r) => r === 'ok').length,
    });
  });
});
