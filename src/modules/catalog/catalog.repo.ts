// SQL on the catalog schema only. Every function takes the transaction (or the Kysely root) to run in.

import { sql, type Updateable } from 'kysely';
import { type Executor as Q, type Row, typed } from '../../platform/db/typed.ts';
import type { Category, PriceInput, ProductStatus, StaffProduct, StaffVariant, VariantInput } from './contract.ts';
import type { CatalogDb, CatalogProducts, CatalogVariants } from './db.generated.ts';

/** `q` seen through catalog's generated table types. */
export const catalogTables = (q: Q) => typed<CatalogDb>(q);

type ProductRow = Row<CatalogProducts, { status: ProductStatus; images: string[]; metadata: Record<string, unknown> }>;

/** A partial change of a product's columns (and of a variant's). */
export type ProductSet = Updateable<CatalogProducts>;
export type VariantSet = Updateable<CatalogVariants>;

type VariantRow = Row<CatalogVariants, { attributes: Record<string, string>; dimensions: StaffVariant['dimensions'] }>;

export interface NewProductRow {
  id: string;
  slug: string;
  name: string;
  description: string;
  brand: string | null;
  status: ProductStatus;
  images: string[];
  seoTitle: string | null;
  seoDescription: string | null;
  metadata: Record<string, unknown>;
  /** Absent: `standard`. */
  taxCategory?: string | undefined;
  createdAt?: Date;
}

export async function insertProducts(tx: Q, rows: NewProductRow[]): Promise<void> {
  if (!rows.length) return;
  await catalogTables(tx)
    .insertInto('catalog.products')
    .values(
      rows.map((p) => ({
        id: p.id,
        slug: p.slug,
        name: p.name,
        description: p.description,
        brand: p.brand,
        status: p.status,
        images: JSON.stringify(p.images),
        seo_title: p.seoTitle,
        seo_description: p.seoDescription,
        metadata: JSON.stringify(p.metadata),
        ...(p.taxCategory ? { tax_category: p.taxCategory } : {}),
        ...(p.createdAt ? { created_at: p.createdAt, updated_at: p.createdAt } : {}),
      })),
    )
    .execute();
}

export async function insertVariants(
  tx: Q,
  rows: { id: string; productId: string; position: number; input: VariantInput }[],
): Promise<void> {
  if (!rows.length) return;
  await catalogTables(tx)
    .insertInto('catalog.variants')
    .values(
      rows.map(({ id, productId, position, input: v }) => ({
        id,
        product_id: productId,
        sku: v.sku,
        attributes: JSON.stringify(v.attributes ?? {}),
        barcode: v.barcode ?? null,
        weight_grams: v.weightGrams ?? null,
        dimensions: v.dimensions ? JSON.stringify(v.dimensions) : null,
        cost: v.cost ?? null,
        position,
      })),
    )
    .execute();
  const prices = rows.flatMap((r) => (r.input.prices ?? []).map((p) => ({ variantId: r.id, ...p })));
  await upsertPrices(tx, prices);
}

export async function upsertPrices(tx: Q, prices: (PriceInput & { variantId: string })[]): Promise<void> {
  if (!prices.length) return;
  await catalogTables(tx)
    .insertInto('catalog.prices')
    .values(
      prices.map((p) => ({
        variant_id: p.variantId,
        currency: p.currency,
        amount: p.amount,
        compare_at: p.compareAt ?? null,
      })),
    )
    .onConflict((oc) =>
      oc.columns(['variant_id', 'currency']).doUpdateSet({
        amount: sql`excluded.amount`,
        compare_at: sql`excluded.compare_at`,
      }),
    )
    .execute();
}

export async function replacePrices(tx: Q, variantId: string, prices: PriceInput[]): Promise<void> {
  await catalogTables(tx).deleteFrom('catalog.prices').where('variant_id', '=', variantId).execute();
  await upsertPrices(
    tx,
    prices.map((p) => ({ ...p, variantId })),
  );
}

export async function setProductCategories(tx: Q, productId: string, categoryIds: string[]): Promise<void> {
  await catalogTables(tx).deleteFrom('catalog.product_categories').where('product_id', '=', productId).execute();
  if (categoryIds.length) {
    await catalogTables(tx)
      .insertInto('catalog.product_categories')
      .values([...new Set(categoryIds)].map((c) => ({ product_id: productId, category_id: c })))
      .execute();
  }
}

/** Returns the category ids among `ids` that do not exist. */
export async function missingCategories(tx: Q, ids: string[]): Promise<string[]> {
  if (!ids.length) return [];
  const rows = await catalogTables(tx).selectFrom('catalog.categories').select('id').where('id', 'in', ids).execute();
  const found = new Set(rows.map((r: { id: string }) => r.id));
  return ids.filter((i) => !found.has(i));
}

/**
 * The optimistic-concurrency gate: bumps the product's version (and applies `set`) only when the
 * caller's expected version still holds. Returns the new version, or undefined when nothing matched.
 */
export async function bumpProduct(
  tx: Q,
  id: string,
  expectedVersion: number | undefined,
  set: ProductSet = {},
): Promise<number | undefined> {
  let q = catalogTables(tx)
    .updateTable('catalog.products')
    .set({ ...set, version: sql`version + 1`, updated_at: sql`now()` })
    .where('id', '=', id);
  if (expectedVersion !== undefined) q = q.where('version', '=', expectedVersion);
  const row = await q.returning('version').executeTakeFirst();
  return row?.version;
}

export async function productExists(tx: Q, id: string): Promise<boolean> {
  const row = await catalogTables(tx)
    .selectFrom('catalog.products')
    .select('id')
    .where('id', '=', id)
    .executeTakeFirst();
  return row !== undefined;
}

