import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/support/create-test-app.ts';
import { asStaff, fakeAuth } from '../../../test/support/fake-auth.ts';

const STAFF = asStaff('catalog:write', 'catalog:read');

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ authenticate: fakeAuth });
});
afterAll(async () => {
  await t.close();
});

const body = (slug: string, sku: string) => ({
  slug,
  name: `Product ${slug}`,
  brand: 'Acme',
  status: 'published',
  metadata: { supplier: 'secret' },
  variants: [
    {
      sku,
      attributes: { color: 'black' },
      cost: 1200,
      prices: [
        { currency: 'EUR', amount: 4999, compareAt: 5999 },
        { currency: 'USD', amount: 5499 },
      ],
    },
  ],
});

async function count(table: string): Promise<number> {
  const r = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)}`.execute(t.kernel.db.k);
  return r.rows[0]?.n ?? -1;
}

async function events(type: string): Promise<number> {
  const r = await sql<{ n: number }>`select count(*)::int as n from platform.outbox where type = ${type}`.execute(
    t.kernel.db.k,
  );
  return r.rows[0]?.n ?? -1;
}

describe('staff product API', () => {
  it('[REQ-CAT-001] POST /v1/products creates a product with variants and prices, ETag = version, event appended', async () => {
    const res = await t.http.inject({
      method: 'POST',
      url: '/v1/products',
      headers: STAFF,
      payload: body('alpha', 'ALPHA-1'),
    });
    expect(res.statusCode).toBe(201);
    expect(res.headers.etag).toBe('"1"');
    const p = res.json();
    expect(p.id).toMatch(/^prod_/);
    expect(p).toMatchObject({ slug: 'alpha', name: 'Product alpha', brand: 'Acme', status: 'published', version: 1 });
    expect(p.metadata).toEqual({ supplier: 'secret' });
    expect(p.variants).toHaveLength(1);
    expect(p.variants[0]).toMatchObject({
      sku: 'ALPHA-1',
      attributes: { color: 'black' },
      cost: 1200,
      prices: [
        { currency: 'EUR', amount: 4999, compareAt: 5999 },
        { currency: 'USD', amount: 5499, compareAt: null },
      ],
    });
    expect(await events('catalog.product.created')).toBe(1);
  });

  it('[REQ-CAT-002] duplicate SKU → 409 catalog.duplicate_sku with field, nothing written', async () => {
    const [products, variants, evts] = [
      await count('catalog.products'),
      await count('catalog.variants'),
      await events('catalog.product.created'),
    ];
    const res = await t.http.inject({
      method: 'POST',
      url: '/v1/products',
      headers: STAFF,
      payload: body('beta', 'ALPHA-1'),
    });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: 'catalog.duplicate_sku', field: 'sku' });
    expect(await count('catalog.products')).toBe(products);
    expect(await count('catalog.variants')).toBe(variants);
    expect(await events('catalog.product.created')).toBe(evts);
  });

  it('[REQ-CAT-002] duplicate slug → 409 catalog.duplicate_slug with field, nothing written', async () => {
    const products = await count('catalog.products');
    const res = await t.http.inject({
      method: 'POST',
      url: '/v1/products',
      headers: STAFF,
      payload: body('alpha', 'OTHER-1'),
    });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: 'catalog.duplicate_slug', field: 'slug' });
    expect(await count('catalog.products')).toBe(products);
  });

  it('[REQ-CAT-002] invalid input → 400, unknown category → 422, nothing written', async () => {
    const products = await count('catalog.products');
    const bad = await t.http.inject({
      method: 'POST',
      url: '/v1/products',
      headers: STAFF,
      payload: { ...body('gamma', 'G-1'), variants: [{ sku: 'G-1', prices: [{ currency: 'EUR', amount: 12.5 }] }] },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe('request.validation_failed');
    const dupCur = await t.http.inject({
      method: 'POST',
      url: '/v1/products',
      headers: STAFF,
      payload: {
        ...body('gamma', 'G-1'),
        variants: [
          {
            sku: 'G-1',
            prices: [
              { currency: 'EUR', amount: 1 },
              { currency: 'EUR', amount: 2 },
            ],
          },
        ],
      },
    });
    expect(dupCur.statusCode).toBe(400);
    expect(dupCur.json().code).toBe('catalog.invalid_price');
    const cat = await t.http.inject({
      method: 'POST',
      url: '/v1/products',
      headers: STAFF,
      payload: { ...body('gamma', 'G-1'), categoryIds: ['cat_nope'] },
    });
    expect(cat.statusCode).toBe(422);
    expect(cat.json().code).toBe('catalog.category_not_found');
    expect(await count('catalog.products')).toBe(products);
  });

  it('[REQ-CAT-003] anonymous → 401, staff without catalog:write → 403, nothing written', async () => {
    const products = await count('catalog.products');
    const anon = await t.http.inject({ method: 'POST', url: '/v1/products', payload: body('delta', 'D-1') });
    expect(anon.statusCode).toBe(401);
    const reader = await t.http.inject({
      method: 'POST',
      url: '/v1/products',
      headers: asStaff('catalog:read'),
      payload: body('delta', 'D-1'),
    });
    expect(reader.statusCode).toBe(403);
    expect(await count('catalog.products')).toBe(products);
  });

  it('[REQ-CAT-004] PATCH with the current ETag applies; a stale If-Match → 412 catalog.stale_write and nothing changes', async () => {
    const created = (
      await t.http.inject({ method: 'POST', url: '/v1/products', headers: STAFF, payload: body('epsilon', 'E-1') })
    ).json();
    const ok = await t.http.inject({
      method: 'PATCH',
      url: `/v1/products/${created.id}`,
      headers: { ...STAFF, 'if-match': '"1"' },
      payload: { name: 'Renamed' },
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.headers.etag).toBe('"2"');
    expect(ok.json()).toMatchObject({ name: 'Renamed', version: 2, slug: 'epsilon', brand: 'Acme' });
    const stale = await t.http.inject({
      method: 'PATCH',
      url: `/v1/products/${created.id}`,
      headers: { ...STAFF, 'if-match': '"1"' },
      payload: { name: 'Lost update' },
    });
    expect(stale.statusCode).toBe(412);
    expect(stale.json().code).toBe('catalog.stale_write');
    const now = (
      await t.http.inject({ method: 'GET', url: `/v1/admin/products/${created.id}`, headers: STAFF })
    ).json();
    expect(now).toMatchObject({ name: 'Renamed', version: 2 });
    expect(await events('catalog.product.updated')).toBe(1);
    const missing = await t.http.inject({
      method: 'PATCH',
      url: '/v1/products/prod_missing',
      headers: STAFF,
      payload: { name: 'x' },
    });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().code).toBe('catalog.product_not_found');
  });

  it('[REQ-CAT-005] variants: add, change prices, duplicate SKU 409, delete; each bumps the version and appends an event', async () => {
    const created = (
      await t.http.inject({ method: 'POST', url: '/v1/products', headers: STAFF, payload: body('zeta', 'Z-1') })
    ).json();
    const added = await t.http.inject({
      method: 'POST',
      url: `/v1/products/${created.id}/variants`,
      headers: { ...STAFF, 'if-match': '"1"' },
      payload: { sku: 'Z-2', attributes: { color: 'white' }, prices: [{ currency: 'EUR', amount: 3999 }] },
    });
    expect(added.statusCode).toBe(201);
    const p = added.json();
    expect(p.version).toBe(2);
    expect(p.variants.map((v: { sku: string }) => v.sku)).toEqual(['Z-1', 'Z-2']);
    const v2 = p.variants[1].id;
    const dup = await t.http.inject({
      method: 'PATCH',
      url: `/v1/products/${created.id}/variants/${v2}`,
      headers: STAFF,
      payload: { sku: 'Z-1' },
    });
    expect(dup.statusCode).toBe(409);
    expect(dup.json()).toMatchObject({ code: 'catalog.duplicate_sku', field: 'sku' });
    const priced = await t.http.inject({
      method: 'PATCH',
      url: `/v1/products/${created.id}/variants/${v2}`,
      headers: { ...STAFF, 'if-match': '"2"' },
      payload: { prices: [{ currency: 'USD', amount: 4500 }] },
    });
    expect(priced.statusCode).toBe(200);
    expect(priced.json().variants[1].prices).toEqual([{ currency: 'USD', amount: 4500, compareAt: null }]);
    expect(priced.json().version).toBe(3);
    const del = await t.http.inject({
      method: 'DELETE',
      url: `/v1/products/${created.id}/variants/${v2}`,
      headers: STAFF,
    });
    expect(del.statusCode).toBe(200);
    expect(del.json().variants.map((v: { sku: string }) => v.sku)).toEqual(['Z-1']);
    const again = await t.http.inject({
      method: 'DELETE',
      url: `/v1/products/${created.id}/variants/${v2}`,
      headers: STAFF,
    });
    expect(again.statusCode).toBe(404);
    expect(again.json().code).toBe('catalog.variant_not_found');
    expect(await events('catalog.variant.created')).toBe(1);
    expect(await events('catalog.variant.updated')).toBe(1);
    expect(await events('catalog.variant.deleted')).toBe(1);
  });

  it('[REQ-CAT-006] DELETE archives: status archived, event appended', async () => {
    const created = (
      await t.http.inject({ method: 'POST', url: '/v1/products', headers: STAFF, payload: body('eta', 'H-1') })
    ).json();
    const res = await t.http.inject({ method: 'DELETE', url: `/v1/products/${created.id}`, headers: STAFF });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'archived', version: 2 });
    expect(await events('catalog.product.archived')).toBe(1);
  });

  it('[REQ-CAT-007] categories: a tree with unique slugs; unknown parent → 422', async () => {
    const root = await t.http.inject({
      method: 'POST',
      url: '/v1/categories',
      headers: STAFF,
      payload: { slug: 'audio', name: 'Audio' },
    });
    expect(root.statusCode).toBe(201);
    const child = await t.http.inject({
      method: 'POST',
      url: '/v1/categories',
      headers: STAFF,
      payload: { slug: 'headphones', name: 'Headphones', parentId: root.json().id },
    });
    expect(child.statusCode).toBe(201);
    expect(child.json()).toMatchObject({ slug: 'headphones', parentId: root.json().id });
    const dup = await t.http.inject({
      method: 'POST',
      url: '/v1/categories',
      headers: STAFF,
      payload: { slug: 'audio', name: 'x' },
    });
    expect(dup.statusCode).toBe(409);
    expect(dup.json()).toMatchObject({ code: 'catalog.duplicate_slug', field: 'slug' });
    const orphan = await t.http.inject({
      method: 'POST',
      url: '/v1/categories',
      headers: STAFF,
      payload: { slug: 'orphan', name: 'x', parentId: 'cat_nope' },
    });
    expect(orphan.statusCode).toBe(422);
    const list = await t.http.inject({ method: 'GET', url: '/v1/categories' });
    expect(list.json().items.map((c: { slug: string }) => c.slug)).toEqual(['audio', 'headphones']);
  });
});
