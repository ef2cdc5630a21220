// Search over GraphQL: the same hits and facet counts as GET /v1/search; hits' products loaded in one batch.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStaff, type TestIdentity } from '../../../test/support/auth.ts';
import { createTestApp, type TestApp } from '../../../test/support/create-test-app.ts';
import { graphql } from '../../../test/support/graphql.ts';
import { statementsOf } from '../../../test/support/query-cost.ts';
import { searchCaughtUp } from '../../../test/support/search.ts';

let t: TestApp;
let staff: TestIdentity;
const ids: Record<string, string> = {};
const gql = (query: string, variables?: Record<string, unknown>) => graphql(t, query, variables);

async function post(url: string, payload: unknown) {
  const res = await t.http.inject({ method: 'POST', url, headers: staff.headers, payload: payload as object });
  if (res.statusCode >= 300) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
  return res.json();
}

beforeAll(async () => {
  // No relay or scheduler: their background statements would count against the query budget.
  t = await createTestApp({ workers: false });
  staff = await createStaff(t, 'admin');
  const headphones = await post('/v1/categories', { slug: 'headphones', name: 'Headphones' });
  const accessories = await post('/v1/categories', { slug: 'accessories', name: 'Accessories' });
  const specs: [string, string, string, string, [string, number][]][] = [
    [
      'pro',
      'Wireless Headphones Pro',
      'Sony',
      headphones.id,
      [
        ['black', 19999],
        ['white', 21999],
      ],
    ],
    ['air', 'Wireless Headphones Air', 'Apple', headphones.id, [['white', 24999]]],
    ['wired', 'Wired Headphones', 'Sony', headphones.id, [['black', 2999]]],
    ['stand', 'Headphone Stand', 'Acme', accessories.id, [['silver', 1999]]],
  ];
  for (const [slug, name, brand, cat, variants] of specs) {
    const p = await post('/v1/products', {
      slug,
      name,
      brand,
      status: 'published',
      categoryIds: [cat],
      variants: variants.map(([color, amount]) => ({
        sku: `${slug}-${color}`,
        attributes: { color },
        prices: [{ currency: 'EUR', amount }],
      })),
    });
    ids[slug] = p.id;
  }
  // The index is fed by catalog events: run the relay until search has them, then stop it again.
  await t.relay.start();
  await searchCaughtUp(t);
  await t.relay.stop();
}, 60_000);
afterAll(async () => {
  await t?.close();
});

const SEARCH = `query($q: String, $facet: [String!], $limit: Int) {
  search(q: $q, facet: $facet, limit: $limit) {
    items { id slug name brand categories { id slug name } priceRange { min { amount currency } max { amount currency } } }
    total limit nextCursor query
    facets { brand { value count } category { value count } price { min max count }
      attributes { name values { value count } } }
  } }`;

describe('search over GraphQL', () => {
  it('[REQ-GQL-005] search with facets: exact hits and counts, equal to GET /v1/search', async () => {
    const { status, body } = await gql(SEARCH, { q: 'headph', facet: ['brand:Sony'] });
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    const r = body.data.search;
    expect(r.items.map((i: { slug: string }) => i.slug).sort()).toEqual(['pro', 'wired']);
    expect(r.total).toBe(2);
    expect(r.facets).toEqual({
      brand: [
        { value: 'Sony', count: 2 },
        { value: 'Acme', count: 1 },
        { value: 'Apple', count: 1 },
      ],
      category: [{ value: 'headphones', count: 2 }],
      price: [
        { min: 2500, max: 5000, count: 1 },
        { min: 10000, max: 20000, count: 1 },
      ],
      attributes: [
        {
          name: 'color',
          values: [
            { value: 'black', count: 2 },
            { value: 'white', count: 1 },
          ],
        },
      ],
    });
    const rest = (await t.http.inject({ method: 'GET', url: '/v1/search?q=headph&facet=brand:Sony' })).json();
    const { color, ...fixed } = rest.facets;
    expect(r).toEqual({
      ...rest,
      nextCursor: null,
      facets: { ...fixed, attributes: [{ name: 'color', values: color }] },
    });
  });

  it('[REQ-GQL-005] suggest completes a prefix like GET /v1/search/suggest; a bad facet → search.invalid_facet', async () => {
    const { body } = await gql(`{ suggest(q: "wirel") { query items { id slug name } } }`);
    const rest = (await t.http.inject({ method: 'GET', url: '/v1/search/suggest?q=wirel' })).json();
    expect(body.data.suggest).toEqual(rest);
    expect(body.data.suggest.items.map((i: { slug: string }) => i.slug).sort()).toEqual(['air', 'pro']);
    const bad = await gql(SEARCH, { facet: ['brand'] });
    expect(bad.body.data).toBeNull();
    expect(bad.body.errors?.[0]?.extensions).toMatchObject({ code: 'search.invalid_facet', status: 400 });
  });

  it("[REQ-GQL-007] a hit's product (variants, availability) is loaded in one batch: limit 1 and 4 cost the same", async () => {
    const cost = (limit: number) =>
      statementsOf(async () => {
        const { body } = await gql(
          `query($limit: Int) { search(q: "headph", limit: $limit) {
          items { id product { id slug variants { sku price { amount currency } available inStock } } } } }`,
          { limit },
        );
        expect(body.errors).toBeUndefined();
        expect(body.data.search.items).toHaveLength(limit);
        for (const hit of body.data.search.items) expect(hit.product.id).toBe(hit.id);
      });
    const one = await cost(1);
    expect(await cost(4)).toBe(one);
    const { body } = await gql(
      `{ search(q: "stand") { items { product { slug variants { sku price { amount } } } } } }`,
    );
    expect(body.data.search.items).toEqual([
      { product: { slug: 'stand', variants: [{ sku: 'stand-silver', price: { amount: 1999 } }] } },
    ]);
  });
});
