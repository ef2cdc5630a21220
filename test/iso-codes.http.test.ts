// Every input that takes a currency or a country refuses codes that are not assigned (src/platform/iso-codes.ts):
// 400 request.validation_failed with the field's pointer, and nothing written. One app, one route of each kind.
import type { LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStaff, registerCustomer, type TestIdentity } from './support/auth.ts';
import { address, createVariant, type TestVariant } from './support/cart.ts';
import { createTestApp, type TestApp } from './support/create-test-app.ts';
import { graphql } from './support/graphql.ts';

let t: TestApp;
let staff: TestIdentity;
let tee: TestVariant;

beforeAll(async () => {
  t = await createTestApp();
  staff = await createStaff(t, 'admin');
  tee = await createVariant(t, staff, { price: 2000 });
}, 60_000);
afterAll(async () => {
  await t?.close();
});

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH';
const call = (method: Method, url: string, payload?: unknown, headers: Record<string, string> = {}) =>
  t.http.inject({ method, url, headers, ...(payload !== undefined ? { payload: payload as object } : {}) });
const admin = (method: Method, url: string, payload?: unknown) => call(method, url, payload, staff.headers);

const rows = async (table: string, where = sql`true`) =>
  Number(
    (await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)} where ${where}`.execute(t.kernel.db.k))
      .rows[0]?.n,
  );

/** 400 request.validation_failed naming `field` among its errors. */
function refused(res: LightMyRequestResponse, field: string) {
  expect(res.statusCode, res.body).toBe(400);
  const body = res.json() as { code: string; errors: { field: string }[] };
  expect(body.code).toBe('request.validation_failed');
  expect(body.errors.map((e) => e.field)).toContain(field);
}

describe('unassigned currency and country codes are refused [REQ-KER-032]', () => {
  it('[REQ-CRT-001] [REQ-KER-032] POST /v1/carts: ZZZ, withdrawn HRK, ZZ, reserved UK and lower case → 400, no cart', async () => {
    const before = await rows('cart.carts');
    refused(await call('POST', '/v1/carts', { currency: 'ZZZ', country: 'DE' }), 'body/currency');
    refused(await call('POST', '/v1/carts', { currency: 'HRK' }), 'body/currency');
    refused(await call('POST', '/v1/carts', { currency: 'EUR', country: 'ZZ' }), 'body/country');
    refused(await call('POST', '/v1/carts', { country: 'UK' }), 'body/country');
    refused(await call('POST', '/v1/carts', { currency: 'eur' }), 'body/currency');
    refused(await call('POST', '/v1/carts', { country: 'de' }), 'body/country');
    expect(await rows('cart.carts')).toBe(before);
    // Assigned codes pass, 0-decimal currencies and small territories included.
    const ok = await call('POST', '/v1/carts', { currency: 'JPY', country: 'AX' });
    expect([ok.statusCode, ok.json().currency, ok.json().country]).toEqual([201, 'JPY', 'AX']);
    expect(await rows('cart.carts')).toBe(before + 1);
  });

  it('[REQ-PRC-010] [REQ-KER-032] PATCH /v1/carts/{id}: a shipping or billing address in ZZ → 400, the cart unchanged', async () => {
    const cart = (await call('POST', '/v1/carts', { currency: 'EUR', country: 'DE' })).json() as {
      id: string;
      token: string;
    };
    const h = { 'x-cart-token': cart.token };
    const read = async () => (await call('GET', `/v1/carts/${cart.id}`, undefined, h)).json();
    const before = await read();
    const patch = (payload: object) => call('PATCH', `/v1/carts/${cart.id}`, payload, h);
    refused(await patch({ shippingAddress: address('ZZ') }), 'body/shippingAddress/country');
    refused(await patch({ billingAddress: address('ZZ'), email: 'a@example.com' }), 'body/billingAddress/country');
    refused(await patch({ shippingAddress: address('nl') }), 'body/shippingAddress/country');
    expect(await read()).toEqual(before);
    expect(before.version).toBe(1);
  });

  it('[REQ-IDN-010] [REQ-KER-032] address book: ZZ or zz → 400 and nothing stored; de is still taken as DE', async () => {
    const customer = await registerCustomer(t);
    const me = (method: Method, url: string, payload?: unknown) => call(method, url, payload, customer.headers);
    const mine = sql`user_id = ${customer.userId}`;
    refused(await me('POST', '/v1/me/addresses', address('ZZ')), 'body/country');
    refused(await me('POST', '/v1/me/addresses', address('zz')), 'body/country');
    expect(await rows('identity.addresses', mine)).toBe(0);
    const created = await me('POST', '/v1/me/addresses', address('de'));
    expect([created.statusCode, created.json().country]).toEqual([201, 'DE']);
    const id = created.json().id as string;
    refused(await me('PATCH', `/v1/me/addresses/${id}`, { country: 'ZZ' }), 'body/country');
    expect((await me('GET', '/v1/me/addresses')).json().items).toEqual([created.json()]);
    expect(await rows('identity.addresses', mine)).toBe(1);
  });

  it('[REQ-CAT-002] [REQ-KER-032] product and variant prices in ZZZ → 400 with the price pointer, nothing written', async () => {
    const before = [await rows('catalog.products'), await rows('catalog.variants'), await rows('catalog.prices')];
    const outbox = await rows('platform.outbox');
    const variant = {
      sku: 'ISO-ZZZ-1',
      prices: [
        { currency: 'EUR', amount: 100 },
        { currency: 'ZZZ', amount: 100 },
      ],
    };
    const product = { slug: 'iso-zzz', name: 'ZZZ', status: 'published', variants: [variant] };
    refused(await admin('POST', '/v1/products', product), 'body/variants/0/prices/1/currency');
    refused(
      await admin('POST', `/v1/products/${tee.productId}/variants`, { ...variant, sku: 'ISO-ZZZ-2' }),
      'body/prices/1/currency',
    );
    refused(
      await admin('PATCH', `/v1/products/${tee.productId}/variants/${tee.variantId}`, {
        prices: [{ currency: 'usd', amount: 100 }],
      }),
      'body/prices/0/currency',
    );
    expect([await rows('catalog.products'), await rows('catalog.variants'), await rows('catalog.prices')]).toEqual(
      before,
    );
    expect(await rows('platform.outbox')).toBe(outbox);
  });

  it('[REQ-CAT-010] [REQ-CAT-013] [REQ-SRC-006] [REQ-KER-032] ?currency=ZZZ on catalog and search reads → 400', async () => {
    refused(await call('GET', '/v1/products?currency=ZZZ'), 'querystring/currency');
    refused(await call('GET', '/v1/products?currency=usd'), 'querystring/currency');
    refused(await call('GET', `/v1/products/${tee.productId}?currency=ZZZ`), 'querystring/currency');
    refused(await call('GET', '/v1/search?q=tee&currency=ZZZ'), 'querystring/currency');
    expect((await call('GET', `/v1/products/${tee.productId}?currency=EUR`)).statusCode).toBe(200);
  });

  it('[REQ-PRC-006] [REQ-PRC-020] [REQ-KER-032] promotions, tax rates and shipping methods refuse ZZZ and ZZ; nothing stored', async () => {
    const tables = ['pricing.promotions', 'pricing.tax_rates', 'pricing.shipping_methods'];
    const counts = () => Promise.all(tables.map((name) => rows(name)));
    const before = await counts();
    const fixed = { name: 'Ten off', kind: 'fixed', value: 1000, automatic: true };
    refused(await admin('POST', '/v1/admin/promotions', { ...fixed, currency: 'ZZZ' }), 'body/currency');
    refused(await admin('PUT', '/v1/admin/tax-rates', { country: 'ZZ', rateBp: 1000 }), 'body/country');
    refused(await admin('PUT', '/v1/admin/tax-rates', { country: 'de', rateBp: 1000 }), 'body/country');
    const method = { name: 'Courier', countries: ['DE', 'ZZ'], currency: 'EUR', kind: 'flat', price: 500 };
    refused(await admin('POST', '/v1/admin/shipping-methods', method), 'body/countries/1');
    refused(
      await admin('POST', '/v1/admin/shipping-methods', { ...method, countries: ['DE'], currency: 'ZZZ' }),
      'body/currency',
    );
    expect(await counts()).toEqual(before);
    // Changes of existing ones too.
    const promo = await admin('POST', '/v1/admin/promotions', { ...fixed, currency: 'EUR' });
    const ship = await admin('POST', '/v1/admin/shipping-methods', { ...method, countries: ['DE'] });
    expect([promo.statusCode, ship.statusCode]).toEqual([201, 201]);
    refused(await admin('PATCH', `/v1/admin/promotions/${promo.json().id}`, { currency: 'ZZZ' }), 'body/currency');
    refused(
      await admin('PATCH', `/v1/admin/shipping-methods/${ship.json().id}`, { countries: ['ZZ'] }),
      'body/countries/0',
    );
    expect((await admin('GET', `/v1/admin/promotions/${promo.json().id}`)).json().currency).toBe('EUR');
    const methods = (await admin('GET', '/v1/admin/shipping-methods')).json().items as { id: string }[];
    expect(methods.find((m) => m.id === ship.json().id)).toMatchObject({ countries: ['DE'], currency: 'EUR' });
  });

  it('[REQ-INV-001] [REQ-KER-032] POST /v1/admin/warehouses in ZZ → 400, no warehouse', async () => {
    const before = await rows('inventory.warehouses');
    refused(await admin('POST', '/v1/admin/warehouses', { name: 'Nowhere', country: 'ZZ' }), 'body/country');
    expect(await rows('inventory.warehouses')).toBe(before);
  });

  it('[REQ-GQL-009] [REQ-KER-032] GraphQL createCart, updateCart, products, product and search refuse ZZZ and ZZ', async () => {
    const before = await rows('cart.carts');
    const fieldsOf = (answer: Awaited<ReturnType<typeof graphql>>) => {
      expect(answer.body.errors?.[0]?.extensions.code).toBe('request.validation_failed');
      return ((answer.body.errors?.[0]?.extensions.errors ?? []) as { field: string }[]).map((e) => e.field);
    };
    const create = await graphql(t, 'mutation { createCart(currency: "ZZZ", country: "ZZ") { id } }');
    expect(create.body.data).toEqual({ createCart: null });
    expect(fieldsOf(create)).toEqual(['args/currency', 'args/country']);
    expect(fieldsOf(await graphql(t, 'mutation { createCart(currency: "eur") { id } }'))).toEqual(['args/currency']);
    expect(await rows('cart.carts')).toBe(before);

    const cart = (await call('POST', '/v1/carts', { currency: 'EUR' })).json() as { id: string; token: string };
    const h = { 'x-cart-token': cart.token };
    const update = await graphql(
      t,
      `mutation($a: AddressInput) { updateCart(cartId: "${cart.id}", shippingAddress: $a) { id } }`,
      { a: address('ZZ') },
      h,
    );
    expect(fieldsOf(update)).toEqual(['args/shippingAddress/country']);
    expect((await call('GET', `/v1/carts/${cart.id}`, undefined, h)).json()).toMatchObject({
      shippingAddress: null,
      version: 1,
    });

    expect(fieldsOf(await graphql(t, '{ products(currency: "ZZZ") { total } }'))).toEqual(['args/currency']);
    expect(fieldsOf(await graphql(t, `{ product(idOrSlug: "${tee.productId}", currency: "ZZZ") { id } }`))).toEqual([
      'args/currency',
    ]);
    expect(fieldsOf(await graphql(t, '{ search(q: "tee", currency: "ZZZ") { total } }'))).toEqual(['args/currency']);
  });

  it('[REQ-KER-032] /openapi.json: a plain string with the pattern and the format, no enum', async () => {
    const doc = (await call('GET', '/openapi.json')).json();
    const text = JSON.stringify(doc);
    expect(text).not.toContain('"enum":["AED"');
    const body = doc.paths['/v1/carts'].post.requestBody.content['application/json'].schema;
    const schema = body.$ref ? doc.components.schemas[body.$ref.split('/').at(-1)] : body;
    expect(schema.properties.currency).toMatchObject({ type: 'string', format: 'iso-4217', pattern: '^[A-Z]{3}$' });
    expect(schema.properties.currency.description).toContain('ISO 4217');
    expect(schema.properties.country).toMatchObject({
      type: 'string',
      format: 'iso-3166-1-alpha-2',
      pattern: '^[A-Z]{2}$',
    });
    expect(schema.properties.country.description).toContain('ISO 3166-1 alpha-2');
  });
});
