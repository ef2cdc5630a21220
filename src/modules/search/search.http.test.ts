import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/support/create-test-app.ts';
import { asStaff, fakeAuth } from '../../../test/support/fake-auth.ts';
import { searchCaughtUp } from '../../../test/support/search.ts';
import { appendEvents } from '../../platform/events/outbox.ts';

const STAFF = asStaff('catalog:write', 'catalog:read');

let t: TestApp;
const ids: Record<string, string> = {};
const errorLogs: string[] = [];

async function post(url: string, payload: unknown) {
  const res = await t.http.inject({ method: 'POST', url, headers: STAFF, payload: payload as object });
  if (res.statusCode !== 201) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
  return res.json();
}

beforeAll(async () => {
  t = await createTestApp({
    authenticate: fakeAuth,
    logStream: {
      write(line: string) {
        if ((JSON.parse(line) as { level: number }).level >= 50) errorLogs.push(line);
      },
    },
  });
  const audio = await post('/v1/categories', { slug: 'audio', name: 'Audio' });
  const headphones = await post('/v1/categories', { slug: 'headphones', name: 'Headphones', parentId: audio.id });
  const speakers = await post('/v1/categories', { slug: 'speakers', name: 'Speakers', parentId: audio.id });
  const accessories = await post('/v1/categories', { slug: 'accessories', name: 'Accessories' });
  const specs: [string, string, string, string, string, [string, number][]][] = [
    [
      'pro',
      'Wireless Headphones Pro',
      'Sony',
      headphones.id,
      'Noise cancelling',
      [
        ['black', 19999],
        ['white', 21999],
      ],
    ],
    ['air', 'Wireless Headphones Air', 'Apple', headphones.id, 'Light', [['white', 24999]]],
    ['wired', 'Wired Headphones', 'Sony', headphones.id, 'Classic', [['black', 2999]]],
    ['speaker', 'Bluetooth Speaker', 'JBL', speakers.id, 'A wireless speaker', [['black', 8999]]],
    ['stand', 'Headphone Stand', 'Acme', accessories.id, 'Holds your headphones', [['silver', 1999]]],
  ];
  for (const [slug, name, brand, cat, description, variants] of specs) {
    const p = await post('/v1/products', {
      slug,
      name,
      brand,
      description,
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
  await post('/v1/products', { slug: 'secret', name: 'Wireless Prototype', status: 'draft' });
  await searchCaughtUp(t);
});
afterAll(async () => {
  await t.close();
});

async function search(qs: string) {
  const res = await t.http.inject({ method: 'GET', url: `/v1/search?${qs}` });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}
const slugs = (r: { items: { slug: string }[] }) => r.items.map((i) => i.slug);

describe('search', () => {
  it('[REQ-SRC-001] typo tolerance: "wireles headphnes" finds the wireless headphones', async () => {
    const r = await search('q=wireles%20headphnes');
    expect(slugs(r).sort()).toEqual(['air', 'pro']);
    expect(r.total).toBe(2);
    expect(r.query).toBe('wireles headphones');
  });

  it('[REQ-SRC-002] prefix matching: "headph" finds every headphone product, drafts never', async () => {
    const r = await search('q=headph');
    expect(slugs(r).sort()).toEqual(['air', 'pro', 'stand', 'wired']);
    expect((await search('q=prototype')).total).toBe(0);
  });

  it('[REQ-SRC-003] weighted ranking: name matches before description matches, ties by id', async () => {
    const r = await search('q=wireless');
    expect(slugs(r)).toEqual(['pro', 'air', 'speaker']);
  });

  it('[REQ-SRC-004] exact facet counts for the result set', async () => {
    const r = await search('q=headph');
    expect(r.facets).toEqual({
      brand: [
        { value: 'Sony', count: 2 },
        { value: 'Acme', count: 1 },
        { value: 'Apple', count: 1 },
      ],
      category: [
        { value: 'headphones', count: 3 },
        { value: 'accessories', count: 1 },
      ],
      color: [
        { value: 'black', count: 2 },
        { value: 'white', count: 2 },
        { value: 'silver', count: 1 },
      ],
      price: [
        { min: 0, max: 2500, count: 1 },
        { min: 2500, max: 5000, count: 1 },
        { min: 10000, max: 20000, count: 1 },
        { min: 20000, max: 50000, count: 1 },
      ],
    });
  });

  it('[REQ-SRC-004] OR within a facet, AND across facets; each facet counted without its own filter', async () => {
    const sony = await search('q=headph&facet=brand:Sony');
    expect(slugs(sony).sort()).toEqual(['pro', 'wired']);
    expect(sony.total).toBe(2);
    expect(sony.facets.brand).toEqual([
      { value: 'Sony', count: 2 },
      { value: 'Acme', count: 1 },
      { value: 'Apple', count: 1 },
    ]);
    expect(sony.facets.color).toEqual([
      { value: 'black', count: 2 },
      { value: 'white', count: 1 },
    ]);
    const both = await search('q=headph&facet=brand:Sony,Apple&facet=color:white');
    expect(slugs(both).sort()).toEqual(['air', 'pro']);
    expect(both.facets.brand).toEqual([
      { value: 'Apple', count: 1 },
      { value: 'Sony', count: 1 },
    ]);
    expect(both.facets.color).toEqual([
      { value: 'black', count: 2 },
      { value: 'white', count: 2 },
    ]);
  });

  it('[REQ-SRC-005] minPrice/maxPrice in major units; category includes sub-categories; pagination', async () => {
    const priced = await search('q=headph&minPrice=20&maxPrice=199.99&sort=price-asc');
    expect(slugs(priced)).toEqual(['wired', 'pro']);
    expect(priced.facets.price).toHaveLength(4);
    expect(slugs(await search('category=audio&sort=name'))).toEqual(['speaker', 'wired', 'air', 'pro']);
    const p1 = await search('sort=name&limit=2');
    expect(slugs(p1)).toEqual(['speaker', 'stand']);
    const p2 = await search(`sort=name&limit=2&cursor=${p1.nextCursor}`);
    expect(slugs(p2)).toEqual(['wired', 'air']);
    expect(p2.total).toBe(5);
  });

  it('[REQ-SRC-006] bad facet or price → 400 problem', async () => {
    const res = await t.http.inject({ method: 'GET', url: '/v1/search?facet=brand' });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('search.invalid_facet');
    const price = await t.http.inject({ method: 'GET', url: '/v1/search?minPrice=abc' });
    expect(price.statusCode).toBe(400);
    expect(price.json().code).toBe('search.invalid_filter');
  });

  it('[REQ-SRC-007] suggest completes a prefix', async () => {
    const res = await t.http.inject({ method: 'GET', url: '/v1/search/suggest?q=headph' });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.items.map((i: { slug: string }) => i.slug).sort()).toEqual(['air', 'pro', 'stand', 'wired']);
    const typo = (await t.http.inject({ method: 'GET', url: '/v1/search/suggest?q=speakr' })).json();
    expect(typo).toEqual({
      query: 'speaker',
      items: [{ id: ids.speaker, slug: 'speaker', name: 'Bluetooth Speaker' }],
    });
  });

  it('[REQ-SRC-008] the index follows catalog changes: rename, archive', async () => {
    await t.http.inject({
      method: 'PATCH',
      url: `/v1/products/${ids.stand}`,
      headers: STAFF,
      payload: { name: 'Headset Hanger' },
    });
    await searchCaughtUp(t);
    expect(slugs(await search('q=hanger'))).toEqual(['stand']);
    await t.http.inject({ method: 'DELETE', url: `/v1/products/${ids.wired}`, headers: STAFF });
    await searchCaughtUp(t);
    expect(slugs(await search('q=wired'))).toEqual([]);
    // Every indexed event is timed: at least 6 product creates (the draft included) + rename + archive.
    const metrics = (await t.http.inject({ method: 'GET', url: '/metrics' })).body;
    const count = Number(/^search_index_lag_seconds_count (\d+)$/m.exec(metrics)?.[1]);
    expect(count).toBeGreaterThanOrEqual(8);
  });

  it('[REQ-SRC-009] a catalog outbox event re-indexes its product, whatever the index held before', async () => {
    // An index that lost the product (a restore, a manual fix): the next event for it puts it back.
    await sql`delete from search.documents where product_id = ${ids.stand}`.execute(t.kernel.db.k);
    expect(slugs(await search('q=hanger'))).toEqual([]);
    await t.kernel.db.transaction((tx) =>
      appendEvents(tx, undefined, [
        { type: 'catalog.product.updated', aggregateId: ids.stand as string, payload: { productId: ids.stand } },
      ]),
    );
    await searchCaughtUp(t);
    expect(slugs(await search('q=hanger'))).toEqual(['stand']);
  });

  it('[REQ-SRC-008] concurrent changes of one product index it once, without failing (upsert)', async () => {
    const names = Array.from({ length: 12 }, (_, i) => `Party Speaker ${i}`);
    const answers = await Promise.all(
      names.map((name) =>
        t.http.inject({ method: 'PATCH', url: `/v1/products/${ids.speaker}`, headers: STAFF, payload: { name } }),
      ),
    );
    expect(answers.map((a) => a.statusCode)).toEqual(names.map(() => 200));
    await searchCaughtUp(t);
    // No indexing attempt failed, one document, and it matches the catalog's last committed name (events of one
    // product are indexed in order, each reading the catalog after its change).
    const metrics = (await t.http.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).not.toMatch(/^events_delivery_failures_total\{subscriber="search\.index_catalog_changes"\} [1-9]/m);
    expect(errorLogs).toEqual([]);
    const docs = await sql<{ name: string }>`select name from search.documents
      where product_id = ${ids.speaker}`.execute(t.kernel.db.k);
    const product = await sql<{ name: string }>`select name from catalog.products
      where id = ${ids.speaker}`.execute(t.kernel.db.k);
    expect(docs.rows).toEqual(product.rows);
    expect(names).toContain(docs.rows[0]?.name);
  });
});
