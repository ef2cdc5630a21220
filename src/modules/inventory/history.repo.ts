// SQL for the staff reads of the stock ledger and of low stock (history.http.ts).
import { sql } from 'kysely';
import type { Q } from './inventory.repo.ts';

export interface MovementView {
  id: string;
  variantId: string;
  warehouseId: string;
  kind: string;
  quantity: number;
  requested: number;
  reason: string;
  actor: string;
  createdAt: string;
}

export interface LowStockRow {
  variantId: string;
  onHand: number;
  reserved: number;
  available: number;
  threshold: number;
}

/** Whether `id` is a movement of the variant (a cursor must name one). */
export async function movementOfVariant(q: Q, variantId: string, id: string): Promise<boolean> {
  const r = await sql`select 1 from inventory.movements where id = ${id} and variant_id = ${variantId}`.execute(q);
  return r.rows.length > 0;
}

/** A variant's ledger, newest first, optionally in one warehouse; after `cursor` (a movement id) when given. */
export async function listMovements(
  q: Q,
  f: { variantId: string; warehouseId: string | null; cursor: string | null; limit: number },
): Promise<MovementView[]> {
  const r = await sql<MovementView & { createdAt: Date }>`select m.id, m.variant_id as "variantId",
      m.warehouse_id as "warehouseId", m.kind, m.quantity, m.requested, m.reason, m.actor, m.created_at as "createdAt"
    from inventory.movements m
    where m.variant_id = ${f.variantId}
      and (${f.warehouseId}::text is null or m.warehouse_id = ${f.warehouseId})
      and (${f.cursor}::text is null or (m.created_at, m.id) <
        (select c.created_at, c.id from inventory.movements c where c.id = ${f.cursor}))
    order by m.created_at desc, m.id desc limit ${f.limit}`.execute(q);
  return r.rows.map((m) => ({ ...m, createdAt: new Date(m.createdAt).toISOString() }));
}

/**
 * Variants whose availability over active warehouses is at or below their policy's low-stock threshold (untracked
 * variants never are), by variant id, after `cursor` (a variant id) when given.
 */
export async function listLowStock(q: Q, f: { cursor: string | null; limit: number }): Promise<LowStockRow[]> {
  const r = await sql<LowStockRow>`select p.variant_id as "variantId",
      coalesce(sum(l.on_hand), 0)::int as "onHand", coalesce(sum(l.reserved), 0)::int as reserved,
      coalesce(sum(greatest(l.on_hand - l.reserved + l.backorder_limit, 0)), 0)::int as available,
      p.low_stock_threshold as threshold
    from inventory.policies p
    left join (inventory.levels l join inventory.warehouses w on w.id = l.warehouse_id and w.active)
      on l.variant_id = p.variant_id
    where p.low_stock_threshold is not null and p.mode <> 'untracked'
      and (${f.cursor}::text is null or p.variant_id > ${f.cursor})
    group by p.variant_id, p.low_stock_threshold
    having coalesce(sum(greatest(l.on_hand - l.reserved + l.backorder_limit, 0)), 0) <= p.low_stock_threshold
    order by p.variant_id limit ${f.limit}`.execute(q);
  return r.rows;
}
