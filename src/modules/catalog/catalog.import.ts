// Bulk import: rows are read from a stream and applied in batches, each batch one short transaction
// that upserts by slug (products) and SKU (variants, prices). Unchanged rows write nothing (a
// re-import changes nothing: no version bump, no event). Row errors are recorded, never abort the run.
import { sql } from 'kysely';
import type { Ctx } from '../../platform/context.ts';
import type { Db, Tx } from '../../platform/db/db.ts';
import { errors } from '../../platform/errors.ts';
import { appendEvents } from '../../platform/events/outbox.ts';
import { newId } from '../../platform/ids.ts';
import { type ImportRow, type ParsedRecord, parseCsv, parseNdjson, toImportRow } from './catalog.import-parse.ts';
import { catalogTables } from './catalog.repo.ts';
import { rebuildViews, refreshViewStatistics } from './catalog.views.ts';
import { CATALOG_EVENTS } from './events.ts';

export interface ImportStatus {
  id: string;
  format: 'csv' | 'ndjson';
  status: 'running' | 'completed' | 'failed';
  rowsTotal: number;
  rowsOk: number;
  rowsFailed: number;
  productsChanged: number;
  errors: { line: number; message: string }[];
  createdAt: string;
  finishedAt: string | null;
}

const MAX_ERRORS = 100;
/** Imports of at least this many rows refresh the planner's statistics of the catalog tables when they finish. */
const ANALYZE_AFTER_ROWS = 1000;

const byLine = (list: { line: number; message: string }[]) => list.sort((a, b) => a.line - b.line);

/** Last occurrence wins, in first-occurrence order. */
function lastBy<T>(rows: T[], key: (r: T) => string): T[] {
  const m = new Map<string, T>();
  for (const r of rows) m.set(key(r), r);
  return [...m.values()];
}

/** An id this import has just read or written for `key`: its absence is a bug, not bad input. */
function known<K, V>(map: Map<K, V>, key: K): V {
  const v = map.get(key);
  if (v === undefined) throw new Error(`catalog import: nothing loaded for ${String(key)}`);
  return v;
}

