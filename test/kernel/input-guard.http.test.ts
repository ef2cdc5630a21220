// Regression tests for the defects the OpenAPI conformance fuzz found: each input once gave a 500 (or an
// undeclared status, or a non-problem body); now each is a declared 4xx problem and nothing is written.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { operationIdOf } from '../../src/platform/http/route-docs.ts';
import { createStaff, registerCustomer, type TestIdentity } from '../support/auth.ts';
import { createVariant, type TestVariant } from '../support/cart.ts';
import { createTestApp, type TestApp } from '../support/create-test-app.ts';

let t: TestApp;
let admin: TestIdentity;
let variant: TestVariant;
beforeAll(async () => {
  t = await createTestApp({ workers: false });
  admin = await createStaff(t, 'admin');
  variant = await createVariant(t, admin, { price: 1000 });
});
afterAll(async () => {
  await t?.close();
});

const count = async (table: string) =>
  Number((await sql<{ n: string }>`select count(*) as n from ${sql.raw(table)}`.execute(t.kernel.db.k)).rows[0]?.n);

const expectProblem = (res: { statusCode: number; headers: Record<string, unknown>; json: () => unknown }) => {
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  const body = res.json() as { status: number; code: string; errors?: { field: string }[] };
  expect(body.status).toBe(res.statusCode);
  return body;
};

describe('unusable input is a 400, not a 500 [REQ-KER-018]', () => {
  it('[REQ-KER-018] a NUL character in a JSON body string → 400 naming the field; no warehouse written', async () => {
    const before = await count('inventory.warehouses');
    const res = await t.http.inject({
      method: 'POST',
      url: '/v1/admin/warehouses',
      headers: admin.headers,
      payload: { name: 'a\u0000b', country: 'DE' },
    });
    expect(res.statusCode).toBe(400);
    const body = expectProblem(res);
    expect(body.code).toBe('request.validation_failed');
    expect(body.errors).toEqual([{ field: 'body/name', message: 'must not contain NUL characters' }]);
    expect(await count('inventory.warehouses')).toBe(before);
  });

  it('[REQ-KER-018] a NUL character in a path parameter or a query value → 400', async () => {
    const path = await t.http.inject({ method: 'GET', url: '/v1/carts/a%00b' });
    expect([path.statusCode, expectProblem(path).code]).toEqual([400, 'request.validation_failed']);
    expect(path.json().errors).toEqual([{ field: 'params/cartId', message: 'must not contain NUL characters' }]);
    const query = await t.http.inject({ method: 'GET', url: '/v1/products?category=a%00b' });
    expect([query.statusCode, expectProblem(query).code]).toEqual([400, 'request.validation_failed']);
  });

  it('[REQ-KER-018] a lone surrogate in a SKU → 400; the product keeps its one variant', async () => {
    const res = await t.http.inject({
      method: 'POST',
      url: `/v1/products/${variant.productId}/variants`,
      headers: admin.headers,
      payload: { sku: 'x\ud800y' },
    });
    expect([res.statusCode, expectProblem(res).code]).toEqual([400, 'request.validation_failed']);
    expect(res.json().errors).toEqual([{ field: 'body/sku', message: 'must be well-formed Unicode' }]);
    const product = await t.http.inject({
      method: 'GET',
      url: `/v1/admin/products/${variant.productId}`,
      headers: admin.headers,
    });
    expect(product.json().variants).toHaveLength(1);
  });

  it('[REQ-KER-018] ?limit=1e400 (Infinity after coercion) → 400, where it reached SQL before', async () => {
    for (const url of [
      '/v1/search/suggest?q=head&limit=1e400',
      '/v1/admin/users?limit=1e400',
      '/v1/search?limit=-1e400',
    ]) {
      const res = await t.http.inject({ method: 'GET', url, headers: admin.headers });
      expect([url, res.statusCode, expectProblem(res).code]).toEqual([url, 400, 'request.validation_failed']);
    }
  });

  it('[REQ-KER-018] integers past the integer column → 400; nothing written', async () => {
    const campaigns = await count('pricing.campaigns');
    const campaign = await t.http.inject({
      method: 'POST',
      url: '/v1/admin/campaigns',
      headers: admin.headers,
      payload: { name: 'Too big', usageLimit: 2 ** 31 },
    });
    expect([campaign.statusCode, expectProblem(campaign).code]).toEqual([400, 'request.validation_failed']);
    expect(await count('pricing.campaigns')).toBe(campaigns);

    const variants = await count('catalog.variants');
    for (const payload of [
      { sku: 'HEAVY-1', weightGrams: 2 ** 31 },
      { sku: 'BIG-1', dimensions: { lengthMm: 2 ** 31, widthMm: 1, heightMm: 1 } },
    ]) {
      const res = await t.http.inject({
        method: 'POST',
        url: `/v1/products/${variant.productId}/variants`,
        headers: admin.headers,
        payload,
      });
      expect([payload.sku, res.statusCode, expectProblem(res).code]).toEqual([
        payload.sku,
        400,
        'request.validation_failed',
      ]);
    }
    expect(await count('catalog.variants')).toBe(variants);
  });
});

