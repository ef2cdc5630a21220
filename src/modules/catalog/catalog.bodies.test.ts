// The storefront's ready JSON (catalog.bodies.ts) against the document path it replaces: for many list queries and
// every product's detail, in three currencies, the text sent must be byte for byte JSON.stringify of the objects the
// document path builds, with the same availability. Also for rows written before bodies existed (body null).
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/support/create-test-app.ts';
import { asStaff, fakeAuth } from '../../../test/support/fake-auth.ts';
import { createMemoryCache } from '../../platform/cache/memory-cache.ts';
import { fillMissingBodies, writeMissingBodies } from './catalog.bodies-fill.ts';
import type { ListQuery, ProductSort } from './catalog.list-query.ts';
import { createCatalogReads } from './catalog.reads.ts';
import { createFakeAvailability } from './testing.ts';

const STAFF = asStaff('catalog:write', 'catalog:read');
const stock = createFakeAvailability(3);
let t: TestApp;
let reads: ReturnType<typeof createCatalogReads>;
const slugs: string[] = [];

async function post(url: string, payload: unknown) {
  const res = await t.http.inject({ method: 'POST', url, headers: STAFF, payload: payload as object });
  if (res.statusCode !== 201) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
  return res.json();
}

// Names and descriptions that JSON must escape (quotes, backslashes, control characters, U+2028, astral characters).
const NAMES = ['Plain', 'Quote "q"', 'Back\\slash', 'Tab\there', 'Line\u2028sep', 'Emoji 🎧', 'Ünïcödé', 'HTML <b>&'];

beforeAll(async () => {
  t = await createTestApp({ authenticate: fakeAuth, catalogAvailability: stock.port, workers: false });
  reads = createCatalogReads({
    db: t.kernel.db,
    cache: createMemoryCache(),
    availability: stock.port,
    defaultCurrency: 'EUR',
  });
  const root = await post('/v1/categories', { slug: 'root', name: 'Root' });
  const leaf = await post('/v1/categories', { slug: 'leaf', name: 'Leaf "l"', parentId: root.id });
  for (let i = 0; i < 28; i++) {
    const slug = `p-${String(i).padStart(2, '0')}`;
    const variants = Array.from({ length: 1 + (i % 4) }, (_, j) => ({
      sku: `${slug}-${j}`,
      attributes: j % 2 ? { color: NAMES[(i + j) % NAMES.length] as string, size: String(j) } : {},
      prices: [
        {
          currency: 'EUR',
          amount: 1000 + ((i * 7919 + j * 104729) % 50000),
          ...(j === 0 && i % 3 ? { compareAt: 90000 } : {}),
        },
        // Some variants have no USD price; JPY has no minor unit.
        ...((i + j) % 3 ? [{ currency: 'USD', amount: 1100 + ((i * 31 + j * 17) % 40000) }] : []),
        ...(i % 2 ? [{ currency: 'JPY', amount: 150 + i * 10 + j }] : []),
      ],
    }));
    const p = await post('/v1/products', {
      slug,
      name: `${NAMES[i % NAMES.length]} ${i}`,
      description: i % 5 ? `About ${NAMES[(i + 3) % NAMES.length]}` : '',
      brand: i % 4 ? `brand-${i % 3}` : null,
      status: i % 9 === 8 ? 'draft' : 'published',
      categoryIds: [i % 2 ? leaf.id : root.id],
      variants,
    });
    slugs.push(slug);
    // Stock varies: some out, some plenty, most the default.
    p.variants.forEach((v: { id: string }, j: number) => {
      if ((i + j) % 5 === 0) stock.set(v.id, 0);
      else if ((i + j) % 7 === 0) stock.set(v.id, 999);
    });
  }
});
afterAll(async () => {
  await t.close();
});

function queries(): ListQuery[] {
  const out: ListQuery[] = [];
  const sorts: (ProductSort | undefined)[] = [undefined, 'newest', 'name', 'price-asc', 'price-desc'];
  for (const currency of [undefined, 'EUR', 'USD', 'JPY']) {
    for (const sort of sorts) {
      out.push({ currency, sort });
      out.push({ currency, sort, limit: 5, page: 2 });
      out.push({ currency, sort, limit: 7, category: 'leaf' });
      out.push({ currency, sort, brand: 'brand-1,brand-2', minPrice: '2', maxPrice: '400' });
      out.push({ currency, sort, category: 'root', minPrice: '300', limit: 3 });
      out.push({ currency, sort, page: 40 });
    }
  }
  return out;
}

async function bothWays(q: ListQuery): Promise<{ text: string; object: string }> {
  return { text: await reads.listProductsText(q), object: JSON.stringify(await reads.listProducts(q)) };
}

