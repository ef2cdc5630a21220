// An in-memory InventoryApi for other modules' tests (cart, orders, catalog): same error codes and
// idempotency rules as the real module, one warehouse, no database. Import it from tests only.
import type { Ctx } from '../../platform/context.ts';
import { errors } from '../../platform/errors.ts';
import { canonicalDemand, requestHash } from './allocation.ts';
import { type Availability, INVENTORY_ERRORS as E, type InventoryApi, type Reservation } from './contract.ts';

export interface FakeInventory extends InventoryApi {
  /** Sets on-hand stock of a variant (the fake's one warehouse is `wh_fake`). */
  setStock(variantId: string, onHand: number): void;
  /** Current on hand and reserved of a variant. */
  level(variantId: string): { onHand: number; reserved: number };
  /** Moves every active reservation's expiry into the past. */
  expireAll(): void;
}

export function createFakeInventory(initial: Record<string, number> = {}): FakeInventory {
  const levels = new Map<string, { onHand: number; reserved: number }>();
  const reservations = new Map<string, Reservation & { hash: string }>();
  const restocked = new Set<string>();
  const lv = (v: string) => {
    const found = levels.get(v);
    if (found) return found;
    const created = { onHand: 0, reserved: 0 };
    levels.set(v, created);
    return created;
  };
  for (const [v, n] of Object.entries(initial)) lv(v).onHand = n;
  const find = (key: string) => {
    const r = reservations.get(key);
    if (!r) throw errors.notFound(E.reservationNotFound, `No reservation with key ${key}.`);
    return r;
  };
  const copy = ({ hash: _hash, ...r }: Reservation & { hash: string }): Reservation => ({
    ...r,
    allocations: r.allocations.map((a) => ({ ...a })),
  });

  return {
    async reserve(_ctx: Ctx, input) {
      const demand = canonicalDemand(input.lines);
      const hash = requestHash(demand);
      const prior = reservations.get(input.key);
      if (prior) {
        if (prior.hash !== hash) throw errors.conflict(E.keyConflict, `Key ${input.key} was used for other lines.`);
        return copy(prior);
      }
      if (demand.some((d) => !Number.isInteger(d.quantity) || d.quantity < 1)) {
        throw errors.unprocessable(E.invalidReservation, 'The reservation request is not valid.');
      }
      const short = demand.filter((d) => lv(d.variantId).onHand - lv(d.variantId).reserved < d.quantity);
      if (short.length) {
        const variants = short.map((d) => d.variantId);
        throw errors.conflict(E.insufficientStock, `Not enough stock for: ${variants.join(', ')}.`, { variants });
      }
      for (const d of demand) lv(d.variantId).reserved += d.quantity;
      const r = {
        id: `res_fake_${reservations.size + 1}`,
        key: input.key,
        status: 'active' as const,
        expiresAt: input.expiresAt ?? new Date(Date.now() + 900_000),
        allocations: demand.map((d) => ({ variantId: d.variantId, warehouseId: 'wh_fake', quantity: d.quantity })),
        hash,
      };
      reservations.set(input.key, r);
      return copy(r);
    },
    async release(_ctx, key) {
      const r = find(key);
      if (r.status === 'committed') throw errors.conflict(E.reservationCommitted, `Reservation ${key} was committed.`);
      if (r.status === 'active') {
        for (const a of r.allocations) lv(a.variantId).reserved -= a.quantity;
        r.status = r.expiresAt.getTime() <= Date.now() ? 'expired' : 'released';
      }
      return copy(r);
    },
    async restock(_ctx, key) {
      const r = find(key);
      if (r.status !== 'committed') {
        throw errors.conflict(E.reservationNotCommitted, `Reservation ${key} is ${r.status}.`);
      }
      if (!restocked.has(key)) {
        restocked.add(key);
        for (const a of r.allocations) lv(a.variantId).onHand += a.quantity;
      }
      return copy(r);
    },
    async restockReturned(_ctx, key, returnId, items) {
      const r = find(key);
      if (r.status !== 'committed') {
        throw errors.conflict(E.reservationNotCommitted, `Reservation ${key} is ${r.status}.`);
      }
      if (restocked.has(`return:${returnId}`)) return;
      restocked.add(`return:${returnId}`);
      for (const it of items) lv(it.variantId).onHand += it.quantity;
    },
    async commit(_ctx, key) {
      const r = find(key);
      if (r.status === 'committed') return copy(r);
      if (r.status === 'released') throw errors.conflict(E.reservationReleased, `Reservation ${key} was released.`);
      if (r.status === 'expired' || r.expiresAt.getTime() <= Date.now()) {
        throw errors.conflict(E.reservationExpired, `Reservation ${key} has expired; reserve again.`);
      }
      for (const a of r.allocations) {
        lv(a.variantId).reserved -= a.quantity;
        lv(a.variantId).onHand -= a.quantity;
      }
      r.status = 'committed';
      return copy(r);
    },
    async getAvailability(variantIds) {
      const out = new Map<string, Availability>();
      for (const v of variantIds) {
        const l = levels.get(v);
        const available = l ? Math.max(0, l.onHand - l.reserved) : 0;
        out.set(v, { available, inStock: available > 0 });
      }
      return out;
    },
    setStock: (v, n) => {
      lv(v).onHand = n;
    },
    level: (v) => ({ ...lv(v) }),
    expireAll: () => {
      for (const r of reservations.values()) if (r.status === 'active') r.expiresAt = new Date(0);
    },
  };
}
