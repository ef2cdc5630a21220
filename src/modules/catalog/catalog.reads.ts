// Storefront reads over the read model: a list page is one indexed SQL statement, a detail one;
// availability comes from inventory through the AvailabilityPort (one batch call per response).
// Results of the SQL part are cached in kernel.cache and dropped on every catalog change.
// The storefront statements run on `readDb` (the read replica when one is usable and caught up, else the primary);
// a drop is fenced first, so a re-fill never reads the replica from before the change (docs/read-replicas.md).
import { type RawBuilder, sql } from 'kysely';
import type { Cache } from '../../platform/cache/cache.ts';
import { cachedJson } from '../../platform/cache/cached-json.ts';
import type { Db } from '../../platform/db/db.ts';
import { primaryReads, type ReadDb } from '../../platform/db/replica.ts';
import { AppError, errors } from '../../platform/errors.ts';
import type { TaggedJson } from '../../platform/http/etag.ts';
import { CURRENCY_CODE, parseMajorUnits } from '../../platform/money.ts';
import { type AvailabilityMap, toProduct, type ViewDoc } from './catalog.views.ts';
import { type AvailabilityPort, CATALOG_ERRORS, type Product } from './contract.ts';

export type ProductSort = 'newest' | 'name' | 'price-asc' | 'price-desc';

export interface ListQuery {
  category?: string | undefined;
  brand?: string | undefined;
  minPrice?: string | undefined;
  maxPrice?: string | undefined;
  inStock?: boolean | undefined;
  sort?: ProductSort | undefined;
  page?: number | undefined;
  limit?: number | undefined;
  cursor?: string | undefined;
  currency?: string | undefined;
}

export interface ProductPage {
  items: Product[];
  page?: number;
  limit: number;
  total?: number;
  nextCursor?: string;
}

interface Row {
  doc: ViewDoc;
  product_id: string;
  sort_key: string | number | Date;
  total?: number;
}

interface Cursor {
  s: ProductSort;
  k: string | number;
  id: string;
}

export const CACHE_PREFIX = 'catalog:';
const CACHE_TTL_SECONDS = 300;

function badFilter(field: string, message: string): AppError {
  return new AppError(400, CATALOG_ERRORS.invalidFilter, 'Bad request', {
    detail: `${field}: ${message}`,
    errors: [{ field: `querystring/${field}`, message }],
  });
}

function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify(c)).toString('base64url');
}

function decodeCursor(text: string, sort: ProductSort): Cursor {
  try {
    const c = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as Cursor;
    if (c.s === sort && typeof c.id === 'string' && (typeof c.k === 'string' || typeof c.k === 'number')) return c;
  } catch {}
  throw errors.badRequest(CATALOG_ERRORS.invalidCursor, 'The cursor is invalid or belongs to another sort order.');
}

const SORTS: Record<ProductSort, { key: RawBuilder<unknown>; dir: 'asc' | 'desc' }> = {
  newest: { key: sql`v.created_at`, dir: 'desc' },
  name: { key: sql`v.name`, dir: 'asc' },
  'price-asc': { key: sql`p.min_amount`, dir: 'asc' },
  'price-desc': { key: sql`p.min_amount`, dir: 'desc' },
};

export interface ReadDeps {
  db: Db;
  cache: Cache;
  availability: AvailabilityPort;
  defaultCurrency: string;
  /** Where storefront statements run (default: `db`). getProducts (carts' GraphQL) stays on `db`. */
  readDb?: ReadDb | undefined;
}

