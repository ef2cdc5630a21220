// Stock for the embedded demo catalog: two warehouses and a deterministic receipt per variant,
// written in one transaction (levels plus their ledger rows, so the ledger still sums to on_hand).
import { type Insertable, sql } from 'kysely';
import type { Db } from '../../platform/db/db.ts';
import { newId } from '../../platform/ids.ts';
import type { InventoryLevels } from './db.generated.ts';
import { inventoryTables } from './inventory.repo.ts';

const WAREHOUSES = [
  { name: 'Berlin fulfillment centre', country: 'DE', priority: 1 },
  { name: 'Rotterdam fulfillment centre', country: 'NL', priority: 2 },
];

/** Deterministic quantity 0–40 from the variant id, so some demo variants are sold out. */
function quantityFor(variantId: string, warehouse: number): number {
  let h = warehouse * 31;
  for (const c of variantId) h = (h * 33 + c.charCodeAt(0)) % 1_000_003;
  const q = h % 41;
  return q < 4 ? 0 : q;
}

/** Returns the number of levels written (0 when any warehouse already exists). */
export async function seedDemoStock(db: Db, variantIds: string[]): Promise<number> {
  return db.transaction(async (t) => {
    const tx = inventoryTables(t);
    const any = await sql<{ one: number }>`select 1 as one from inventory.warehouses limit 1`.execute(tx);
    if (any.rows.length) return 0;
    const whs = WAREHOUSES.map((w) => ({ id: newId('wh'), ...w, active: true }));
    await tx.insertInto('inventory.warehouses').values(whs).execute();
    let written = 0;
    for (let i = 0; i < variantIds.length; i += 500) {
      const levels: (Insertable<InventoryLevels> & Required<Pick<Insertable<InventoryLevels>, 'on_hand'>>)[] = [];
      for (const variantId of variantIds.slice(i, i + 500)) {
        whs.forEach((w, n) => {
          const q = quantityFor(variantId, n);
          if (q > 0) levels.push({ variant_id: variantId, warehouse_id: w.id, on_hand: q });
        });
      }
      if (!levels.length) continue;
      await tx.insertInto('inventory.levels').values(levels).execute();
      await tx
        .insertInto('inventory.movements')
        .values(
          levels.map((l) => ({
            id: newId('mov'),
            variant_id: l.variant_id,
            warehouse_id: l.warehouse_id,
            kind: 'receive',
            quantity: l.on_hand,
            requested: l.on_hand,
            reason: 'demo data',
            actor: 'system:demo',
          })),
        )
        .execute();
      written += levels.length;
    }
    return written;
  });
}
