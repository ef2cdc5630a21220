// Inventory test helpers: a migrated database with the inventory module, and the invariant check
// run after every concurrent test.
import { sql } from 'kysely';
import { PLATFORM_MIGRATIONS } from '../../src/app.ts';
import { createInventoryModule, type InventoryModule } from '../../src/modules/inventory/index.ts';
import type { Ctx } from '../../src/platform/context.ts';
import type { Db } from '../../src/platform/db/db.ts';
import { migrate } from '../../src/platform/db/migrate.ts';
import { createLogger } from '../../src/platform/observability/logger.ts';
import { asStaff } from './fake-auth.ts';
import { openTestDb } from './test-db.ts';

export const staffCtx: Ctx = {
  requestId: 'req-test',
  actor: { kind: 'staff', userId: 'usr_staff', roles: ['admin'], permissions: ['*'] },
};

export interface InventoryTestDb {
  db: Db;
  inventory: InventoryModule;
  dispose(): Promise<void>;
}

export async function openInventoryTestDb(
  options: { kind?: 'postgres' | 'pglite'; poolMax?: number; ttlSeconds?: number } = {},
): Promise<InventoryTestDb> {
  const t = await openTestDb({ ...(options.kind ? { kind: options.kind } : {}), poolMax: options.poolMax ?? 10 });
  const inventory = createInventoryModule({
    db: t.db,
    config: { reservationTtlSeconds: options.ttlSeconds ?? 900, grpcPort: undefined },
    logger: createLogger('silent'),
  });
  const migrations = inventory.definition.migrations;
  if (!migrations) throw new Error('inventory has migrations');
  await migrate(t.db, [PLATFORM_MIGRATIONS, migrations]);
  return { db: t.db, inventory, dispose: t.dispose };
}

/**
 * The inventory invariants; returns the violations (expect an empty list):
 * stock never below what the policy allows (tracked: on_hand >= reserved >= 0);
 * reserved = sum of the active reservations' lines per level; on_hand = sum of the ledger per level.
 */
export async function inventoryViolations(db: Db): Promise<string[]> {
  const r = await sql<{ problem: string }>`
    select 'negative stock at ' || variant_id || '/' || warehouse_id as problem from inventory.levels
      where reserved < 0 or on_hand - reserved < -backorder_limit or (backorder_limit = 0 and on_hand < 0)
    union all
    select 'reserved ' || l.reserved || ' <> active lines ' || coalesce(a.sum, 0) || ' at ' || l.variant_id || '/' || l.warehouse_id
      from inventory.levels l left join (
        select rl.variant_id, rl.warehouse_id, sum(rl.quantity) as sum from inventory.reservation_lines rl
        join inventory.reservations r on r.id = rl.reservation_id and r.status = 'active'
        group by rl.variant_id, rl.warehouse_id) a on a.variant_id = l.variant_id and a.warehouse_id = l.warehouse_id
      where l.reserved <> coalesce(a.sum, 0)
    union all
    select 'on_hand ' || l.on_hand || ' <> ledger ' || coalesce(m.sum, 0) || ' at ' || l.variant_id || '/' || l.warehouse_id
      from inventory.levels l left join (
        select variant_id, warehouse_id, sum(quantity) as sum from inventory.movements group by variant_id, warehouse_id
      ) m on m.variant_id = l.variant_id and m.warehouse_id = l.warehouse_id
      where l.on_hand <> coalesce(m.sum, 0)`.execute(db.k);
  return r.rows.map((x) => x.problem);
}

export async function level(db: Db, variantId: string, warehouseId: string) {
  const r = await sql<{ onHand: number; reserved: number }>`select on_hand as "onHand", reserved
    from inventory.levels where variant_id = ${variantId} and warehouse_id = ${warehouseId}`.execute(db.k);
  return r.rows[0];
}

export async function outboxOf(db: Db, type: string, aggregateId?: string) {
  const r = await sql<{ type: string; aggregateId: string; payload: Record<string, unknown> }>`
    select type, aggregate_id as "aggregateId", payload from platform.outbox
    where type = ${type} and (${aggregateId ?? null}::text is null or aggregate_id = ${aggregateId ?? null})
    order by seq`.execute(db.k);
  return r.rows;
}

/** Rejection code of a failed promise (AppError code), or 'ok'. */
export async function outcome(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    return typeof code === 'string' ? code : `error: ${(e as Error).message}`;
  }
}

/**
 * Catalog variants for inventory's staff routes (they answer 404 for a variant the catalog does not have): one draft
 * product with a variant per name, over HTTP with the fake staff header. Ids sort in the order of `names`.
 */
export async function catalogVariants<N extends string>(
  http: { inject: (o: object) => Promise<{ statusCode: number; body: string; json: () => unknown }> },
  names: readonly N[],
): Promise<Record<N, string>> {
  const tag = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
  const res = await http.inject({
    method: 'POST',
    url: '/v1/products',
    headers: asStaff('catalog:write'),
    payload: {
      slug: `inv-${tag}`,
      name: `Inventory ${tag}`,
      status: 'draft',
      variants: names.map((n) => ({ sku: `INV-${tag}-${n}`.toUpperCase().replace(/_/g, '-') })),
    },
  });
  if (res.statusCode !== 201) throw new Error(`product: ${res.statusCode} ${res.body}`);
  const ids = (res.json() as { variants: { id: string }[] }).variants.map((v) => v.id);
  return Object.fromEntries(names.map((n, i) => [n, ids[i]])) as Record<N, string>;
}
