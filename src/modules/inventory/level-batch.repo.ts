// The hot writes of a reservation and of its commit as one statement each, whatever the number of lines: every level
// the reservation touches is locked in one fixed order (variant id, then warehouse id, byte order, as everywhere in
// this module) before any is changed, and the statement also returns the variants' totals after the change, for
// their stock events.
import { sql } from 'kysely';
import { valuesList } from '../../platform/db/values-list.ts';
import type { ReservationAllocation } from './contract.ts';
import { type Q, totalsByVariant, totalsOver, type VariantTotals } from './inventory.repo.ts';

/** A change to one level: `qty` units of the variant in the warehouse. */
export interface LevelChange {
  variantId: string;
  warehouseId: string;
  qty: number;
}

/** A ledger row of a commit (inventory.movements), one per tracked reservation line. */
export interface CommitMovement {
  id: string;
  variantId: string;
  warehouseId: string;
  quantity: number;
  idempotencyKey: string;
}

const wanted = (changes: readonly LevelChange[]) =>
  sql`select * from ${valuesList(
    changes,
    (c) => sql`(${c.variantId}::text, ${c.warehouseId}::text, ${c.qty}::int)`,
    't(variant_id, warehouse_id, qty)',
    sql`null::text, null::text, null::int`,
  )}`;

/**
 * The levels of `want`, locked in the module's lock order. Rows come out of the sort before they are locked, so the
 * locks are taken in that order, and the update that joins this runs only on rows already locked.
 */
const LOCKED = sql`select l.variant_id, l.warehouse_id from inventory.levels l
    join want w on w.variant_id = l.variant_id and w.warehouse_id = l.warehouse_id
    order by l.variant_id collate "C", l.warehouse_id collate "C" for update of l`;

/** inventory.levels with this statement's changes (CTE `u`) laid over the rows they changed. */
const LEVELS_AFTER = sql`(select l.variant_id, l.warehouse_id, coalesce(u.on_hand, l.on_hand) as on_hand,
      coalesce(u.reserved, l.reserved) as reserved, l.backorder_limit
    from inventory.levels l left join u on u.variant_id = l.variant_id and u.warehouse_id = l.warehouse_id)`;

/** The totals after the change of every variant in `want`, as one JSON array. */
const TOTALS_AFTER = sql`coalesce((
    select json_agg(t) from (${totalsOver(sql`(select distinct variant_id from want)`, LEVELS_AFTER)}) t), '[]')`;

/** The update's rows: the levels of `want` that `locked` holds. */
const LOCKED_LEVELS = sql`from want w join locked k on k.variant_id = w.variant_id and k.warehouse_id = w.warehouse_id
      where l.variant_id = w.variant_id and l.warehouse_id = w.warehouse_id`;

/**
 * Writes a reservation's lines and reserves each level's `qty`, only where the level can still give it
 * (on_hand − reserved + backorder_limit ≥ qty, checked on the locked row). `short` lists, in lock order, the levels
 * that could not give their units: the caller then rolls the whole transaction back. `changes` holds one entry per
 * level; `lines` are the plan's lines as stored (numbered from 1).
 */
export async function reserveLevels(
  q: Q,
  reservationId: string,
  lines: readonly ReservationAllocation[],
  changes: readonly LevelChange[],
): Promise<{ short: { variantId: string; warehouseId: string }[]; totals: Map<string, VariantTotals> }> {
  const r = await sql<{ short: { variantId: string; warehouseId: string }[]; totals: VariantTotals[] }>`
    with want as (${wanted(changes)}),
    locked as materialized (${LOCKED}),
    u as (
      update inventory.levels l set reserved = l.reserved + w.qty, updated_at = now()
      ${LOCKED_LEVELS} and l.on_hand - l.reserved + l.backorder_limit >= w.qty
      returning l.variant_id, l.warehouse_id, l.on_hand, l.reserved),
    ins as (
      insert into inventory.reservation_lines (reservation_id, line_no, variant_id, warehouse_id, quantity)
      select ${reservationId}, n, variant_id, warehouse_id, quantity from ${valuesList(
        lines.map((l, i) => ({ ...l, n: i + 1 })),
        (l) => sql`(${l.n}::int, ${l.variantId}::text, ${l.warehouseId}::text, ${l.quantity}::int)`,
        't(n, variant_id, warehouse_id, quantity)',
        sql`null::int, null::text, null::text, null::int`,
      )})
    select coalesce((select json_agg(json_build_object('variantId', w.variant_id, 'warehouseId', w.warehouse_id)
          order by w.variant_id collate "C", w.warehouse_id collate "C")
        from want w
        where not exists (select from u where u.variant_id = w.variant_id and u.warehouse_id = w.warehouse_id)),
        '[]') as short,
      ${TOTALS_AFTER} as totals`.execute(q);
  const row = r.rows[0];
  if (!row) throw new Error('reserveLevels returned no row');
  return { short: row.short, totals: totalsByVariant(row.totals) };
}

/**
 * A commit's units leave the building: each level's `qty` comes off both on_hand and reserved, one `commit` ledger
 * row per tracked line is written, and the totals after come back.
 */
export async function consumeLevels(
  q: Q,
  reservationId: string,
  changes: readonly LevelChange[],
  movements: readonly CommitMovement[],
  actor: string,
): Promise<Map<string, VariantTotals>> {
  const r = await sql<{ totals: VariantTotals[] }>`
    with want as (${wanted(changes)}),
    locked as materialized (${LOCKED}),
    u as (
      update inventory.levels l set on_hand = l.on_hand - w.qty, reserved = l.reserved - w.qty, updated_at = now()
      ${LOCKED_LEVELS}
      returning l.variant_id, l.warehouse_id, l.on_hand, l.reserved),
    m as (
      insert into inventory.movements
        (id, variant_id, warehouse_id, kind, quantity, requested, reason, actor, idempotency_key, reservation_id)
      select id, variant_id, warehouse_id, 'commit', -quantity, -quantity, 'reservation committed', ${actor},
        idempotency_key, ${reservationId}
      from ${valuesList(
        movements,
        (m) => sql`(${m.id}::text, ${m.variantId}::text, ${m.warehouseId}::text, ${m.quantity}::int,
          ${m.idempotencyKey}::text)`,
        't(id, variant_id, warehouse_id, quantity, idempotency_key)',
        sql`null::text, null::text, null::text, null::int, null::text`,
      )})
    select ${TOTALS_AFTER} as totals`.execute(q);
  return totalsByVariant(r.rows[0]?.totals ?? []);
}
