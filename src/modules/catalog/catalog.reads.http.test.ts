import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/support/create-test-app.ts';
import { asStaff, fakeAuth } from '../../../test/support/fake-auth.ts';
import { statementsOf } from '../../../test/support/query-cost.ts';
import { createFakeAvailability } from './testing.ts';

const STAFF = asStaff('catalog:write', 'catalog:read');

// Inventory is not wired in module tests: a fake of its batch availability contract (5 of everything).
const stock = createFakeAvailability(5);
let t: TestApp;
const ids: Record<string, string> = {};
const variantIds: Record<string, string> = {};

async function post(url: string, payload: unknown, app: TestApp = t) {
  const res = await app.http.inject({ method: 'POST', url, headers: STAFF, payload: payload as object });
  if (res.statusCode !== 201) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
  return res.json();
}

const product = (slug: string, name: string, brand: string, categoryId: string, eur: number[], extra = {}) => ({
  slug,
  name,
  brand,
  status: 'published',
  categoryIds: [categoryId],
  metadata: { internal: true },
  variants: eur.map((amount, i) => ({
    sku: `${slug}-${i}`,
    attributes: { color: i === 0 ? 'black' : 'white' },
    cost: 100,
    prices: [
      { currency: 'EUR', amount, ...(i === 0 ? { compareAt: amount + 1000 } : {}) },
      ...(i === 0 ? [{ currency: 'USD', amount: amount + 500 }] : []),
    ],
  })),
  ...extra,
});

beforeAll(async () => {
  // No relay or scheduler: their background statements would count against the query budget.
  t = await createTestApp({ authenticate: fakeAuth, catalogAvailability: stock.port, workers: false });
  const electronics = await post('/v1/categories', { slug: 'electronics', name: 'Electronics' });
  const audio = await post('/v1/categories', { slug: 'audio', name: 'Audio', parentId: electronics.id });
  const headphones = await post('/v1/categories', { slug: 'headphones', name: 'Headphones', parentId: audio.id });
  const kitchen = await post('/v1/categories', { slug: 'kitchen', name: 'Kitchen' });
  const specs: [string, string, string, string, number[]][] = [
    ['aurora', 'Aurora Headphones', 'Sony', headphones.id, [4999, 5999]],
    ['bolt', 'Bolt Speaker', 'JBL', audio.id, [9999]],
    ['cedar', 'Cedar Kettle', 'Bosch', kitchen.id, [2999]],
    ['delta', 'Delta Headphones', 'Apple', headphones.id, [19999]],
  ];
  for (const [slug, name, brand, cat, eur] of specs) {
    const p = await post('/v1/products', product(slug, name, brand, cat, eur));
    ids[slug] = p.id;
    variantIds[slug] = p.variants[0].id;
  }
  await post('/v1/products', { ...product('draft', 'Draft Thing', 'Sony', headphones.id, [100]), status: 'draft' });
});
afterAll(async () => {
  await t.close();
});

const list = async (qs: string) => {
  const res = await t.http.inject({ method: 'GET', url: `/v1/products?${qs}` });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
};
const slugs = (page: { items: { slug: string }[] }) => page.items.map((p) => p.slug);

