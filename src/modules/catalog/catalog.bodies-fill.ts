// Ready JSON for the price rows written before bodies existed (catalog/0005): the scheduled job `catalog.fill_bodies`
// renders them from the stored documents, a batch at a time, so an upgraded shop's catalog leaves the slower
// document path without waiting for each product to be edited.
//
// A row that still has no body has not been written since the migration: every catalog write deletes a product's
// price rows and inserts them again with their bodies. So the update is guarded by `body is null`, and a body
// rendered from a document that a write has replaced since it was read never lands.
import { sql } from 'kysely';
import type { Db } from '../../platform/db/db.ts';
import { renderBody } from './catalog.bodies.ts';
import type { ViewDoc } from './catalog.product-shape.ts';

export interface FilledBody {
  productId: string;
  currency: string;
  variantIds: string;
  body: string;
}

/** Writes these bodies where their rows still have none; answers how many rows it filled. */
export async function writeMissingBodies(db: Db, rows: FilledBody[]): Promise<number> {
  if (!rows.length) return 0;
  const r = await sql`
    update catalog.product_view_prices p set body = x.body, variant_ids = x.variant_ids
    from unnest(${rows.map((b) => b.productId)}::text[], ${rows.map((b) => b.currency)}::text[],
      ${rows.map((b) => b.body)}::text[], ${rows.map((b) => b.variantIds)}::text[])
      as x(product_id, currency, body, variant_ids)
    where p.product_id = x.product_id and p.currency = x.currency and p.body is null`.execute(db.k);
  return Number(r.numAffectedRows ?? 0);
}

/** Fills up to `batches × batchSize` rows in key order; answers how many it filled and whether any are left. */
export async function fillMissingBodies(
  db: Db,
  options: { batchSize?: number; batches?: number } = {},
): Promise<{ filled: number; done: boolean }> {
  const batchSize = options.batchSize ?? 200;
  let after: { productId: string; currency: string } | undefined;
  let filled = 0;
  for (let i = 0; i < (options.batches ?? 20); i++) {
    const keyset = after ? sql`and (p.product_id, p.currency) > (${after.productId}, ${after.currency})` : sql``;
    const found = await sql<{ product_id: string; currency: string; doc: ViewDoc }>`
      select p.product_id, p.currency, v.doc from catalog.product_view_prices p
      join catalog.product_views v on v.product_id = p.product_id
      where p.body is null ${keyset}
      order by p.product_id, p.currency limit ${batchSize}`.execute(db.k);
    const last = found.rows[found.rows.length - 1];
    if (!last) return { filled, done: true };
    filled += await writeMissingBodies(
      db,
      found.rows.flatMap((r) => {
        const b = renderBody(r.doc, r.currency);
        return b
          ? [{ productId: r.product_id, currency: r.currency, variantIds: b.variantIds.join(','), body: b.body }]
          : [];
      }),
    );
    if (found.rows.length < batchSize) return { filled, done: true };
    after = { productId: last.product_id, currency: last.currency };
  }
  return { filled, done: false };
}
