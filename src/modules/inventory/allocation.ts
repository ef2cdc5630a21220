// Pure reservation rules: canonical demand and the allocation strategy.
//
// Strategy (documented in docs/requirements/inventory.md, REQ-INV-003):
// 1. Demand is summed per variant (two lines of one variant are checked as one).
// 2. If one active warehouse can serve every tracked variant, take it all from there — the first
//    such warehouse in (priority desc, id asc) order — so the order ships in one parcel.
// 3. Otherwise each variant is served greedily from warehouses in (priority desc, id asc) order.
// 4. Untracked variants take no stock (warehouseId null).
// The plan is computed from a snapshot; the database applies it with conditional updates, so a
// stale snapshot can never oversell — it only makes the caller re-plan.
import { createHash } from 'node:crypto';
import type { PolicyMode, ReserveLine } from './contract.ts';

export interface Demand {
  variantId: string;
  quantity: number;
}

/** Lines summed per variant, sorted by variant id (the lock order). */
export function canonicalDemand(lines: readonly ReserveLine[]): Demand[] {
  const sums = new Map<string, number>();
  for (const l of lines) sums.set(l.variantId, (sums.get(l.variantId) ?? 0) + l.quantity);
  return [...sums.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([variantId, quantity]) => ({ variantId, quantity }));
}

export function requestHash(demand: readonly Demand[]): string {
  return createHash('sha256')
    .update(JSON.stringify(demand.map((d) => [d.variantId, d.quantity])))
    .digest('hex');
}

export interface WarehouseRank {
  id: string;
  priority: number;
}

export interface LevelSnapshot {
  variantId: string;
  warehouseId: string;
  /** on_hand - reserved + backorder_limit: what a conditional update would still accept. */
  reservable: number;
}

export interface PlannedLine {
  variantId: string;
  warehouseId: string | null;
  quantity: number;
}

export type Plan = { ok: true; lines: PlannedLine[] } | { ok: false; shortVariants: string[] };

const byRank = (a: WarehouseRank, b: WarehouseRank) =>
  b.priority - a.priority || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

const byLockOrder = (a: PlannedLine, b: PlannedLine) =>
  a.variantId < b.variantId
    ? -1
    : a.variantId > b.variantId
      ? 1
      : (a.warehouseId ?? '') < (b.warehouseId ?? '')
        ? -1
        : (a.warehouseId ?? '') > (b.warehouseId ?? '')
          ? 1
          : 0;

export function planAllocation(
  demand: readonly Demand[],
  modes: ReadonlyMap<string, PolicyMode>,
  warehouses: readonly WarehouseRank[],
  levels: readonly LevelSnapshot[],
): Plan {
  const ranked = [...warehouses].sort(byRank);
  const reservable = new Map<string, number>();
  for (const l of levels) reservable.set(`${l.variantId}\u0000${l.warehouseId}`, Math.max(0, l.reservable));
  const at = (v: string, w: string) => reservable.get(`${v}\u0000${w}`) ?? 0;

  const lines: PlannedLine[] = [];
  const tracked: Demand[] = [];
  for (const d of demand) {
    if (modes.get(d.variantId) === 'untracked')
      lines.push({ variantId: d.variantId, warehouseId: null, quantity: d.quantity });
    else tracked.push(d);
  }
  if (tracked.length === 0) return { ok: true, lines };

  const single = ranked.find((w) => tracked.every((d) => at(d.variantId, w.id) >= d.quantity));
  if (single) {
    for (const d of tracked) lines.push({ variantId: d.variantId, warehouseId: single.id, quantity: d.quantity });
    return { ok: true, lines: lines.sort(byLockOrder) };
  }

  const short: string[] = [];
  for (const d of tracked) {
    let remaining = d.quantity;
    for (const w of ranked) {
      if (remaining === 0) break;
      const take = Math.min(remaining, at(d.variantId, w.id));
      if (take > 0) {
        lines.push({ variantId: d.variantId, warehouseId: w.id, quantity: take });
        remaining -= take;
      }
    }
    if (remaining > 0) short.push(d.variantId);
  }
  if (short.length) return { ok: false, shortVariants: short };
  return { ok: true, lines: lines.sort(byLockOrder) };
}
