// Warehouses, policies, stock movements (the ledger) and availability.
import type { Ctx } from '../../platform/context.ts';
import { type Db, isUniqueViolation } from '../../platform/db/db.ts';
import { errors } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import {
  type Availability,
  INVENTORY_ERRORS as E,
  type MovementInput,
  type Policy,
  type StockLevel,
  type Warehouse,
} from './contract.ts';
import * as repo from './inventory.repo.ts';
import * as ledger from './movement.repo.ts';
import { actorLabel, appendStockEvents } from './stock-events.ts';

const MAX_QTY = 1_000_000_000;

function checkMovement(m: MovementInput): void {
  const q = m.quantity;
  const bad = (message: string) => errors.unprocessable(E.invalidQuantity, message, [{ field: 'quantity', message }]);
  if (!Number.isInteger(q) || Math.abs(q) > MAX_QTY) throw bad(`quantity must be an integer within ±${MAX_QTY}`);
  if (m.kind === 'receive' && q <= 0) throw bad('a receipt must add stock (quantity > 0)');
  if (m.kind === 'damage' && q >= 0) throw bad('damage must remove stock (quantity < 0)');
  if (m.kind === 'adjust' && q === 0) throw bad('an adjustment must change stock (quantity ≠ 0)');
  if (m.kind === 'count' && q < 0) throw bad('a counted quantity cannot be negative');
  if (!m.reason || m.reason.length > 500) {
    throw errors.unprocessable(E.invalidQuantity, 'reason must be 1 to 500 characters', [
      { field: 'reason', message: 'must be 1 to 500 characters' },
    ]);
  }
}

/** 409: the variant's on hand over all its warehouses would pass VARIANT_ON_HAND_MAX (nothing is written). */
export const onHandOutOfRange = (variantId: string) =>
  errors.conflict(
    E.quantityOutOfRange,
    `Variant ${variantId} would have more than ${ledger.VARIANT_ON_HAND_MAX} units on hand over its warehouses.`,
    { max: ledger.VARIANT_ON_HAND_MAX },
  );

export function createStockService(deps: { db: Db }) {
  const { db } = deps;

  async function createWarehouse(
    _ctx: Ctx,
    input: { name: string; country: string; priority?: number; active?: boolean },
  ): Promise<Warehouse> {
    const w: Warehouse = {
      id: newId('wh'),
      name: input.name,
      country: input.country.toUpperCase(),
      priority: input.priority ?? 0,
      active: input.active ?? true,
    };
    await repo.insertWarehouse(db.k, w);
    return w;
  }

  const listWarehouses = () => repo.listWarehouses(db.k);

  async function getLevels(variantId: string): Promise<{ variantId: string; levels: StockLevel[] }> {
    return { variantId, levels: await repo.levelsOf(db.k, variantId) };
  }

  async function setPolicy(_ctx: Ctx, p: Policy): Promise<Policy> {
    const policy: Policy = { ...p, backorderLimit: p.mode === 'backorder' ? p.backorderLimit : 0 };
    await db.transaction((tx) => repo.upsertPolicy(tx, policy));
    return policy;
  }

  async function applyMovement(ctx: Ctx, m: MovementInput, key: string | undefined): Promise<StockLevel> {
    return db.transaction(async (tx) => {
      if (key) {
        const prior = await ledger.findMovementByKey(tx, key);
        if (prior) {
          const same =
            prior.variantId === m.variantId &&
            prior.warehouseId === m.warehouseId &&
            prior.kind === m.kind &&
            prior.requested === m.quantity;
          if (!same) throw errors.conflict(E.keyConflict, `Idempotency key ${key} was used for another movement.`);
          const level = await ledger.getLevel(tx, m.variantId, m.warehouseId);
          if (!level) throw new Error('level of a recorded movement is missing');
          return level;
        }
      }
      if (!(await repo.warehouseExists(tx, m.warehouseId))) {
        throw errors.notFound(E.warehouseNotFound, `No warehouse ${m.warehouseId}.`);
      }
      const cur = await ledger.lockLevel(tx, m.variantId, m.warehouseId);
      const onHand = m.kind === 'count' ? m.quantity : cur.onHand + m.quantity;
      if (onHand - cur.reserved < -cur.backorderLimit) {
        throw errors.conflict(
          E.belowReserved,
          `On hand would be ${onHand} with ${cur.reserved} reserved in warehouse ${m.warehouseId}.`,
          { onHand: cur.onHand, reserved: cur.reserved },
        );
      }
      const level = await ledger.setOnHand(tx, m.variantId, m.warehouseId, onHand);
      if (!level) throw onHandOutOfRange(m.variantId);
      await ledger.insertMovement(tx, {
        id: newId('mov'),
        variantId: m.variantId,
        warehouseId: m.warehouseId,
        kind: m.kind,
        quantity: onHand - cur.onHand,
        requested: m.quantity,
        reason: m.reason,
        actor: actorLabel(ctx.actor),
        idempotencyKey: key ?? null,
        reservationId: null,
      });
      await appendStockEvents(tx, ctx, new Map([[m.variantId, onHand - cur.onHand]]), 'movement');
      return level;
    });
  }

  /** Records a receipt, adjustment, count or damage in the ledger and applies it to the level. */
  async function recordMovement(ctx: Ctx, m: MovementInput): Promise<StockLevel> {
    checkMovement(m);
    const key = m.idempotencyKey ?? ctx.idempotencyKey;
    try {
      return await applyMovement(ctx, m, key);
    } catch (e) {
      // Two requests with one key raced: the loser's insert hit the unique key; replay it.
      if (key && isUniqueViolation(e)) return applyMovement(ctx, m, key);
      throw e;
    }
  }

  /** Batch availability for catalog and search: one query for any number of variants. */
  async function getAvailability(variantIds: readonly string[]): Promise<Map<string, Availability>> {
    const ids = [...new Set(variantIds)];
    const out = new Map<string, Availability>();
    if (ids.length === 0) return out;
    const available = await repo.availableByVariant(db.k, ids);
    for (const id of ids) {
      const a = available[id];
      if (a === null) out.set(id, { available: null, inStock: true });
      else out.set(id, { available: a ?? 0, inStock: (a ?? 0) > 0 });
    }
    return out;
  }

  return { createWarehouse, listWarehouses, getLevels, setPolicy, recordMovement, getAvailability };
}

export type StockService = ReturnType<typeof createStockService>;
