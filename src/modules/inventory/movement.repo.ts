// SQL for the stock ledger (inventory.movements) and the level changes it records.
import { sql } from 'kysely';
import type { MovementKind, StockLevel } from './contract.ts';
import type { Q } from './inventory.repo.ts';

export interface MovementRow {
  id: string;
  variantId: string;
  warehouseId: string;
  kind: MovementKind | 'commit';
  quantity: number;
  requested: number;
  reason: string;
}

export async function findMovementByKey(q: Q, key: string): Promise<MovementRow | undefined> {
  const r = await sql<MovementRow>`select id, variant_id as "variantId", warehouse_id as "warehouseId", kind,
    quantity, requested, reason from inventory.movements where idempotency_key = ${key}`.execute(q);
  return r.rows[0];
}

/** Creates the level if missing (backorder limit from the variant's policy), then locks it. */
export async function lockLevel(
  q: Q,
  variantId: string,
  warehouseId: string,
): Promise<{ onHand: number; reserved: number; backorderLimit: number }> {
  await sql`insert into inventory.levels (variant_id, warehouse_id, backorder_limit)
    values (${variantId}, ${warehouseId},
      coalesce((select backorder_limit from inventory.policies where variant_id = ${variantId}), 0))
    on conflict (variant_id, warehouse_id) do nothing`.execute(q);
  const r = await sql<{ onHand: number; reserved: number; backorderLimit: number }>`
    select on_hand as "onHand", reserved, backorder_limit as "backorderLimit" from inventory.levels
    where variant_id = ${variantId} and warehouse_id = ${warehouseId} for update`.execute(q);
  const row = r.rows[0];
  if (!row) throw new Error('level vanished after insert');
  return row;
}

/**
 * The most units a variant may have on hand over all its levels. Its totals (on hand, reserved, available) are
 * PostgreSQL integers: reserved never exceeds on hand plus the backorder limit (at most 1,000,000 a level), so
 * this ceiling keeps every sum of them in range.
 */
export const VARIANT_ON_HAND_MAX = 2_000_000_000;

/**
 * Sets the level's on hand, only while the variant's on hand over all its levels stays within VARIANT_ON_HAND_MAX
 * (checked in the update itself, against the other levels' sum). Undefined, nothing written, when it would not.
 */
export async function setOnHand(
  q: Q,
  variantId: string,
  warehouseId: string,
  onHand: number,
): Promise<StockLevel | undefined> {
  // Past the ceiling on its own: refused before the statement (PostgreSQL folds the cast of a bound value to the
  // integer column while planning, so a value past the integer range fails there whatever the guard says).
  if (onHand > VARIANT_ON_HAND_MAX) return undefined;
  const r = await sql<StockLevel>`update inventory.levels l set on_hand = ${onHand}::bigint, updated_at = now()
    where l.variant_id = ${variantId} and l.warehouse_id = ${warehouseId}
      and ${onHand}::bigint + (select coalesce(sum(o.on_hand), 0) from inventory.levels o
        where o.variant_id = l.variant_id and o.warehouse_id <> l.warehouse_id) <= ${VARIANT_ON_HAND_MAX}::bigint
    returning variant_id as "variantId", warehouse_id as "warehouseId", on_hand as "onHand", reserved,
      on_hand - reserved as available`.execute(q);
  return r.rows[0];
}

export async function insertMovement(
  q: Q,
  m: MovementRow & { actor: string; idempotencyKey: string | null; reservationId: string | null },
): Promise<void> {
  await sql`insert into inventory.movements
      (id, variant_id, warehouse_id, kind, quantity, requested, reason, actor, idempotency_key, reservation_id)
    values (${m.id}, ${m.variantId}, ${m.warehouseId}, ${m.kind}, ${m.quantity}, ${m.requested}, ${m.reason},
      ${m.actor}, ${m.idempotencyKey}, ${m.reservationId})`.execute(q);
}

export async function getLevel(q: Q, variantId: string, warehouseId: string): Promise<StockLevel | undefined> {
  const r = await sql<StockLevel>`select variant_id as "variantId", warehouse_id as "warehouseId",
      on_hand as "onHand", reserved, on_hand - reserved as available
    from inventory.levels where variant_id = ${variantId} and warehouse_id = ${warehouseId}`.execute(q);
  return r.rows[0];
}

/**
 * What of a reservation is back on hand already: units per reservation line put back by returns (ledger rows keyed
 * `return:<returnId>:<lineNo>`), whether `returnId` put any back, and whether a cancellation restocked it
 * (`restock:<reservationId>:<lineNo>`: every unit not returned by then).
 */
export async function putBackOf(
  q: Q,
  reservationId: string,
  returnId: string,
): Promise<{ returnedByLine: Map<number, number>; returnDone: boolean; cancelled: boolean }> {
  const r = await sql<{ key: string; quantity: number }>`select idempotency_key as key, quantity
    from inventory.movements where reservation_id = ${reservationId} and kind = 'adjust'
      and (idempotency_key like 'return:%' or idempotency_key like 'restock:%')`.execute(q);
  const returnedByLine = new Map<number, number>();
  let returnDone = false;
  let cancelled = false;
  for (const row of r.rows) {
    const [kind, ret, line] = row.key.split(':');
    if (kind === 'restock') cancelled = true;
    else {
      if (ret === returnId) returnDone = true;
      returnedByLine.set(Number(line), (returnedByLine.get(Number(line)) ?? 0) + Number(row.quantity));
    }
  }
  return { returnedByLine, returnDone, cancelled };
}
