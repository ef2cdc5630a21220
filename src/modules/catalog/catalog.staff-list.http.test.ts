import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/support/create-test-app.ts';
import { asCustomer, asStaff, fakeAuth } from '../../../test/support/fake-auth.ts';

const STAFF = asStaff('catalog:write', 'catalog:read');

let t: TestApp;
const ids: Record<string, string> = {};

const get = (url: string, headers: Record<string, string> = STAFF) => t.http.inject({ method: 'GET', url, headers });
const slugs = (res: { json: () => { items: { slug: string }[] } }) => res.json().items.map((p) => p.slug);

beforeAll(async () => {
  t = await createTestApp({ authenticate: fakeAuth });
  const make = async (slug: string, status: string) => {
    const res = await t.http.inject({
      method: 'POST',
      url: '/v1/products',
      headers: STAFF,
      payload: {
        slug,
        name: slug,
        status,
        variants: [{ sku: `SKU-${slug}`, prices: [{ currency: 'EUR', amount: 100 }] }],
      },
    });
    expect(res.statusCode).toBe(201);
    ids[slug] = res.json().id;
  };
  await make('sl-draft', 'draft');
  await make('sl-live', 'published');
  await make('sl-old', 'published');
  await make('sl-newest', 'draft');
  const archived = await t.http.inject({ method: 'DELETE', url: `/v1/products/${ids['sl-old']}`, headers: STAFF });
  expect(archived.statusCode).toBeLessThan(300);
});
afterAll(async () => {
  await t.close();
});

describe('staff product list', () => {
  it('[REQ-CAT-031] lists products in every status newest first, filtered by status, with the staff view', async () => {
    const all = await get('/v1/admin/products');
    expect(all.statusCode).toBe(200);
    expect(all.headers['cache-control']).toBe('no-store');
    expect(slugs(all)).toEqual(['sl-newest', 'sl-old', 'sl-live', 'sl-draft']);
    expect(all.json().nextCursor).toBeNull();
    const draft = all.json().items.find((p: { slug: string }) => p.slug === 'sl-draft');
    expect(draft).toMatchObject({ status: 'draft', version: 1, variants: [{ sku: 'SKU-sl-draft' }] });
    expect(slugs(await get('/v1/admin/products?status=archived'))).toEqual(['sl-old']);
    expect(slugs(await get('/v1/admin/products?status=draft'))).toEqual(['sl-newest', 'sl-draft']);
    expect(slugs(await get('/v1/admin/products?status=published'))).toEqual(['sl-live']);
    // The storefront list still shows only the published one.
    expect((await get('/v1/products')).json().items.map((p: { slug: string }) => p.slug)).toEqual(['sl-live']);
  });

  it('[REQ-CAT-031] pages by cursor without gaps or repeats', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await get(`/v1/admin/products?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.json().items.length).toBeLessThanOrEqual(3);
      seen.push(...slugs(res));
      cursor = res.json().nextCursor;
    } while (cursor);
    expect(seen).toEqual(['sl-newest', 'sl-old', 'sl-live', 'sl-draft']);
  });

  it('[REQ-CAT-031] bad input is a 400 problem; anonymous 401; no catalog:read 403', async () => {
    const cases: [string, string][] = [
      ['status=active', 'request.validation_failed'],
      ['limit=0', 'request.validation_failed'],
      ['limit=101', 'request.validation_failed'],
      ['sort=name', 'request.validation_failed'],
      ['cursor=prod_missing', 'catalog.invalid_cursor'],
    ];
    for (const [q, code] of cases) {
      const res = await get(`/v1/admin/products?${q}`);
      expect([q, res.statusCode, res.json().code]).toEqual([q, 400, code]);
      expect(String(res.headers['content-type'])).toMatch(/^application\/problem\+json/);
    }
    expect((await get('/v1/admin/products', {})).statusCode).toBe(401);
    for (const headers of [asCustomer('usr_someone'), asStaff('orders:read')]) {
      const res = await get('/v1/admin/products', headers);
      expect([res.statusCode, res.json().code]).toEqual([403, 'auth.forbidden']);
    }
  });
});