export function createCatalogReads(deps: ReadDeps) {
  const { db, cache } = deps;
  const readDb = deps.readDb ?? primaryReads(db);

  function currencyOf(q: { currency?: string | undefined }): string {
    const c = q.currency ?? deps.defaultCurrency;
    if (!CURRENCY_CODE.test(c)) throw badFilter('currency', 'must be an ISO 4217 code such as EUR');
    return c;
  }

  /** The HTTP representation, serialised and tagged once and kept so: a cache hit costs no SQL and no JSON work. */
  const cachedPage = (key: string, load: () => Promise<unknown>) =>
    cachedJson(cache, `${CACHE_PREFIX}json:${key}`, CACHE_TTL_SECONDS, load);

  async function availabilityOf(docs: ViewDoc[]): Promise<AvailabilityMap> {
    const ids = docs.flatMap((d) => d.variants.map((v) => v.id));
    return ids.length ? deps.availability(ids) : new Map();
  }

  /** One SQL statement: a page of published documents in sort order after an optional keyset. */
  async function fetchRows(
    q: ListQuery,
    currency: string,
    sort: ProductSort,
    after: Cursor | undefined,
    limit: number,
    offset: number,
    withTotal: boolean,
  ): Promise<Row[]> {
    const { key, dir } = SORTS[sort];
    // Filters on the product (status, category, brand) and on its price in this currency.
    const where: RawBuilder<unknown>[] = [sql`v.status = 'published'`];
    const priceWhere: RawBuilder<unknown>[] = [];
    if (q.category) where.push(sql`v.category_keys @> array[${q.category}]::text[]`);
    if (q.brand) {
      const brands = q.brand.split(',').map((b) => b.trim());
      where.push(sql`v.brand = any(${brands}::text[])`);
    }
    if (q.minPrice !== undefined) {
      const n = parseMajorUnits(q.minPrice, currency);
      if (n === undefined) throw badFilter('minPrice', `must be a decimal amount in ${currency}, e.g. 49.99`);
      priceWhere.push(sql`p.min_amount >= ${n}`);
    }
    if (q.maxPrice !== undefined) {
      const n = parseMajorUnits(q.maxPrice, currency);
      if (n === undefined) throw badFilter('maxPrice', `must be a decimal amount in ${currency}, e.g. 49.99`);
      priceWhere.push(sql`p.min_amount <= ${n}`);
    }
    const filters = [...where, ...priceWhere];
    const keyset: RawBuilder<unknown>[] = [];
    if (after) {
      const k = sort === 'newest' ? new Date(String(after.k)) : after.k;
      keyset.push(
        dir === 'asc'
          ? sql`(${key}, v.product_id) > (${k}, ${after.id})`
          : sql`(${key}, v.product_id) < (${k}, ${after.id})`,
      );
    }
    const order = dir === 'asc' ? sql`${key} asc, v.product_id asc` : sql`${key} desc, v.product_id desc`;
    const pageOrder =
      dir === 'asc' ? sql`pg.sort_key asc, pg.product_id asc` : sql`pg.sort_key desc, pg.product_id desc`;
    // The total: price rows exist only for published products (catalog.views.ts), so without a product filter it is
    // an index-only count of the prices table; with one, the join. Either way one count, never a window over the
    // page query (which made it read every matching product: 860 ms at 50,000 products).
    const total = !withTotal
      ? sql``
      : where.length === 1
        ? sql`, (select count(*)::int from catalog.product_view_prices p where p.currency = ${currency}
            ${priceWhere.length ? sql`and ${sql.join(priceWhere, sql` and `)}` : sql``}) as total`
        : sql`, (select count(*)::int from catalog.product_views v
            join catalog.product_view_prices p on p.product_id = v.product_id and p.currency = ${currency}
            where ${sql.join(filters, sql` and `)}) as total`;
    // The page is chosen over narrow rows (ids and sort keys) in index order and stops after `limit`; then only its
    // documents are read.
    const query = sql<Row>`
      with pg as (
        select v.product_id, ${key} as sort_key
        from catalog.product_views v
        join catalog.product_view_prices p on p.product_id = v.product_id and p.currency = ${currency}
        where ${sql.join([...filters, ...keyset], sql` and `)}
        order by ${order}
        limit ${limit} offset ${offset})
      select d.doc, pg.product_id, pg.sort_key ${total}
      from pg join catalog.product_views d on d.product_id = pg.product_id
      order by ${pageOrder}`;
    return (await readDb.run((d) => query.execute(d.k))).rows;
  }

  function cursorOf(sort: ProductSort, row: Row): string {
    const k = row.sort_key instanceof Date ? row.sort_key.toISOString() : row.sort_key;
    return encodeCursor({ s: sort, k, id: row.product_id });
  }

  async function listProducts(q: ListQuery): Promise<ProductPage> {
    const currency = currencyOf(q);
    const sort = q.sort ?? 'newest';
    const limit = q.limit ?? 20;
    const after = q.cursor ? decodeCursor(q.cursor, sort) : undefined;
    if (after && q.page !== undefined) throw badFilter('cursor', 'use either page or cursor, not both');
    const page = q.page ?? 1;

    if (q.inStock) return listInStock(q, currency, sort, after, page, limit);

    const withTotal = !after;
    // Uncached here: the HTTP path caches the serialised page (listProductsJson), availability included;
    // catalog writes and inventory's stock.changed events both drop that cache (app.ts).
    const rows = await fetchRows(q, currency, sort, after, limit + 1, after ? 0 : (page - 1) * limit, withTotal);
    const more = rows.length > limit;
    const pageRows = rows.slice(0, limit);
    const last = pageRows[pageRows.length - 1];
    const docs = pageRows.map((r) => r.doc);
    const availability = await availabilityOf(docs);
    const total = withTotal ? (rows[0]?.total ?? 0) : undefined;
    const nextCursor = more && last ? cursorOf(sort, last) : undefined;
    return {
      items: docs.map((d) => toProduct(d, currency, availability)),
      ...(after ? {} : { page }),
      limit,
      ...(total !== undefined ? { total } : {}),
      ...(nextCursor ? { nextCursor } : {}),
    };
  }

  /** inStock needs availability per product: scan in sort order in batches, keep in-stock ones. */
  async function listInStock(
    q: ListQuery,
    currency: string,
    sort: ProductSort,
    after: Cursor | undefined,
    page: number,
    limit: number,
  ): Promise<ProductPage> {
    const skip = after ? 0 : (page - 1) * limit;
    const batch = Math.max(50, limit * 2);
    const kept: { row: Row; availability: AvailabilityMap }[] = [];
    let cursor = after;
    let skipped = 0;
    for (;;) {
      const rows = await fetchRows(q, currency, sort, cursor, batch, 0, false);
      const availability = await availabilityOf(rows.map((r) => r.doc));
      for (const row of rows) {
        if (!row.doc.variants.some((v) => availability.get(v.id)?.inStock)) continue;
        if (skipped < skip) skipped++;
        else kept.push({ row, availability });
      }
      const last = rows[rows.length - 1];
      if (rows.length < batch || kept.length > limit || !last) break;
      cursor = { s: sort, k: cursorKey(last), id: last.product_id };
    }
    const items = kept.slice(0, limit);
    const last = items[items.length - 1];
    return {
      items: items.map(({ row, availability }) => toProduct(row.doc, currency, availability)),
      ...(after ? {} : { page }),
      limit,
      ...(kept.length > limit && last ? { nextCursor: cursorOf(sort, last.row) } : {}),
    };
  }

  function cursorKey(row: Row): string | number {
    return row.sort_key instanceof Date ? row.sort_key.toISOString() : row.sort_key;
  }

  async function getProduct(idOrSlug: string, q: { currency?: string | undefined }): Promise<Product> {
    const currency = currencyOf(q);
    const res = await readDb.run((d) =>
      sql<{ doc: ViewDoc }>`
      select doc from catalog.product_views
      where (product_id = ${idOrSlug} or slug = ${idOrSlug}) and status = 'published'
      limit 1`.execute(d.k),
    );
    const doc = res.rows[0]?.doc;
    if (!doc) throw errors.notFound(CATALOG_ERRORS.productNotFound, `No product ${idOrSlug}.`);
    return toProduct(doc, currency, await availabilityOf([doc]));
  }

  /** Storefront products by id (any status except archived is the caller's concern): one statement. */
  async function getProducts(ids: string[], currency: string): Promise<Product[]> {
    if (!ids.length) return [];
    const res = await sql<{ doc: ViewDoc }>`
      select doc from catalog.product_views where product_id = any(${ids}::text[]) and status = 'published'`.execute(
      db.k,
    );
    const byId = new Map(res.rows.map((r) => [r.doc.id, r.doc]));
    const docs = ids.flatMap((id) => {
      const d = byId.get(id);
      return d ? [d] : [];
    });
    const availability = await availabilityOf(docs);
    return docs.map((d) => toProduct(d, currency, availability));
  }

  /** listProducts for HTTP: the page serialised and tagged once per cache lifetime. */
  function listProductsJson(q: ListQuery): Promise<TaggedJson> {
    const key = JSON.stringify([
      'list',
      q.currency ?? deps.defaultCurrency,
      q.sort,
      q.category,
      q.brand,
      q.minPrice,
      q.maxPrice,
      q.inStock,
      q.cursor,
      q.page,
      q.limit,
    ]);
    return cachedPage(key, () => listProducts(q));
  }

  function getProductJson(idOrSlug: string, q: { currency?: string | undefined }): Promise<TaggedJson> {
    return cachedPage(JSON.stringify(['detail', q.currency ?? deps.defaultCurrency, idOrSlug]), () =>
      getProduct(idOrSlug, q),
    );
  }

  return {
    listProducts,
    listProductsJson,
    getProduct,
    getProductJson,
    getProducts,
    /** Fenced first: a page re-filled after the drop is read from the primary until the replica has the change. */
    invalidate: async () => {
      await readDb.fence();
      await cache.delPrefix(CACHE_PREFIX);
    },
  };
}

export type CatalogReads = ReturnType<typeof createCatalogReads>;
