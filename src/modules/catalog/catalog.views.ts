// The storefront read model: one denormalised JSON document per product plus its per-currency
// price range, rewritten in the same transaction as every write (the event relay is not there yet;
// once it is, a subscriber can do the same from catalog.* events).
import { sql } from 'kysely';
import type { Db, Tx } from '../../platform/db/db.ts';
import { renderBody } from './catalog.bodies.ts';
import type { ViewDoc } from './catalog.product-shape.ts';
import { catalogTables, categoryPathKeys, loadStaffProducts } from './catalog.repo.ts';
import type { SearchSource, StaffProduct } from './contract.ts';

export interface View {
  doc: ViewDoc;
  prices: { currency: string; min: number; max: number }[];
}

/** Pure: the read-model document of a staff product (drops cost and metadata). */
export function buildView(p: StaffProduct, pathKeys: Map<string, string[]>): View {
  const keys = new Set<string>();
  for (const c of p.categories) for (const k of pathKeys.get(c.id) ?? [c.id, c.slug]) keys.add(k);
  const ranges = new Map<string, { min: number; max: number }>();
  const variants = p.variants.map((v) => {
    const prices: Record<string, { amount: number; compareAt: number | null }> = {};
    for (const pr of v.prices) {
      prices[pr.currency] = { amount: pr.amount, compareAt: pr.compareAt };
      const r = ranges.get(pr.currency);
      if (!r) ranges.set(pr.currency, { min: pr.amount, max: pr.amount });
      else {
        r.min = Math.min(r.min, pr.amount);
        r.max = Math.max(r.max, pr.amount);
      }
    }
    return { id: v.id, sku: v.sku, attributes: v.attributes, prices };
  });
  return {
    doc: {
      id: p.id,
      slug: p.slug,
      name: p.name,
      description: p.description,
      brand: p.brand,
      status: p.status,
      images: p.images,
      seo: { title: p.seoTitle, description: p.seoDescription },
      createdAt: p.createdAt,
      categories: p.categories,
      categoryKeys: [...keys].sort(),
      variants,
    },
    prices: [...ranges].map(([currency, r]) => ({ currency, ...r })).sort((a, b) => (a.currency < b.currency ? -1 : 1)),
  };
}

export async function writeViews(tx: Tx, views: View[]): Promise<void> {
  if (!views.length) return;
  const ids = views.map((v) => v.doc.id);
  await catalogTables(tx).deleteFrom('catalog.product_view_prices').where('product_id', 'in', ids).execute();
  await catalogTables(tx)
    .insertInto('catalog.product_views')
    .values(
      views.map(({ doc }) => ({
        product_id: doc.id,
        slug: doc.slug,
        status: doc.status,
        name: doc.name,
        brand: doc.brand,
        category_keys: doc.categoryKeys,
        created_at: doc.createdAt,
        doc: JSON.stringify(doc),
      })),
    )
    .onConflict((oc) =>
      oc.column('product_id').doUpdateSet((eb) => ({
        slug: eb.ref('excluded.slug'),
        status: eb.ref('excluded.status'),
        name: eb.ref('excluded.name'),
        brand: eb.ref('excluded.brand'),
        category_keys: eb.ref('excluded.category_keys'),
        created_at: eb.ref('excluded.created_at'),
        doc: eb.ref('excluded.doc'),
      })),
    )
    .execute();
  // Price rows only for published products: the storefront counts a price-filtered list from this table alone.
  // Each carries the product's ready storefront JSON in that currency (catalog.bodies.ts).
  const prices = views
    .filter((v) => v.doc.status === 'published')
    .flatMap((v) =>
      v.prices.map((p) => {
        const body = renderBody(v.doc, p.currency);
        return {
          product_id: v.doc.id,
          currency: p.currency,
          min_amount: p.min,
          max_amount: p.max,
          variant_ids: body ? body.variantIds.join(',') : null,
          body: body?.body ?? null,
        };
      }),
    );
  if (prices.length) await catalogTables(tx).insertInto('catalog.product_view_prices').values(prices).execute();
}

/**
 * Fresh planner statistics after a bulk write (seeding, a large import): until autovacuum gets to it (up to a minute),
 * storefront lists are planned for the catalog as it was and read every matching document. `ANALYZE` samples at most
 * 30,000 rows per table; the `VACUUM` of the price rows (a few hundred milliseconds at 100,000 variants) also marks
 * their pages all-visible, so the storefront's count of them is index-only.
 */
export async function refreshViewStatistics(db: Db): Promise<void> {
  await sql`analyze catalog.products, catalog.variants, catalog.prices, catalog.product_views`.execute(db.k);
  await sql`vacuum (analyze) catalog.product_view_prices`.execute(db.k);
}

/** Recomputes the read model of these products from the tables, in the caller's transaction. */
export async function rebuildViews(tx: Tx, productIds: string[]): Promise<void> {
  const products = await loadStaffProducts(tx, productIds);
  const pathKeys = await categoryPathKeys(tx, [...new Set(products.flatMap((p) => p.categories.map((c) => c.id)))]);
  await writeViews(
    tx,
    products.map((p) => buildView(p, pathKeys)),
  );
}

/** Pure: what search indexes, from a read-model document. */
export function toSearchSource(doc: ViewDoc): SearchSource {
  const attributes: Record<string, Set<string>> = {};
  const minPrices: Record<string, number> = {};
  const maxPrices: Record<string, number> = {};
  for (const v of doc.variants) {
    for (const [k, val] of Object.entries(v.attributes)) {
      const set = attributes[k] ?? new Set<string>();
      set.add(String(val));
      attributes[k] = set;
    }
    for (const [cur, p] of Object.entries(v.prices)) {
      minPrices[cur] = Math.min(minPrices[cur] ?? p.amount, p.amount);
      maxPrices[cur] = Math.max(maxPrices[cur] ?? p.amount, p.amount);
    }
  }
  return {
    id: doc.id,
    slug: doc.slug,
    name: doc.name,
    brand: doc.brand,
    description: doc.description,
    status: doc.status,
    createdAt: doc.createdAt,
    categoryNames: doc.categories.map((c) => c.name),
    categoryKeys: doc.categoryKeys,
    categories: doc.categories,
    attributes: Object.fromEntries(Object.entries(attributes).map(([k, s]) => [k, [...s].sort()])),
    minPrices,
    maxPrices,
    variantIds: doc.variants.map((v) => v.id),
  };
}