export async function deleteVariant(tx: Q, productId: string, variantId: string): Promise<boolean> {
  const r = await catalogTables(tx)
    .deleteFrom('catalog.variants')
    .where('id', '=', variantId)
    .where('product_id', '=', productId)
    .executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

export async function updateVariant(tx: Q, productId: string, variantId: string, set: VariantSet) {
  if (!Object.keys(set).length) {
    const row = await catalogTables(tx)
      .selectFrom('catalog.variants')
      .select('id')
      .where('id', '=', variantId)
      .where('product_id', '=', productId)
      .executeTakeFirst();
    return row !== undefined;
  }
  const r = await catalogTables(tx)
    .updateTable('catalog.variants')
    .set(set)
    .where('id', '=', variantId)
    .where('product_id', '=', productId)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

export async function nextVariantPosition(tx: Q, productId: string): Promise<number> {
  const row = await sql<{ n: number }>`select coalesce(max(position) + 1, 0)::int as n
    from catalog.variants where product_id = ${productId}`.execute(tx);
  return row.rows[0]?.n ?? 0;
}

/** Loads full staff products with a fixed number of statements (4) whatever the count. */
export async function loadStaffProducts(tx: Q, ids: string[]): Promise<StaffProduct[]> {
  if (!ids.length) return [];
  const products = (await catalogTables(tx)
    .selectFrom('catalog.products')
    .selectAll()
    .where('id', 'in', ids)
    .execute()) as ProductRow[];
  const cats: { product_id: string; id: string; slug: string; name: string }[] = await catalogTables(tx)
    .selectFrom('catalog.product_categories as pc')
    .innerJoin('catalog.categories as c', 'c.id', 'pc.category_id')
    .select(['pc.product_id', 'c.id', 'c.slug', 'c.name'])
    .where('pc.product_id', 'in', ids)
    .orderBy('c.slug')
    .execute();
  const variants = (await catalogTables(tx)
    .selectFrom('catalog.variants')
    .selectAll()
    .where('product_id', 'in', ids)
    .orderBy('product_id')
    .orderBy('position')
    .orderBy('id')
    .execute()) as VariantRow[];
  const prices: { variant_id: string; currency: string; amount: number; compare_at: number | null }[] =
    await catalogTables(tx)
      .selectFrom('catalog.prices as p')
      .innerJoin('catalog.variants as v', 'v.id', 'p.variant_id')
      .select(['p.variant_id', 'p.currency', 'p.amount', 'p.compare_at'])
      .where('v.product_id', 'in', ids)
      .orderBy('p.currency')
      .execute();
  const pricesBy = group(prices, (p) => p.variant_id);
  const variantsBy = group(variants, (v: { product_id: string }) => v.product_id);
  const catsBy = group(cats, (c) => c.product_id);
  const byId = new Map(products.map((p) => [p.id, p]));
  return ids.flatMap((id) => {
    const p = byId.get(id);
    if (!p) return [];
    return [
      {
        id: p.id,
        slug: p.slug,
        name: p.name,
        description: p.description,
        brand: p.brand,
        status: p.status,
        images: p.images,
        seoTitle: p.seo_title,
        seoDescription: p.seo_description,
        metadata: p.metadata,
        taxCategory: p.tax_category,
        categories: (catsBy.get(id) ?? []).map((c) => ({ id: c.id, slug: c.slug, name: c.name })),
        variants: (variantsBy.get(id) ?? []).map(
          (v: VariantRow): StaffVariant => ({
            id: v.id,
            sku: v.sku,
            attributes: v.attributes,
            barcode: v.barcode,
            weightGrams: v.weight_grams,
            dimensions: v.dimensions,
            cost: v.cost,
            prices: (pricesBy.get(v.id) ?? []).map((x) => ({
              currency: x.currency,
              amount: x.amount,
              compareAt: x.compare_at,
            })),
          }),
        ),
        version: p.version,
        createdAt: p.created_at.toISOString(),
        updatedAt: p.updated_at.toISOString(),
      },
    ];
  });
}

export async function categoryPathKeys(tx: Q, categoryIds: string[]): Promise<Map<string, string[]>> {
  if (!categoryIds.length) return new Map();
  const rows: { id: string; path_keys: string[] }[] = await catalogTables(tx)
    .selectFrom('catalog.categories')
    .select(['id', 'path_keys'])
    .where('id', 'in', categoryIds)
    .execute();
  return new Map(rows.map((r) => [r.id, r.path_keys]));
}

export async function insertCategory(tx: Q, c: Category & { pathKeys: string[] }): Promise<void> {
  await catalogTables(tx)
    .insertInto('catalog.categories')
    .values({ id: c.id, parent_id: c.parentId, slug: c.slug, name: c.name, path_keys: c.pathKeys })
    .execute();
}

export async function listCategories(tx: Q): Promise<Category[]> {
  const rows = await catalogTables(tx)
    .selectFrom('catalog.categories')
    .select(['id', 'parent_id', 'slug', 'name'])
    .orderBy('slug')
    .execute();
  return rows.map((r: { id: string; parent_id: string | null; slug: string; name: string }) => ({
    id: r.id,
    parentId: r.parent_id,
    slug: r.slug,
    name: r.name,
  }));
}

export function group<T, K>(rows: T[], key: (r: T) => K): Map<K, T[]> {
  const m = new Map<K, T[]>();
  for (const r of rows) {
    const k = key(r);
    const list = m.get(k);
    if (list) list.push(r);
    else m.set(k, [r]);
  }
  return m;
}
