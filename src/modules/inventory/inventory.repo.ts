// SQL for the inventory schema. Every function takes the transaction (or db.k outside one).
import { type RawBuilder, sql } from 'kysely';
import { type Executor, typed } from '../../platform/db/typed.ts';
import { valuesList } from '../../platform/db/values-list.ts';
import type { LevelSnapshot } from './allocation.ts';
import type {
  Policy,
  PolicyMode,
  ReservationAllocation,
  ReservationStatus,
  StockLevel,
  Warehouse,
} from './contract.ts';
import type { InventoryDb } from './db.generated.ts';

export type Q = Executor;
/** `q` seen through inventory's generated table types. */
export const inventoryTables = (q: Q) => typed<InventoryDb>(q);

export async function insertWarehouse(q: Q, w: Warehouse): Promise<void> {
  await sql`insert into inventory.warehouses (id, name, country, priority, active)
    values (${w.id}, ${w.name}, ${w.country}, ${w.priority}, ${w.active})`.execute(q);
}

export async function listWarehouses(q: Q): Promise<Warehouse[]> {
  const r = await sql<Warehouse>`select id, name, country, priority, active from inventory.warehouses
    order by priority desc, id`.execute(q);
  return r.rows;
}

export async function warehouseExists(q: Q, id: string): Promise<boolean> {
  const r = await sql`select 1 from inventory.warehouses where id = ${id}`.execute(q);
  return r.rows.length > 0;
}

/** Upserts the policy and copies its backorder limit onto the variant's levels (same transaction). */
export async function upsertPolicy(q: Q, p: Policy): Promise<void> {
  await sql`insert into inventory.policies (variant_id, mode, backorder_limit, low_stock_threshold)
    values (${p.variantId}, ${p.mode}, ${p.backorderLimit}, ${p.lowStockThreshold})
    on conflict (variant_id) do update set mode = excluded.mode, backorder_limit = excluded.backorder_limit,
      low_stock_threshold = excluded.low_stock_threshold, updated_at = now()`.execute(q);
  await sql`update inventory.levels set backorder_limit = ${p.backorderLimit}, updated_at = now()
    where variant_id = ${p.variantId}`.execute(q);
}

export interface ReservationSnapshot {
  modes: Map<string, PolicyMode>;
  warehouses: { id: string; priority: number }[];
  levels: LevelSnapshot[];
}

type SnapshotRow = {
  variantId: string;
  mode: PolicyMode;
  warehouseId: string | null;
  priority: number | null;
  reservable: number | null;
};

/**
 * The unlocked read for planning a reservation: each variant's policy mode and its levels in active warehouses
 * (reservable = on_hand − reserved + backorder_limit) with the warehouse priority. One row per variant and level, at
 * least one per variant.
 */
const snapshotRows = (variantIds: readonly string[]) => sql`select v.id as "variantId",
      coalesce(p.mode, 'tracked') as mode, l.warehouse_id as "warehouseId", l.priority, l.reservable
    from ${valuesList(variantIds, (id) => sql`(${id}::text)`, 'v(id)', sql`null::text`)}
    left join inventory.policies p on p.variant_id = v.id
    left join (
      select l.variant_id, l.warehouse_id, w.priority, l.on_hand - l.reserved + l.backorder_limit as reservable
      from inventory.levels l join inventory.warehouses w on w.id = l.warehouse_id and w.active
    ) l on l.variant_id = v.id and coalesce(p.mode, 'tracked') <> 'untracked'`;

function toSnapshot(rows: readonly SnapshotRow[]): ReservationSnapshot {
  const modes = new Map<string, PolicyMode>();
  const warehouses = new Map<string, number>();
  const levels: LevelSnapshot[] = [];
  for (const row of rows) {
    modes.set(row.variantId, row.mode);
    if (row.warehouseId === null) continue;
    warehouses.set(row.warehouseId, row.priority ?? 0);
    levels.push({ variantId: row.variantId, warehouseId: row.warehouseId, reservable: row.reservable ?? 0 });
  }
  return { modes, warehouses: [...warehouses].map(([id, priority]) => ({ id, priority })), levels };
}