describe('JSON bodies are not type-coerced [REQ-KER-018]', () => {
  it('[REQ-KER-018] a number, an array or a boolean where the schema wants a string → 400; no address written', async () => {
    const customer = await registerCustomer(t);
    const address = { name: 'Ada', line1: 'L1', city: 'Berlin', postalCode: '10115', country: 'DE' };
    for (const bad of [{ name: 12345 }, { city: ['Berlin'] }, { postalCode: 10115 }, { line2: true }]) {
      const res = await t.http.inject({
        method: 'POST',
        url: '/v1/me/addresses',
        headers: customer.headers,
        payload: { ...address, ...bad },
      });
      expect([bad, res.statusCode, expectProblem(res).code]).toEqual([bad, 400, 'request.validation_failed']);
    }
    const list = await t.http.inject({ method: 'GET', url: '/v1/me/addresses', headers: customer.headers });
    expect(list.json().items).toEqual([]);
  });

  it('[REQ-KER-018] query strings and path parameters are still coerced (?limit=2 is the integer 2)', async () => {
    const res = await t.http.inject({ method: 'GET', url: '/v1/products?limit=2' });
    expect([res.statusCode, res.json().limit]).toEqual([200, 2]);
  });
});

describe('router errors are problems [REQ-KER-018]', () => {
  it('[REQ-KER-018] an undecodable URL → 400 request.invalid_url; a too long path parameter → 414 request.uri_too_long', async () => {
    const bad = await t.http.inject({ method: 'GET', url: '/v1/carts/%E0%A4%A' });
    expect([bad.statusCode, expectProblem(bad).code]).toEqual([400, 'request.invalid_url']);
    const long = await t.http.inject({ method: 'GET', url: `/v1/carts/${'x'.repeat(300)}` });
    expect([long.statusCode, expectProblem(long).code]).toEqual([414, 'request.uri_too_long']);
  });
});

describe('what the platform answers is declared [REQ-KER-018]', () => {
  it('[REQ-KER-018] operationIds come from method and path', () => {
    expect(operationIdOf('GET', '/v1/carts/:cartId/shipping-options')).toBe('getCartsByCartIdShippingOptions');
    expect(operationIdOf('GET', '/.well-known/jwks.json')).toBe('getWellKnownJwksJson');
    expect(operationIdOf('DELETE', '/v1/admin/api-keys/:id')).toBe('deleteAdminApiKeysById');
  });

  it('[REQ-KER-018] access rules and path parameters declare 401, 403, 404 and 414', async () => {
    const doc = (await t.http.inject({ method: 'GET', url: '/openapi.json' })).json();
    const statuses = (path: string, method: string) => Object.keys(doc.paths[path][method].responses);
    expect(statuses('/v1/products', 'post')).toEqual(expect.arrayContaining(['401', '403']));
    expect(statuses('/v1/products', 'get')).not.toContain('401');
    expect(doc.paths['/v1/products'].post.security).toEqual([
      { staffBearer: ['catalog:write'] },
      { apiKey: ['catalog:write'] },
    ]);
    expect(doc.paths['/v1/products'].get.security).toEqual([]);
    expect(statuses('/v1/me', 'get')).toContain('401');
    expect(statuses('/v1/admin/inventory/{variantId}', 'get')).toEqual(expect.arrayContaining(['404', '414']));
    expect(doc.paths['/v1/admin/imports/{id}'].get.operationId).toBe('getAdminImportsById');
  });
});