async function applyBatch(tx: Tx, ctx: Ctx, input: ImportRow[]) {
  const rowErrors: { line: number; message: string }[] = [];
  const slugs = [...new Set(input.flatMap((r) => r.categories))];
  const cats = slugs.length
    ? await sql<{
        id: string;
        slug: string;
      }>`select id, slug from catalog.categories where slug = any(${slugs}::text[])`.execute(tx)
    : { rows: [] };
  const catId = new Map(cats.rows.map((c) => [c.slug, c.id]));
  const rows = input.filter((r) => {
    const unknown = r.categories.filter((c) => !catId.has(c));
    if (unknown.length) rowErrors.push({ line: r.line, message: `unknown category ${unknown.join(', ')}` });
    return !unknown.length;
  });
  if (!rows.length) return { changed: [] as string[], rowErrors, ok: 0 };

  const products = lastBy(rows, (r) => r.slug);
  const upserted = await catalogTables(tx)
    .insertInto('catalog.products')
    .values(
      products.map((p) => ({
        id: newId('prod'),
        slug: p.slug,
        name: p.name,
        description: p.description,
        brand: p.brand,
        status: p.status,
      })),
    )
    .onConflict((oc) =>
      oc
        .column('slug')
        .doUpdateSet({
          name: sql`excluded.name`,
          description: sql`excluded.description`,
          brand: sql`excluded.brand`,
          status: sql`excluded.status`,
          version: sql`catalog.products.version + 1`,
          updated_at: sql`now()`,
        })
        .where(
          sql<boolean>`(catalog.products.name, catalog.products.description, catalog.products.brand, catalog.products.status)
            is distinct from (excluded.name, excluded.description, excluded.brand, excluded.status)`,
        ),
    )
    .returning(['id', sql<boolean>`xmax = 0`.as('inserted')])
    .execute();
  const created = new Set<string>(
    upserted.filter((r: { inserted: boolean }) => r.inserted).map((r: { id: string }) => r.id),
  );
  const bumped = new Set<string>(upserted.map((r: { id: string }) => r.id));
  const ids = await sql<{ id: string; slug: string }>`
    select id, slug from catalog.products where slug = any(${products.map((p) => p.slug)}::text[])`.execute(tx);
  const productId = new Map(ids.rows.map((r) => [r.slug, r.id]));
  const changed = new Set<string>(bumped);
  // Only records that name a tax category set it (a file without the column leaves staff's choice alone).
  const taxed = products.filter((p) => p.taxCategory !== null);
  if (taxed.length) {
    const retaxed = await sql<{ id: string }>`update catalog.products p set tax_category = v.tax_category
      from unnest(${taxed.map((p) => p.slug)}::text[], ${taxed.map((p) => p.taxCategory)}::text[]) as v(slug, tax_category)
      where p.slug = v.slug and p.tax_category <> v.tax_category returning p.id`.execute(tx);
    for (const r of retaxed.rows) changed.add(r.id);
  }

  const links = rows.flatMap((r) =>
    r.categories.map((c) => ({ product_id: known(productId, r.slug), category_id: known(catId, c) })),
  );
  if (links.length) {
    const added = await catalogTables(tx)
      .insertInto('catalog.product_categories')
      .values(lastBy(links, (l) => `${l.product_id} ${l.category_id}`))
      .onConflict((oc) => oc.columns(['product_id', 'category_id']).doNothing())
      .returning('product_id')
      .execute();
    for (const a of added) changed.add(a.product_id);
  }

  const variants = lastBy(rows, (r) => r.sku);
  const vres = await catalogTables(tx)
    .insertInto('catalog.variants')
    .values(
      variants.map((v) => ({
        id: newId('var'),
        product_id: known(productId, v.slug),
        sku: v.sku,
        attributes: JSON.stringify(v.attributes),
        barcode: v.barcode,
        weight_grams: v.weightGrams,
        cost: v.cost,
        position: v.line,
      })),
    )
    .onConflict((oc) =>
      oc
        .column('sku')
        .doUpdateSet({
          product_id: sql`excluded.product_id`,
          attributes: sql`excluded.attributes`,
          barcode: sql`excluded.barcode`,
          weight_grams: sql`excluded.weight_grams`,
          cost: sql`excluded.cost`,
        })
        .where(
          sql<boolean>`(catalog.variants.product_id, catalog.variants.attributes, catalog.variants.barcode,
            catalog.variants.weight_grams, catalog.variants.cost) is distinct from
            (excluded.product_id, excluded.attributes, excluded.barcode, excluded.weight_grams, excluded.cost)`,
        ),
    )
    .returning('product_id')
    .execute();
  for (const v of vres) changed.add(v.product_id);
  const vids = await sql<{ id: string; sku: string; product_id: string }>`
    select id, sku, product_id from catalog.variants where sku = any(${variants.map((v) => v.sku)}::text[])`.execute(
    tx,
  );
  const variant = new Map(vids.rows.map((v) => [v.sku, v]));
  const prices = variants.flatMap((v) =>
    v.prices.map((p) => ({
      variant_id: known(variant, v.sku).id,
      currency: p.currency,
      amount: p.amount,
      compare_at: p.compareAt,
    })),
  );
  if (prices.length) {
    const pres = await catalogTables(tx)
      .insertInto('catalog.prices')
      .values(prices)
      .onConflict((oc) =>
        oc
          .columns(['variant_id', 'currency'])
          .doUpdateSet({ amount: sql`excluded.amount`, compare_at: sql`excluded.compare_at` })
          .where(
            sql<boolean>`(catalog.prices.amount, catalog.prices.compare_at) is distinct from (excluded.amount, excluded.compare_at)`,
          ),
      )
      .returning('variant_id')
      .execute();
    const byVariant = new Map(vids.rows.map((v) => [v.id, v.product_id]));
    for (const p of pres) changed.add(byVariant.get(p.variant_id) as string);
  }

  const toBump = [...changed].filter((id) => !bumped.has(id));
  if (toBump.length) {
    await catalogTables(tx)
      .updateTable('catalog.products')
      .set({ version: sql`version + 1`, updated_at: sql`now()` })
      .where('id', 'in', toBump)
      .execute();
  }
  const list = [...changed];
  await rebuildViews(tx, list);
  await appendEvents(
    tx,
    ctx,
    list.map((id) =>
      created.has(id)
        ? { type: CATALOG_EVENTS.productCreated, aggregateId: id, payload: { productId: id, source: 'import' } }
        : { type: CATALOG_EVENTS.productUpdated, aggregateId: id, payload: { productId: id, source: 'import' } },
    ),
  );
  return { changed: list, rowErrors, ok: rows.length };
}