/**
 * Inserts an active reservation unless its key is taken, and reads the snapshot for planning it in the same
 * statement. `inserted` is false when the key was taken (the snapshot is then not needed).
 */
export async function insertReservationWithSnapshot(
  q: Q,
  row: { id: string; key: string; requestHash: string; expiresAt: Date },
  variantIds: readonly string[],
): Promise<{ inserted: boolean; snapshot: ReservationSnapshot }> {
  const r = await sql<SnapshotRow & { inserted: boolean }>`with ins as (
      insert into inventory.reservations (id, key, status, request_hash, expires_at)
      values (${row.id}, ${row.key}, 'active', ${row.requestHash}, ${row.expiresAt})
      on conflict (key) do nothing returning id)
    select s.*, exists (select from ins) as inserted from (${snapshotRows(variantIds)}) s`.execute(q);
  return { inserted: r.rows[0]?.inserted === true, snapshot: toSnapshot(r.rows) };
}

/** Gives reserved units back (release / expiry). The CHECK keeps reserved >= 0. */
export async function unreserveLevel(q: Q, variantId: string, warehouseId: string, qty: number): Promise<void> {
  await sql`update inventory.levels set reserved = reserved - ${qty}, updated_at = now()
    where variant_id = ${variantId} and warehouse_id = ${warehouseId}`.execute(q);
}

export interface ReservationRow {
  id: string;
  key: string;
  status: ReservationStatus;
  requestHash: string;
  expiresAt: Date;
  expired: boolean;
}

const RESERVATION_COLUMNS = sql`id, key, status, request_hash as "requestHash", expires_at as "expiresAt",
  expires_at <= now() as expired`;

export async function findReservation(q: Q, key: string): Promise<ReservationRow | undefined> {
  const r = await sql<ReservationRow>`select ${RESERVATION_COLUMNS} from inventory.reservations
    where key = ${key}`.execute(q);
  return r.rows[0];
}

/** A reservation's line as stored. */
export type StoredLine = ReservationAllocation & { reservationId: string; lineNo: number };

/** Lines in the order levels are locked in (variant, then warehouse), then by reservation and line. */
const LINE_ORDER = sql`variant_id collate "C", warehouse_id collate "C", reservation_id, line_no`;

/** A reservation's lines as one JSON array, in the order of linesOf (`r` is the reservation). */
const LINES_JSON = sql`coalesce((
    select json_agg(json_build_object('reservationId', reservation_id, 'lineNo', line_no,
        'variantId', variant_id, 'warehouseId', warehouse_id, 'quantity', quantity) order by ${LINE_ORDER})
    from inventory.reservation_lines where reservation_id = r.id), '[]')`;

/**
 * Locks the reservation with this key and reads its lines (which never change once written) in the same statement,
 * in the order of linesOf.
 */
export async function lockReservationWithLines(
  q: Q,
  key: string,
): Promise<{ row: ReservationRow; lines: StoredLine[] } | undefined> {
  const r = await sql<ReservationRow & { lines: StoredLine[] }>`
    select ${RESERVATION_COLUMNS}, ${LINES_JSON} as lines
    from inventory.reservations r where key = ${key} for update of r`.execute(q);
  const found = r.rows[0];
  if (!found) return undefined;
  const { lines, ...row } = found;
  return { row, lines };
}

/**
 * The conditional atomic update of a commit: the reservation with this key becomes `committed` only while it is
 * active and not past its expiry, and comes back with its lines. Undefined when it is not (or does not exist): the
 * caller locks it to tell why.
 */
export async function commitIfActive(
  q: Q,
  key: string,
): Promise<{ row: ReservationRow; lines: StoredLine[] } | undefined> {
  const r = await sql<ReservationRow & { lines: StoredLine[] }>`
    update inventory.reservations r set status = 'committed', updated_at = now()
    where key = ${key} and status = 'active' and expires_at > now()
    returning ${RESERVATION_COLUMNS}, ${LINES_JSON} as lines`.execute(q);
  const found = r.rows[0];
  if (!found) return undefined;
  const { lines, ...row } = found;
  return { row, lines };
}