describe('storefront list', () => {
  it('[REQ-CAT-010] only published products, newest first by default, with total and page', async () => {
    const page = await list('');
    expect(slugs(page)).toEqual(['delta', 'cedar', 'bolt', 'aurora']);
    expect(page).toMatchObject({ page: 1, limit: 20, total: 4, totalExact: true });
  });

  it('[REQ-CAT-010] category includes sub-categories (by slug or id); brand is one or a list', async () => {
    expect(slugs(await list('category=audio&sort=name'))).toEqual(['aurora', 'bolt', 'delta']);
    expect(slugs(await list('category=electronics&sort=name'))).toEqual(['aurora', 'bolt', 'delta']);
    expect(slugs(await list('category=headphones&sort=name'))).toEqual(['aurora', 'delta']);
    expect(slugs(await list('category=kitchen'))).toEqual(['cedar']);
    expect(slugs(await list('brand=Sony,Apple&sort=name'))).toEqual(['aurora', 'delta']);
  });

  it('[REQ-CAT-010] minPrice/maxPrice in major units of the currency; sorts by price and name', async () => {
    expect(slugs(await list('minPrice=49.99&maxPrice=100&sort=price-asc'))).toEqual(['aurora', 'bolt']);
    expect(slugs(await list('sort=price-asc'))).toEqual(['cedar', 'aurora', 'bolt', 'delta']);
    expect(slugs(await list('sort=price-desc'))).toEqual(['delta', 'bolt', 'aurora', 'cedar']);
    expect(slugs(await list('sort=name'))).toEqual(['aurora', 'bolt', 'cedar', 'delta']);
    const bad = await t.http.inject({ method: 'GET', url: '/v1/products?minPrice=12.345' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe('catalog.invalid_filter');
  });

  it('[REQ-CAT-010] total counts the published products the filters match (a draft with a price never counts)', async () => {
    const total = async (qs: string) => (await list(qs)).total;
    expect(await total('sort=price-asc')).toBe(4);
    expect(await total('minPrice=0.50&sort=price-asc')).toBe(4); // the draft costs 1.00
    expect(await total('maxPrice=30&sort=price-desc')).toBe(1);
    expect(await total('minPrice=50&maxPrice=200&sort=newest')).toBe(2);
    expect(await total('brand=Sony&minPrice=0.50')).toBe(1);
    expect(await total('category=headphones&maxPrice=100&sort=name')).toBe(1);
    expect(await total('currency=USD&sort=price-asc')).toBe(4);
    const beyond = await list('sort=price-asc&limit=2&page=2');
    expect(beyond).toMatchObject({ page: 2, total: 4, totalExact: true });
    expect(slugs(beyond)).toEqual(['bolt', 'delta']);
    // A page past the last match is empty and still says how many match (it used to say 0).
    expect(await list('sort=price-asc&limit=2&page=9')).toEqual({
      items: [],
      page: 9,
      limit: 2,
      total: 4,
      totalExact: true,
    });
    expect(await list('brand=Sony&limit=5&page=3')).toMatchObject({ items: [], total: 1 });
    expect(await list('minPrice=500&page=2')).toMatchObject({ items: [], total: 0 });
  });

  it('[REQ-CAT-010] past CATALOG_EXACT_TOTAL_MAX the total is that number with totalExact false; pages still work', async () => {
    const capped = await createTestApp({
      authenticate: fakeAuth,
      catalogAvailability: stock.port,
      workers: false,
      env: { CATALOG_EXACT_TOTAL_MAX: '2' },
    });
    try {
      const cat = await post('/v1/categories', { slug: 'misc', name: 'Misc' }, capped);
      for (const [slug, eur] of [
        ['one', 1000],
        ['two', 2000],
        ['three', 3000],
      ] as const) {
        await post('/v1/products', product(slug, slug, 'Acme', cat.id, [eur]), capped);
      }
      const get = async (qs: string) => {
        const res = await capped.http.inject({ method: 'GET', url: `/v1/products?${qs}` });
        expect(res.statusCode, res.body).toBe(200);
        return res.json();
      };
      // Three match, two are counted: a lower bound, flagged.
      expect(await get('sort=price-asc&limit=1')).toMatchObject({ total: 2, totalExact: false });
      expect(await get('brand=Acme&limit=1')).toMatchObject({ total: 2, totalExact: false });
      // Two or fewer matches are exact, with and without a product filter.
      expect(await get('minPrice=15&sort=price-asc')).toMatchObject({ total: 2, totalExact: true });
      expect(await get('brand=Acme&maxPrice=10')).toMatchObject({ total: 1, totalExact: true });
      // Paging past the counted matches still reaches every product.
      const third = await get('sort=price-asc&limit=1&page=3');
      expect(slugs(third)).toEqual(['three']);
      expect(third).toMatchObject({ page: 3, total: 2, totalExact: false });
      expect(await get('sort=price-asc&limit=1&page=9')).toMatchObject({ items: [], total: 2, totalExact: false });
      // GraphQL reports the same.
      const gql = await capped.http.inject({
        method: 'POST',
        url: '/graphql',
        payload: { query: '{ products(limit: 1) { total totalExact } }' },
      });
      expect(gql.json().data.products).toEqual({ total: 2, totalExact: false });
    } finally {
      await capped.close();
    }
  });

  it('[REQ-CAT-010] items carry prices in ?currency= and availability; staff-only fields never appear', async () => {
    const page = await list('sort=name&limit=1&currency=USD');
    expect(page.items[0]).toEqual({
      id: ids.aurora,
      slug: 'aurora',
      name: 'Aurora Headphones',
      description: '',
      brand: 'Sony',
      categories: [expect.objectContaining({ slug: 'headphones' })],
      images: [],
      status: 'published',
      seo: { title: null, description: null },
      createdAt: expect.any(String),
      variants: [
        {
          id: variantIds.aurora,
          sku: 'aurora-0',
          attributes: { color: 'black' },
          price: { amount: 5499, currency: 'USD' },
          available: 5,
          inStock: true,
        },
        {
          id: expect.any(String),
          sku: 'aurora-1',
          attributes: { color: 'white' },
          price: null,
          available: 5,
          inStock: true,
        },
      ],
      priceRange: { min: { amount: 5499, currency: 'USD' }, max: { amount: 5499, currency: 'USD' } },
    });
    expect(JSON.stringify(page)).not.toMatch(/"cost"|"metadata"|"version"/);
  });

  it('[REQ-CAT-011] page+limit pages; cursor walks with no duplicates or gaps while products are added', async () => {
    const p2 = await list('sort=name&page=2&limit=3');
    expect(slugs(p2)).toEqual(['delta']);
    expect(p2).toMatchObject({ page: 2, limit: 3, total: 4 });
    const first = await list('sort=name&limit=2');
    expect(slugs(first)).toEqual(['aurora', 'bolt']);
    // A product added before the cursor position while the client pages: later pages are unaffected.
    await post(
      '/v1/products',
      product('abacus', 'Abacus Toy', 'Acme', (await list('category=kitchen')).items[0].categories[0].id, [500]),
    );
    const second = await list(`sort=name&limit=2&cursor=${first.nextCursor}`);
    expect(slugs(second)).toEqual(['cedar', 'delta']);
    expect(second.nextCursor).toBeUndefined();
    expect(second.total).toBeUndefined();
    const wrong = await t.http.inject({ method: 'GET', url: `/v1/products?sort=newest&cursor=${first.nextCursor}` });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().code).toBe('catalog.invalid_cursor');
  });

  it('[REQ-CAT-012] inStock=true keeps products with a variant in stock (availability from the port)', async () => {
    stock.set(variantIds.bolt as string, 0);
    expect(slugs(await list('inStock=true&category=audio&sort=name'))).toEqual(['aurora', 'delta']);
    stock.set(variantIds.bolt as string, 5);
  });
});

describe('storefront detail', () => {
  it('[REQ-CAT-013] by id or slug, compareAtPrice, priceRange; drafts are 404', async () => {
    const bySlug = await t.http.inject({ method: 'GET', url: '/v1/products/aurora' });
    expect(bySlug.statusCode).toBe(200);
    const p = bySlug.json();
    expect(p.variants[0]).toMatchObject({
      price: { amount: 4999, currency: 'EUR' },
      compareAtPrice: { amount: 5999, currency: 'EUR' },
    });
    expect(p.variants[1].compareAtPrice).toBeUndefined();
    expect(p.priceRange).toEqual({ min: { amount: 4999, currency: 'EUR' }, max: { amount: 5999, currency: 'EUR' } });
    const byId = await t.http.inject({ method: 'GET', url: `/v1/products/${ids.aurora}` });
    expect(byId.body).toBe(bySlug.body);
    const draft = await t.http.inject({ method: 'GET', url: '/v1/products/draft' });
    expect(draft.statusCode).toBe(404);
    expect(draft.json().code).toBe('catalog.product_not_found');
  });

  it('[REQ-CAT-014] strong ETag and 304; a staff change is visible on the next read (cache invalidated)', async () => {
    const first = await t.http.inject({ method: 'GET', url: '/v1/products/bolt' });
    const etag = first.headers.etag as string;
    expect(etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
    expect(first.headers['cache-control']).toBe('public, no-cache');
    const again = await t.http.inject({ method: 'GET', url: '/v1/products/bolt', headers: { 'if-none-match': etag } });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    await t.http.inject({
      method: 'PATCH',
      url: `/v1/products/${ids.bolt}`,
      headers: STAFF,
      payload: { name: 'Bolt Speaker II' },
    });
    const after = await t.http.inject({ method: 'GET', url: '/v1/products/bolt', headers: { 'if-none-match': etag } });
    expect(after.statusCode).toBe(200);
    expect(after.json().name).toBe('Bolt Speaker II');
    expect((await list('category=audio&sort=name')).items[1].name).toBe('Bolt Speaker II');
  });

  it('[REQ-CAT-015] archived products leave the storefront at once', async () => {
    await t.http.inject({ method: 'DELETE', url: `/v1/products/${ids.cedar}`, headers: STAFF });
    expect((await t.http.inject({ method: 'GET', url: '/v1/products/cedar' })).statusCode).toBe(404);
    expect(slugs(await list('category=kitchen'))).toEqual(['abacus']);
  });
});

describe('query budget', () => {
  it('[REQ-CAT-016] list and detail run a constant number of SQL statements for limit=1 and limit=100', async () => {
    await t.kernel.cache.delPrefix('');
    expect(await statementsOf(() => list('limit=1&sort=price-asc'))).toBe(1);
    expect(await statementsOf(() => list('limit=100&sort=price-asc'))).toBe(1);
    expect(await statementsOf(() => t.http.inject({ method: 'GET', url: '/v1/products/delta' }))).toBe(1);
    // Computed again, the answers are stored (admission.ts); from then on a read runs none.
    await list('limit=100&sort=price-asc');
    await t.http.inject({ method: 'GET', url: '/v1/products/delta' });
    expect(
      await statementsOf(async () => {
        await list('limit=100&sort=price-asc');
        await t.http.inject({ method: 'GET', url: '/v1/products/delta' });
      }),
    ).toBe(0);
  });
});