function toStatus(r: Record<string, unknown>): ImportStatus {
  return {
    id: r.id as string,
    format: r.format as ImportStatus['format'],
    status: r.status as ImportStatus['status'],
    rowsTotal: r.rows_total as number,
    rowsOk: r.rows_ok as number,
    rowsFailed: r.rows_failed as number,
    productsChanged: r.products_changed as number,
    errors: r.errors as ImportStatus['errors'],
    createdAt: (r.created_at as Date).toISOString(),
    finishedAt: r.finished_at ? (r.finished_at as Date).toISOString() : null,
  };
}

export function createImporter(db: Db, afterCommit: (productIds: string[]) => Promise<void>, batchSize = 500) {
  async function get(id: string): Promise<ImportStatus> {
    const row = await catalogTables(db.k)
      .selectFrom('catalog.imports')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) throw errors.notFound('catalog.import_not_found', `No import ${id}.`);
    return toStatus(row);
  }

  /** The latest imports, newest first (a running one included, with the rows applied so far). */
  async function list(limit: number): Promise<ImportStatus[]> {
    const rows = await catalogTables(db.k)
      .selectFrom('catalog.imports')
      .selectAll()
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
    return rows.map(toStatus);
  }

  async function progress(
    q: Tx | Db['k'],
    id: string,
    total: number,
    ok: number,
    rowErrors: { line: number; message: string }[],
    changed: number,
  ) {
    await sql`update catalog.imports set rows_total = rows_total + ${total}, rows_ok = rows_ok + ${ok},
      rows_failed = rows_failed + ${rowErrors.length}, products_changed = products_changed + ${changed},
      errors = case when jsonb_array_length(errors) >= ${MAX_ERRORS} then errors
        else errors || ${JSON.stringify(rowErrors.slice(0, MAX_ERRORS))}::jsonb end
      where id = ${id}`.execute(q);
  }

  async function run(ctx: Ctx, format: 'csv' | 'ndjson', body: AsyncIterable<Buffer | string>): Promise<ImportStatus> {
    const id = newId('imp');
    await catalogTables(db.k).insertInto('catalog.imports').values({ id, format }).execute();
    const records: AsyncGenerator<ParsedRecord> = format === 'csv' ? parseCsv(body) : parseNdjson(body);
    let batch: ImportRow[] = [];
    let batchErrors: { line: number; message: string }[] = [];
    const flush = async () => {
      const total = batch.length + batchErrors.length;
      if (!total) return;
      const rows = batch;
      const parseErrors = batchErrors;
      batch = [];
      batchErrors = [];
      try {
        const r = rows.length
          ? await db.transaction(async (tx) => {
              const out = await applyBatch(tx, ctx, rows);
              await progress(tx, id, total, out.ok, byLine([...parseErrors, ...out.rowErrors]), out.changed.length);
              return out;
            })
          : undefined;
        if (!r) await progress(db.k, id, total, 0, parseErrors, 0);
        else await afterCommit(r.changed);
      } catch (e) {
        const message = `batch failed: ${(e as Error).message}`;
        await progress(db.k, id, total, 0, [...parseErrors, ...rows.map((row) => ({ line: row.line, message }))], 0);
      }
    };
    try {
      for await (const rec of records) {
        if ('error' in rec) batchErrors.push({ line: rec.line, message: rec.error });
        else {
          try {
            batch.push(toImportRow(rec.line, rec.record));
          } catch (e) {
            batchErrors.push({ line: rec.line, message: (e as Error).message });
          }
        }
        if (batch.length + batchErrors.length >= batchSize) await flush();
      }
      await flush();
      await sql`update catalog.imports set status = 'completed', finished_at = now() where id = ${id}`.execute(db.k);
    } catch (e) {
      await sql`update catalog.imports set status = 'failed', finished_at = now(),
        errors = errors || ${JSON.stringify([{ line: 0, message: (e as Error).message }])}::jsonb where id = ${id}`.execute(
        db.k,
      );
    }
    const status = await get(id);
    // Best effort, after the import is recorded: autovacuum refreshes the statistics within a minute anyway.
    if (status.status === 'completed' && status.rowsOk >= ANALYZE_AFTER_ROWS) {
      await refreshViewStatistics(db).catch(() => undefined);
    }
    return status;
  }

  return { run, get, list };
}

export type Importer = ReturnType<typeof createImporter>;