/** Locks up to `limit` expired active reservations, skipping those another sweeper holds. */
export async function lockExpired(q: Q, limit: number): Promise<ReservationRow[]> {
  const r = await sql<ReservationRow>`select ${RESERVATION_COLUMNS} from inventory.reservations
    where status = 'active' and expires_at <= now() order by expires_at, id limit ${limit}
    for update skip locked`.execute(q);
  return r.rows;
}

export async function setStatus(q: Q, ids: readonly string[], status: ReservationStatus): Promise<void> {
  await sql`update inventory.reservations set status = ${status}, updated_at = now()
    where id = any(${[...ids]})`.execute(q);
}

export async function linesOf(q: Q, reservationIds: readonly string[]): Promise<StoredLine[]> {
  const r = await sql<StoredLine>`
    select reservation_id as "reservationId", line_no as "lineNo", variant_id as "variantId",
      warehouse_id as "warehouseId", quantity
    from inventory.reservation_lines where reservation_id = any(${[...reservationIds]})
    order by ${LINE_ORDER}`.execute(q);
  return r.rows;
}

export interface VariantTotals {
  variantId: string;
  mode: PolicyMode;
  onHand: number;
  reserved: number;
  available: number;
  lowStockThreshold: number | null;
}

/**
 * The totals of variants `ids` (a set of one-column rows) over `levels` (rows shaped like inventory.levels) in active
 * warehouses. variantTotals reads them from the table; a statement that changes levels reads them from the table with
 * its own changes laid over (level-batch.repo.ts).
 */
export function totalsOver(ids: RawBuilder<unknown>, levels: RawBuilder<unknown>): RawBuilder<VariantTotals> {
  return sql<VariantTotals>`
    select v.id as "variantId", coalesce(p.mode, 'tracked') as mode, p.low_stock_threshold as "lowStockThreshold",
      coalesce(sum(l.on_hand), 0)::int as "onHand", coalesce(sum(l.reserved), 0)::int as reserved,
      coalesce(sum(greatest(l.on_hand - l.reserved + l.backorder_limit, 0)), 0)::int as available
    from ${ids} as v(id)
    left join inventory.policies p on p.variant_id = v.id
    left join (${levels} l join inventory.warehouses w on w.id = l.warehouse_id and w.active)
      on l.variant_id = v.id
    group by v.id, p.mode, p.low_stock_threshold`;
}

/**
 * Totals per variant over active warehouses, one query for the whole batch (availability contract,
 * events). Variants without levels or policy come back with zeros.
 */
export async function variantTotals(q: Q, variantIds: readonly string[]): Promise<Map<string, VariantTotals>> {
  const r = await totalsOver(sql`unnest(${[...variantIds]}::text[])`, sql`inventory.levels`).execute(q);
  return totalsByVariant(r.rows);
}

export function totalsByVariant(rows: readonly VariantTotals[]): Map<string, VariantTotals> {
  return new Map(rows.map((t) => [t.variantId, t]));
}

/**
 * Availability of many variants as one row: a JSON object from variant id to what can be sold across active
 * warehouses, or null when the variant is untracked. Hundreds of variants (a storefront page) cost one row to read
 * instead of one each.
 */
export async function availableByVariant(q: Q, variantIds: readonly string[]): Promise<Record<string, number | null>> {
  const r = await sql<{ available: Record<string, number | null> }>`
    select coalesce(json_object_agg(t.id, t.available), '{}') as available from (
      select v.id, case when p.mode = 'untracked' then null
        else coalesce(sum(greatest(l.on_hand - l.reserved + l.backorder_limit, 0)), 0)::int end as available
      from unnest(${[...variantIds]}::text[]) as v(id)
      left join inventory.policies p on p.variant_id = v.id
      left join (inventory.levels l join inventory.warehouses w on w.id = l.warehouse_id and w.active)
        on l.variant_id = v.id
      group by v.id, p.mode) t`.execute(q);
  return r.rows[0]?.available ?? {};
}

export async function levelsOf(q: Q, variantId: string): Promise<StockLevel[]> {
  const r = await sql<StockLevel>`select variant_id as "variantId", warehouse_id as "warehouseId",
      on_hand as "onHand", reserved, on_hand - reserved as available
    from inventory.levels where variant_id = ${variantId} order by warehouse_id`.execute(q);
  return r.rows;
}