describe('[REQ-CAT-017] storefront answers from ready JSON', () => {
  it('every list page, first and by cursor, is byte for byte the document path answer', async () => {
    let compared = 0;
    for (const q of queries()) {
      const { text, object } = await bothWays(q);
      expect(text, JSON.stringify(q)).toBe(object);
      compared++;
      // Walk on by cursor where there is a next page.
      const next = (JSON.parse(text) as { nextCursor?: string }).nextCursor;
      if (next) {
        const walked = await bothWays({ ...q, page: undefined, cursor: next });
        expect(walked.text, `${JSON.stringify(q)} by cursor`).toBe(walked.object);
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(150);
  });

  it('every product detail, by id and by slug, in each currency, is byte for byte the document path answer', async () => {
    let compared = 0;
    for (const slug of slugs) {
      for (const currency of ['EUR', 'USD', 'JPY']) {
        const draft = slug === 'p-08' || slug === 'p-17' || slug === 'p-26';
        const object = await reads.getProduct(slug, { currency }).then(JSON.stringify, (e: Error) => e.message);
        const text = await reads.getProductText(slug, { currency }).catch((e: Error) => e.message);
        expect(text, `${slug} ${currency}`).toBe(object);
        if (draft) expect(text).toMatch(/^No product/);
        else compared++;
      }
    }
    expect(compared).toBe(25 * 3);
  });

  it('the fill job gives rows without a body the body a write gives them, and never overwrites a newer one', async () => {
    const stored = async () =>
      (
        await sql<{ product_id: string; currency: string; body: string | null; variant_ids: string | null }>`
        select product_id, currency, body, variant_ids from catalog.product_view_prices
        order by product_id, currency`.execute(t.kernel.db.k)
      ).rows;
    const written = await stored();
    expect(written.every((r) => r.body !== null)).toBe(true);
    await sql`update catalog.product_view_prices set body = null, variant_ids = null`.execute(t.kernel.db.k);
    // Small batches: the keyset walks every row.
    expect(await fillMissingBodies(t.kernel.db, { batchSize: 7, batches: 3 })).toEqual({ filled: 21, done: false });
    expect(await fillMissingBodies(t.kernel.db, { batchSize: 7, batches: 100 })).toEqual({
      filled: written.length - 21,
      done: true,
    });
    expect(await stored()).toEqual(written);
    expect(await fillMissingBodies(t.kernel.db)).toEqual({ filled: 0, done: true });
    // A body rendered from a document read before a write: the row has its new body by then, and keeps it.
    const row = written[0] as (typeof written)[number];
    const stale = { productId: row.product_id, currency: row.currency, variantIds: 'var_x', body: '{"stale":true}' };
    expect(await writeMissingBodies(t.kernel.db, [stale])).toBe(0);
    expect(await stored()).toEqual(written);
  });

  it('rows written before bodies existed are answered from their documents, with the same bytes', async () => {
    const before = await Promise.all(queries().map((q) => reads.listProductsText(q)));
    const details = await Promise.all(slugs.map((s) => reads.getProductText(s, { currency: 'USD' }).catch(String)));
    // What a database migrated from an earlier release holds until the product is next written.
    const cleared = await sql`update catalog.product_view_prices set body = null, variant_ids = null
      where product_id in (select product_id from catalog.product_views where slug like 'p-_1' or slug like 'p-_4')`.execute(
      t.kernel.db.k,
    );
    expect(Number(cleared.numAffectedRows)).toBeGreaterThan(5);
    expect(await Promise.all(queries().map((q) => reads.listProductsText(q)))).toEqual(before);
    expect(await Promise.all(slugs.map((s) => reads.getProductText(s, { currency: 'USD' }).catch(String)))).toEqual(
      details,
    );
  });

  it('the HTTP list and detail send the ready JSON', async () => {
    const res = await t.http.inject({ method: 'GET', url: '/v1/products?currency=USD&sort=price-desc&limit=6' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe(JSON.stringify(await reads.listProducts({ currency: 'USD', sort: 'price-desc', limit: 6 })));
    const detail = await t.http.inject({ method: 'GET', url: '/v1/products/p-03?currency=JPY' });
    expect(detail.statusCode).toBe(200);
    expect(detail.body).toBe(JSON.stringify(await reads.getProduct('p-03', { currency: 'JPY' })));
    // The stored text is what goes out: a mark put into it shows in the list and the detail, not in the document path.
    await sql`update catalog.product_view_prices set body = replace(body, '"sku":"p-03-0"', '"sku":"from-the-body"')
      where currency = 'JPY'`.execute(t.kernel.db.k);
    expect(await reads.getProductText('p-03', { currency: 'JPY' })).toContain('"sku":"from-the-body"');
    expect(await reads.listProductsText({ currency: 'JPY', limit: 100 })).toContain('"sku":"from-the-body"');
    expect(JSON.stringify(await reads.getProduct('p-03', { currency: 'JPY' }))).toContain('"sku":"p-03-0"');
  });
});
