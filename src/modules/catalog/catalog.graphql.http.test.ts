// The catalog over GraphQL: the same products as GET /v1/products, no staff fields, a constant statement count.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStaff, type TestIdentity } from '../../../test/support/auth.ts';
import { createTestApp, type TestApp } from '../../../test/support/create-test-app.ts';
import { graphql } from '../../../test/support/graphql.ts';
import { statementsOf } from '../../../test/support/query-cost.ts';

let t: TestApp;
let staff: TestIdentity;
let aurora: { id: string; variants: { id: string }[] };
let audioId: string;

async function post(url: string, payload: unknown) {
  const res = await t.http.inject({ method: 'POST', url, headers: staff.headers, payload: payload as object });
  if (res.statusCode >= 300) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
  return res.json();
}

const gql = (query: string, variables?: Record<string, unknown>) => graphql(t, query, variables);

/** REST leaves an absent compareAtPrice out; GraphQL answers every selected field, so it is null there. */
type RestProduct = { variants: { compareAtPrice?: unknown }[] };
const asGraphql = (p: RestProduct) => ({ ...p, variants: p.variants.map((v) => ({ compareAtPrice: null, ...v })) });
const pageAsGraphql = (page: { items: RestProduct[] }) => ({ ...page, items: page.items.map(asGraphql) });

const PRODUCT_FIELDS = `id slug name description brand categories { id slug name } images status
  seo { title description } createdAt
  variants { id sku attributes price { amount currency } compareAtPrice { amount currency } available inStock }
  priceRange { min { amount currency } max { amount currency } }`;

beforeAll(async () => {
  // No relay or scheduler: their background statements would count against the query budget.
  t = await createTestApp({ workers: false });
  staff = await createStaff(t, 'admin');
  const audio = await post('/v1/categories', { slug: 'audio', name: 'Audio' });
  audioId = audio.id;
  const wh = await post('/v1/admin/warehouses', { name: 'Main', country: 'DE' });
  for (let i = 0; i < 60; i++) {
    const p = await post('/v1/products', {
      slug: i === 0 ? 'aurora' : `filler-${i}`,
      name: i === 0 ? 'Aurora Headphones' : `Filler ${i}`,
      brand: i === 0 ? 'Sony' : 'Acme',
      status: 'published',
      categoryIds: [audio.id],
      metadata: { supplier: 'secret' },
      variants: [0, 1].map((k) => ({
        sku: `SKU-${i}-${k}`,
        attributes: { color: k === 0 ? 'black' : 'white' },
        cost: 1234,
        prices: [{ currency: 'EUR', amount: 4999 + k * 1000, ...(k === 0 ? { compareAt: 5999 } : {}) }],
      })),
    });
    if (i === 0) aurora = p;
    await post('/v1/admin/inventory/adjustments', {
      variantId: p.variants[0].id,
      warehouseId: wh.id,
      quantity: i === 0 ? 7 : 1,
      reason: 'receipt',
    });
  }
}, 120_000);
afterAll(async () => {
  await t?.close();
});

describe('catalog over GraphQL', () => {
  it('[REQ-GQL-002] product(idOrSlug) answers exactly what GET /v1/products/{id} answers, with exact values', async () => {
    const { status, body } = await gql(`{ product(idOrSlug: "aurora") { ${PRODUCT_FIELDS} } }`);
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    const rest = (await t.http.inject({ method: 'GET', url: '/v1/products/aurora' })).json();
    expect(body.data.product).toEqual(asGraphql(rest));
    expect(body.data.product.variants).toEqual([
      {
        id: aurora.variants[0]?.id,
        sku: 'SKU-0-0',
        attributes: { color: 'black' },
        price: { amount: 4999, currency: 'EUR' },
        compareAtPrice: { amount: 5999, currency: 'EUR' },
        available: 7,
        inStock: true,
      },
      {
        id: aurora.variants[1]?.id,
        sku: 'SKU-0-1',
        attributes: { color: 'white' },
        price: { amount: 5999, currency: 'EUR' },
        compareAtPrice: null,
        available: 0,
        inStock: false,
      },
    ]);
    expect(body.data.product.priceRange).toEqual({
      min: { amount: 4999, currency: 'EUR' },
      max: { amount: 5999, currency: 'EUR' },
    });
    expect(body.data.product.categories).toEqual([{ id: audioId, slug: 'audio', name: 'Audio' }]);
  });

  it('[REQ-GQL-002] products(...) pages like GET /v1/products, filters included', async () => {
    const q = `query($cursor: String) { products(brand: "Acme", sort: "name", limit: 5, cursor: $cursor) {
      items { ${PRODUCT_FIELDS} } page limit total totalExact nextCursor } }`;
    const first = await gql(q.replace(', cursor: $cursor', '').replace('($cursor: String)', ''));
    const rest = (await t.http.inject({ method: 'GET', url: '/v1/products?brand=Acme&sort=name&limit=5' })).json();
    expect(first.body.data.products).toEqual(pageAsGraphql(rest));
    expect(first.body.data.products.total).toBe(59);
    const second = await gql(q, { cursor: rest.nextCursor });
    const rest2 = (
      await t.http.inject({ method: 'GET', url: `/v1/products?brand=Acme&sort=name&limit=5&cursor=${rest.nextCursor}` })
    ).json();
    expect(second.body.data.products).toEqual({ ...pageAsGraphql(rest2), page: null, total: null, totalExact: null });
  });

  it('[REQ-GQL-003] staff-only fields (cost, metadata, barcode, prices) are not in the schema', async () => {
    const { status, body } = await gql(`{ product(idOrSlug: "aurora") { metadata variants { cost } } }`);
    expect(status).toBe(400);
    expect(body.data).toBeNull();
    expect(body.errors?.map((e) => e.message)).toEqual([
      'Cannot query field "metadata" on type "Product".',
      'Cannot query field "cost" on type "Variant".',
    ]);
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'graphql.invalid_query', status: 400 });
  });

  it('[REQ-GQL-004] an unknown product → null and catalog.product_not_found; limit 101 → validation_failed', async () => {
    const missing = await gql(`{ product(idOrSlug: "nope") { id } }`);
    expect(missing.status).toBe(200);
    expect(missing.body.data).toEqual({ product: null });
    expect(missing.body.errors).toEqual([
      {
        message: 'No product nope.',
        locations: [{ line: 1, column: 3 }],
        path: ['product'],
        extensions: { code: 'catalog.product_not_found', status: 404, traceId: expect.any(String) },
      },
    ]);
    const big = await gql(`{ products(limit: 101) { total } }`);
    expect(big.body.errors?.[0]?.extensions).toMatchObject({
      code: 'request.validation_failed',
      status: 400,
      errors: [{ field: 'args/limit', message: 'must be <= 100' }],
    });
  });

  it('[REQ-GQL-007] products(limit: 1) and products(limit: 50) with variants run the same number of statements', async () => {
    const cost = (limit: number) =>
      statementsOf(async () => {
        const { body } = await gql(
          `{ products(limit: ${limit}) { items { id variants { id available inStock price { amount } } } } }`,
        );
        expect(body.data.products.items).toHaveLength(limit);
      });
    const one = await cost(1);
    expect(await cost(50)).toBe(one);
    expect(one).toBe(2); // the page, and inventory's availability for all its variants
  });
});
