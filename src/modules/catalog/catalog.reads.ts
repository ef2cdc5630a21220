// Storefront reads over the read model: a list page is one indexed SQL statement, a detail one;
// availability comes from inventory through the AvailabilityPort (one batch call per response).
// Results of the SQL part are cached in kernel.cache and dropped on every catalog change.
// The storefront statements run on `readDb` (the read replica when one is usable and caught up, else the primary);
// a drop is fenced first, so a re-fill never reads the replica from before the change (docs/read-replicas.md).
import { type RawBuilder, sql } from 'kysely';
import type { Cache } from '../../platform/cache/cache.ts';
import { cachedJsonText } from '../../platform/cache/cached-json.ts';
import type { Db } from '../../platform/db/db.ts';
import { primaryReads, type ReadDb } from '../../platform/db/replica.ts';
import { errors } from '../../platform/errors.ts';
import type { TaggedJson } from '../../platform/http/etag.ts';
import { isCurrencyCode } from '../../platform/iso-codes.ts';
import { parseMajorUnits } from '../../platform/money.ts';
import { productJson, rowVariantIds } from './catalog.bodies.ts';
import {
  type BodyRow,
  badFilter,
  decodeCursor,
  encodeCursor,
  type ListQuery,
  type PageArgs,
  type PageWindow,
  type ProductPage,
  type ProductSort,
  type Row,
  SORTS,
} from './catalog.list-query.ts';
import { type AvailabilityMap, toProduct, type ViewDoc } from './catalog.product-shape.ts';
import { type AvailabilityPort, CATALOG_ERRORS, type Product } from './contract.ts';

export const CACHE_PREFIX = 'catalog:';
const CACHE_TTL_SECONDS = 300;
/** CATALOG_EXACT_TOTAL_MAX's default: an exact count costs one index entry per match, so it stops here. */
export const DEFAULT_EXACT_TOTAL_MAX = 1000;

/** Pure: a page's `total` and `totalExact` from a count that stopped after `max + 1` matches. */
export function pageTotal(counted: number, max: number): { total: number; totalExact: boolean } {
  return counted > max ? { total: max, totalExact: false } : { total: counted, totalExact: true };
}

export interface ReadDeps {
  db: Db;
  cache: Cache;
  availability: AvailabilityPort;
  defaultCurrency: string;
  /** A list counts its matches exactly up to this many; past it the total is this number, marked inexact. */
  exactTotalMax?: number | undefined;
  /** Where storefront statements run (default: `db`). getProducts (carts' GraphQL) stays on `db`. */
  readDb?: ReadDb | undefined;
}

export function createCatalogReads(deps: ReadDeps) {
  const { db, cache } = deps;
  const exactTotalMax = deps.exactTotalMax ?? DEFAULT_EXACT_TOTAL_MAX;
  const readDb = deps.readDb ?? primaryReads(db);

  function currencyOf(q: { currency?: string | undefined }): string {
    const c = q.currency ?? deps.defaultCurrency;
    if (!isCurrencyCode(c)) throw badFilter('currency', 'must be an ISO 4217 code in current use, such as EUR');
    return c;
  }

  /** The HTTP representation, tagged once and kept so: a cache hit costs no SQL and no JSON work. */
  const cachedPage = (key: string, load: () => Promise<string>) =>
    cachedJsonText(cache, `${CACHE_PREFIX}json:${key}`, CACHE_TTL_SECONDS, load);

  function availabilityOfIds(ids: string[]): Promise<AvailabilityMap> {
    return ids.length ? deps.availability(ids) : Promise.resolve(new Map());
  }

  function availabilityOf(docs: ViewDoc[]): Promise<AvailabilityMap> {
    return availabilityOfIds(docs.flatMap((d) => d.variants.map((v) => v.id)));
  }

  /** A list query's page arguments, checked: the same for every way a page is answered. */
  function pageArgs(q: ListQuery): PageArgs {
    const currency = currencyOf(q);
    const sort = q.sort ?? 'newest';
    const after = q.cursor ? decodeCursor(q.cursor, sort) : undefined;
    if (after && q.page !== undefined) throw badFilter('cursor', 'use either page or cursor, not both');
    return { currency, sort, after, page: q.page ?? 1, limit: q.limit ?? 20 };
  }

  /** The window of a page: one row more than the page (is there a next?), the total unless walking by cursor. */
  function pageWindow(a: PageArgs): PageWindow {
    return {
      sort: a.sort,
      after: a.after,
      limit: a.limit + 1,
      offset: a.after ? 0 : (a.page - 1) * a.limit,
      withTotal: !a.after,
    };
  }

  /** Filters on the product (status, category, brand) and on its price in this currency (`v`, `p`). */
  function filtersOf(q: ListQuery, currency: string) {
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
    return { where, priceWhere };
  }

  /**
   * The count of matches, stopping after exactTotalMax + 1. Price rows exist only for published products
   * (catalog.views.ts), so without a product filter it is an index-only count of the prices table; with one, the join.
   * It is never a window over the page query (which made it read every matching product: 860 ms at 50,000 products),
   * and its cost does not grow past the bound (pageTotal).
   */
  function countOf(currency: string, { where, priceWhere }: ReturnType<typeof filtersOf>): RawBuilder<number> {
    const stop = exactTotalMax + 1;
    return where.length === 1
      ? sql`(select count(*)::int from (select from catalog.product_view_prices p where p.currency = ${currency}
          ${priceWhere.length ? sql`and ${sql.join(priceWhere, sql` and `)}` : sql``} limit ${stop}) m)`
      : sql`(select count(*)::int from (select from catalog.product_views v
          join catalog.product_view_prices p on p.product_id = v.product_id and p.currency = ${currency}
          where ${sql.join([...where, ...priceWhere], sql` and `)} limit ${stop}) m)`;
  }

  /** The count alone: for a page past the last match, whose statement returned no row to carry it. */
  async function countAlone(q: ListQuery, currency: string): Promise<number> {
    const count = countOf(currency, filtersOf(q, currency));
    return (await readDb.run((d) => sql<{ n: number }>`select ${count} as n`.execute(d.k))).rows[0]?.n ?? 0;
  }

  /** A page's total: from its first row, or counted alone when the page is past the last match. */
  async function totalOf(q: ListQuery, currency: string, page: number, first: { total?: number } | undefined) {
    const counted = first?.total ?? (page > 1 ? await countAlone(q, currency) : 0);
    return pageTotal(counted, exactTotalMax);
  }

  /**
   * One SQL statement: a window of published products in sort order after an optional keyset, each with its
   * document, or (`bodies`) with its ready JSON in this currency.
   */
  async function fetchPage<R>(q: ListQuery, currency: string, w: PageWindow, bodies: boolean): Promise<R[]> {
    const { sort, after, limit, offset, withTotal } = w;
    const { key, dir } = SORTS[sort];
    const matching = filtersOf(q, currency);
    const filters = [...matching.where, ...matching.priceWhere];
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
    const total = withTotal ? sql`, ${countOf(currency, matching)} as total` : sql``;
    // The page is chosen over narrow rows (ids and sort keys) in index order and stops after `limit`; then only its
    // documents are read.
    // With bodies, a document is read only for a row that has no body (written before bodies existed).
    const columns = bodies
      ? sql`b.body, b.variant_ids,
          case when b.body is null then (select d.doc from catalog.product_views d where d.product_id = pg.product_id)
          end as doc`
      : sql`d.doc`;
    const from = bodies
      ? sql`pg join catalog.product_view_prices b on b.product_id = pg.product_id and b.currency = ${currency}`
      : sql`pg join catalog.product_views d on d.product_id = pg.product_id`;
    const query = sql<R>`
      with pg as (
        select v.product_id, ${key} as sort_key
        from catalog.product_views v
        join catalog.product_view_prices p on p.product_id = v.product_id and p.currency = ${currency}
        where ${sql.join([...filters, ...keyset], sql` and `)}
        order by ${order}
        limit ${limit} offset ${offset})
      select ${columns}, pg.product_id, pg.sort_key ${total}
      from ${from}
      order by ${pageOrder}`;
    return (await readDb.run((d) => query.execute(d.k))).rows;
  }

  function cursorOf(sort: ProductSort, row: Pick<Row, 'sort_key' | 'product_id'>): string {
    return encodeCursor({ s: sort, k: cursorKey(row), id: row.product_id });
  }

  async function listProducts(q: ListQuery): Promise<ProductPage> {
    const a = pageArgs(q);
    const { currency, sort, after, page, limit } = a;
    if (q.inStock) return listInStock(q, a);

    const withTotal = !after;
    // Uncached here: the HTTP path caches the serialised page (listProductsJson), availability included;
    // catalog writes and inventory's stock.changed events both drop that cache (app.ts).
    const rows = await fetchPage<Row>(q, currency, pageWindow(a), false);
    const more = rows.length > limit;
    const pageRows = rows.slice(0, limit);
    const last = pageRows[pageRows.length - 1];
    const docs = pageRows.map((r) => r.doc);
    const availability = await availabilityOf(docs);
    const total = withTotal ? await totalOf(q, currency, page, rows[0]) : undefined;
    const nextCursor = more && last ? cursorOf(sort, last) : undefined;
    return {
      items: docs.map((d) => toProduct(d, currency, availability)),
      ...(after ? {} : { page }),
      limit,
      ...total,
      ...(nextCursor ? { nextCursor } : {}),
    };
  }

  /**
   * listProducts as its exact JSON text (JSON.stringify of what listProducts returns), built from the rows' ready
   * bodies: no document is parsed and no product object is built. inStock pages take the document path.
   */
  async function listProductsText(q: ListQuery): Promise<string> {
    const a = pageArgs(q);
    const { currency, sort, after, page, limit } = a;
    if (q.inStock) return JSON.stringify(await listProducts(q));
    const rows = await fetchPage<BodyRow>(q, currency, pageWindow(a), true);
    const pageRows = rows.slice(0, limit);
    const last = pageRows[pageRows.length - 1];
    const ids = pageRows.map(rowVariantIds);
    const availability = await availabilityOfIds(ids.flat());
    const items = pageRows.map((r, i) => productJson(r, ids[i] ?? [], currency, availability)).join(',');
    const counted = after ? undefined : await totalOf(q, currency, page, rows[0]);
    const total = counted ? `,"total":${counted.total},"totalExact":${counted.totalExact}` : '';
    const nextCursor = rows.length > limit && last ? `,"nextCursor":${JSON.stringify(cursorOf(sort, last))}` : '';
    return `{"items":[${items}]${after ? '' : `,"page":${page}`},"limit":${limit}${total}${nextCursor}}`;
  }

  /** inStock needs availability per product: scan in sort order in batches, keep in-stock ones. */
  async function listInStock(q: ListQuery, { currency, sort, after, page, limit }: PageArgs): Promise<ProductPage> {
    const skip = after ? 0 : (page - 1) * limit;
    const batch = Math.max(50, limit * 2);
    const kept: { row: Row; availability: AvailabilityMap }[] = [];
    let cursor = after;
    let skipped = 0;
    for (;;) {
      const rows = await fetchPage<Row>(
        q,
        currency,
        { sort, after: cursor, limit: batch, offset: 0, withTotal: false },
        false,
      );
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

  function cursorKey(row: Pick<Row, 'sort_key'>): string | number {
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

  /** getProduct as its exact JSON text, from the product's ready body in this currency when it has one. */
  async function getProductText(idOrSlug: string, q: { currency?: string | undefined }): Promise<string> {
    const currency = currencyOf(q);
    const res = await readDb.run((d) =>
      sql<BodyRow>`
      select b.body, b.variant_ids, case when b.body is null then v.doc end as doc
      from catalog.product_views v
      left join catalog.product_view_prices b on b.product_id = v.product_id and b.currency = ${currency}
      where (v.product_id = ${idOrSlug} or v.slug = ${idOrSlug}) and v.status = 'published'
      limit 1`.execute(d.k),
    );
    const row = res.rows[0];
    if (!row) throw errors.notFound(CATALOG_ERRORS.productNotFound, `No product ${idOrSlug}.`);
    const ids = rowVariantIds(row);
    return productJson(row, ids, currency, await availabilityOfIds(ids));
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
    return cachedPage(key, () => listProductsText(q));
  }

  function getProductJson(idOrSlug: string, q: { currency?: string | undefined }): Promise<TaggedJson> {
    return cachedPage(JSON.stringify(['detail', q.currency ?? deps.defaultCurrency, idOrSlug]), () =>
      getProductText(idOrSlug, q),
    );
  }

  return {
    listProducts,
    listProductsJson,
    listProductsText,
    getProduct,
    getProductText,
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
