// Carts over GraphQL: the same service, totals and access rules as /v1/carts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStaff, registerCustomer, type TestIdentity } from '../../../test/support/auth.ts';
import { createVariant, type TestVariant } from '../../../test/support/cart.ts';
import { createTestApp, type TestApp } from '../../../test/support/create-test-app.ts';
import { graphql } from '../../../test/support/graphql.ts';
import { statementsOf } from '../../../test/support/query-cost.ts';

let t: TestApp;
let staff: TestIdentity;
let tee: TestVariant;
let bag: TestVariant;
const extra: TestVariant[] = [];

const MONEY = '{ amount currency }';
const ADDRESS = '{ name line1 line2 city region postalCode country phone }';
/** Every field of the REST cart body, in GraphQL. */
const CART = `{ id token status userId currency country email shippingAddress ${ADDRESS} billingAddress ${ADDRESS}
  shippingMethod { id name price ${MONEY} } couponCodes
  items { id variantId productId name sku quantity unitPrice ${MONEY} lineTotal ${MONEY} discount ${MONEY}
    tax ${MONEY} currentUnitPrice ${MONEY} priceChanged }
  totals { subtotal ${MONEY} discount ${MONEY} shipping ${MONEY} tax ${MONEY} total ${MONEY} taxIncluded ${MONEY} }
  pricesIncludeTax promotions { promotionId name code amount ${MONEY} } rejectedCoupons { code reason } version }`;
const NL = {
  name: 'Ada Lovelace',
  line1: 'Keizersgracht 1',
  line2: '2nd floor',
  city: 'Amsterdam',
  region: 'NH',
  postalCode: '1015',
  country: 'NL',
  phone: '+31 20 000 0000',
};

const guest = (token?: string): Record<string, string> => (token ? { 'x-cart-token': token } : {});
const gql = (query: string, variables?: Record<string, unknown>, headers: Record<string, string> = {}) =>
  graphql(t, query, variables, headers);
const restCart = async (id: string, headers: Record<string, string>) =>
  (await t.http.inject({ method: 'GET', url: `/v1/carts/${id}`, headers })).json();
const newCart = async (headers: Record<string, string> = {}) =>
  (await gql(`mutation { createCart(currency: "EUR", country: "DE") ${CART} }`, undefined, headers)).body.data
    .createCart;

beforeAll(async () => {
  // Pricing reference data stays cached for the whole file, so statement counts never include a refresh.
  t = await createTestApp({ workers: false, env: { PRICING_CACHE_MS: '60000' } });
  staff = await createStaff(t, 'admin');
  tee = await createVariant(t, staff, { price: 2000, weightGrams: 300 });
  bag = await createVariant(t, staff, { price: 4000, weightGrams: 100 });
  for (let i = 0; i < 4; i++) extra.push(await createVariant(t, staff, { price: 100 + i }));
}, 60_000);
afterAll(async () => {
  await t?.close();
});

describe('cart over GraphQL', () => {
  it('[REQ-GQL-006] create → add → change → remove → address and shipping → read: exact totals, equal to REST', async () => {
    const cart = await newCart();
    expect(cart).toMatchObject({ status: 'active', currency: 'EUR', country: 'DE', items: [], version: 1 });
    expect(cart.token.length).toBeGreaterThanOrEqual(40);
    const h = guest(cart.token);
    const add = `mutation($cartId: ID!, $variantId: ID!, $quantity: Int!) {
      addCartItem(cartId: $cartId, variantId: $variantId, quantity: $quantity) ${CART} }`;
    let c = (await gql(add, { cartId: cart.id, variantId: tee.variantId, quantity: 2 }, h)).body.data.addCartItem;
    c = (await gql(add, { cartId: cart.id, variantId: bag.variantId, quantity: 1 }, h)).body.data.addCartItem;
    const teeLine = c.items.find((i: { variantId: string }) => i.variantId === tee.variantId);
    const bagLine = c.items.find((i: { variantId: string }) => i.variantId === bag.variantId);
    c = (
      await gql(
        `mutation { updateCartItem(cartId: "${cart.id}", itemId: "${teeLine.id}", quantity: 3) ${CART} }`,
        undefined,
        h,
      )
    ).body.data.updateCartItem;
    expect(c.totals.subtotal).toEqual({ amount: 10000, currency: 'EUR' });
    c = (await gql(`mutation { removeCartItem(cartId: "${cart.id}", itemId: "${bagLine.id}") ${CART} }`, undefined, h))
      .body.data.removeCartItem;
    expect(c.items.map((i: { sku: string; quantity: number }) => [i.sku, i.quantity])).toEqual([[tee.sku, 3]]);

    const options = (await gql(`{ cart(id: "${cart.id}") { shippingOptions { id name price ${MONEY} } } }`, {}, h)).body
      .data.cart.shippingOptions;
    const restOptions = (
      await t.http.inject({ method: 'GET', url: `/v1/carts/${cart.id}/shipping-options`, headers: h })
    ).json().items;
    expect(options).toEqual(restOptions);
    const update = await gql(
      `mutation($id: ID!, $a: AddressInput, $m: String) {
        updateCart(cartId: $id, email: "ada@example.com", shippingAddress: $a, shippingMethodId: $m) ${CART} }`,
      { id: cart.id, a: NL },
      h,
    );
    expect(update.body.errors).toBeUndefined();
    const nlOptions = (await gql(`{ cart(id: "${cart.id}") { shippingOptions { id price ${MONEY} } } }`, {}, h)).body
      .data.cart.shippingOptions;
    const method = nlOptions.find((o: { id: string }) => o.id === 'shm_eu_express');
    expect(method.price).toEqual({ amount: 1195, currency: 'EUR' });
    c = (await gql(`mutation { updateCart(cartId: "${cart.id}", shippingMethodId: "${method.id}") ${CART} }`, {}, h))
      .body.data.updateCart;

    const read = await gql(`{ cart(id: "${cart.id}") ${CART} }`, undefined, h);
    expect(read.status).toBe(200);
    const mine = read.body.data.cart;
    expect(mine).toEqual(c);
    expect(mine).toEqual(await restCart(cart.id, h));
    expect(mine.email).toBe('ada@example.com');
    expect(mine.shippingAddress).toEqual(NL);
    expect(mine.shippingMethod.id).toBe(method.id);
    // 3 × 20.00 EUR, express shipping 11.95, NL VAT 21% on the goods (REQ-PRC-010): 60.00 + 11.95 + 12.60.
    expect(mine.totals).toEqual({
      subtotal: { amount: 6000, currency: 'EUR' },
      discount: { amount: 0, currency: 'EUR' },
      shipping: { amount: 1195, currency: 'EUR' },
      tax: { amount: 1260, currency: 'EUR' },
      total: { amount: 8455, currency: 'EUR' },
      taxIncluded: { amount: 0, currency: 'EUR' },
    });
    expect(mine.version).toBe(7); // created, 2 adds, 1 change, 1 removal, 2 updates
  });

  it("[REQ-GQL-006] no token, a wrong token or another customer's Bearer → cart: null with cart.not_found, nothing changed", async () => {
    const owner = await registerCustomer(t);
    const other = await registerCustomer(t);
    const guestCart = await newCart();
    const customerCart = await newCart(owner.headers);
    expect(customerCart.userId).toBe(owner.userId);
    // The owner's Bearer works without any cart token.
    expect((await gql(`{ cart(id: "${customerCart.id}") { id userId } }`, {}, owner.headers)).body.data.cart).toEqual({
      id: customerCart.id,
      userId: owner.userId,
    });
    const attempts: [string, Record<string, string>][] = [
      [guestCart.id, {}],
      [guestCart.id, guest('x'.repeat(43))],
      [guestCart.id, other.headers],
      [customerCart.id, {}],
      [customerCart.id, other.headers],
      [customerCart.id, guest(guestCart.token)],
    ];
    for (const [id, headers] of attempts) {
      const read = await gql(`{ cart(id: "${id}") { id token items { id } } }`, {}, headers);
      expect(read.status).toBe(200);
      expect(read.body.data).toEqual({ cart: null });
      expect(read.body.errors?.map((e) => [e.message, e.path, e.extensions.code, e.extensions.status])).toEqual([
        ['No such cart, or it is not yours.', ['cart'], 'cart.not_found', 404],
      ]);
      const write = await gql(
        `mutation { addCartItem(cartId: "${id}", variantId: "${tee.variantId}", quantity: 1) { id token } }`,
        {},
        headers,
      );
      expect(write.body.data).toEqual({ addCartItem: null });
      expect(write.body.errors?.[0]?.extensions.code).toBe('cart.not_found');
    }
    expect((await restCart(guestCart.id, guest(guestCart.token))).items).toEqual([]);
    expect((await restCart(customerCart.id, owner.headers)).items).toEqual([]);
  });

  it('[REQ-CRT-016] createCart for a signed-in customer applies the currency and country to their active cart as POST /v1/carts does; a cart with lines refuses another currency, nothing written; an invalid Bearer → 401', async () => {
    const me = await registerCustomer(t);
    const create = (args: string, headers: Record<string, string> = me.headers) =>
      gql(`mutation { createCart(${args}) { id currency country version } }`, undefined, headers);
    const first = (await create('currency: "EUR", country: "DE"')).body.data.createCart;
    const moved = await create('currency: "USD", country: "US"');
    expect(moved.body.data.createCart).toEqual({ id: first.id, currency: 'USD', country: 'US', version: 2 });
    await gql(
      `mutation { addCartItem(cartId: "${first.id}", variantId: "${tee.variantId}", quantity: 1) { id } }`,
      undefined,
      me.headers,
    );
    const before = await restCart(first.id, me.headers);
    expect([before.currency, before.items]).toEqual(['USD', []]); // tee has no USD price: nothing was added
    const eur = await create('currency: "EUR"');
    expect(eur.body.data.createCart).toMatchObject({ id: first.id, currency: 'EUR', version: 3 });
    await gql(
      `mutation { addCartItem(cartId: "${first.id}", variantId: "${tee.variantId}", quantity: 1) { id } }`,
      undefined,
      me.headers,
    );
    const withLine = await restCart(first.id, me.headers);
    const refused = await create('currency: "USD"');
    expect(refused.body.data.createCart).toBeNull();
    expect(refused.body.errors?.[0]?.extensions).toMatchObject({ code: 'cart.currency_mismatch', status: 409 });
    expect(await restCart(first.id, me.headers)).toEqual(withLine);
    const forged = await create('currency: "EUR"', { authorization: 'Bearer eyJhbGciOiJFZERTQSJ9.e30.AAAA' });
    expect([forged.status, forged.body.errors?.[0]?.extensions.code]).toEqual([401, 'auth.unauthorized']);
  });

  it('[REQ-GQL-009] bad input is refused with the REST schemas (400 request.validation_failed), nothing changed', async () => {
    const cart = await newCart();
    const h = guest(cart.token);
    await gql(
      `mutation { addCartItem(cartId: "${cart.id}", variantId: "${tee.variantId}", quantity: 1) { id } }`,
      {},
      h,
    );
    const before = await restCart(cart.id, h);
    const negative = await gql(
      `mutation { addCartItem(cartId: "${cart.id}", variantId: "${tee.variantId}", quantity: -1) { id } }`,
      {},
      h,
    );
    expect(negative.status).toBe(200);
    expect(negative.body).toEqual({
      data: { addCartItem: null },
      errors: [
        {
          message: 'args/quantity must be >= 1',
          locations: [{ line: 1, column: 12 }],
          path: ['addCartItem'],
          extensions: {
            code: 'request.validation_failed',
            status: 400,
            errors: [{ field: 'args/quantity', message: 'must be >= 1' }],
            traceId: expect.any(String),
          },
        },
      ],
    });
    const line = before.items[0].id;
    const tooMany = await gql(
      `mutation { updateCartItem(cartId: "${cart.id}", itemId: "${line}", quantity: 1000) { id } }`,
      {},
      h,
    );
    expect(tooMany.body.errors?.[0]?.extensions.errors).toEqual([
      { field: 'args/quantity', message: 'must be <= 999' },
    ]);
    const badPatch = await gql(
      `mutation($a: AddressInput) { updateCart(cartId: "${cart.id}", email: "not-an-email", shippingAddress: $a) { id } }`,
      { a: { ...NL, country: 'Netherlands' } },
      h,
    );
    expect(badPatch.body.errors?.[0]?.extensions.errors).toEqual([
      { field: 'args/email', message: 'must match format "email"' },
      { field: 'args/shippingAddress/country', message: 'must NOT have more than 2 characters' },
    ]);
    const wrongType = await gql(`mutation { addCartItem(cartId: "${cart.id}", variantId: "v", quantity: "2") { id } }`);
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.data).toBeNull();
    expect(wrongType.body.errors?.[0]?.extensions.code).toBe('graphql.invalid_query');
    expect(await restCart(cart.id, h)).toEqual(before);
  });

  it('[REQ-GQL-010] a retried mutation with the same Idempotency-Key adds once and answers the same', async () => {
    const cart = await newCart();
    const headers = { ...guest(cart.token), 'idempotency-key': 'gql-add-1' };
    const add = `mutation { addCartItem(cartId: "${cart.id}", variantId: "${tee.variantId}", quantity: 2) { items { quantity } version } }`;
    const first = await gql(add, undefined, headers);
    const again = await gql(add, undefined, headers);
    expect(first.body.data.addCartItem.items).toEqual([{ quantity: 2 }]);
    expect(again.body).toEqual(first.body);
    expect((await restCart(cart.id, guest(cart.token))).items.map((i: { quantity: number }) => i.quantity)).toEqual([
      2,
    ]);
    // The same key with another request is refused, and nothing changes.
    const other = await gql(add.replace('quantity: 2', 'quantity: 3'), undefined, headers);
    expect(other.status).toBe(422);
    expect((await restCart(cart.id, guest(cart.token))).items.map((i: { quantity: number }) => i.quantity)).toEqual([
      2,
    ]);
    // Without a key each request runs.
    await gql(add, undefined, guest(cart.token));
    expect((await restCart(cart.id, guest(cart.token))).items.map((i: { quantity: number }) => i.quantity)).toEqual([
      4,
    ]);
  });

  it("[REQ-GQL-007] the lines' products load in one batch: 1 line and 5 lines cost the same statements", async () => {
    const small = await newCart();
    const big = await newCart();
    const add = (c: { id: string; token: string }, v: TestVariant) =>
      gql(
        `mutation { addCartItem(cartId: "${c.id}", variantId: "${v.variantId}", quantity: 1) { id } }`,
        {},
        guest(c.token),
      );
    await add(small, tee);
    for (const v of [tee, ...extra]) await add(big, v);
    const cost = (c: { id: string; token: string }, lines: number) =>
      statementsOf(
        async () => {
          const { body } = await gql(
            `{ cart(id: "${c.id}") { totals { total ${MONEY} } items { sku product { id variants { sku inStock } } } } }`,
            {},
            guest(c.token),
          );
          expect(body.data.cart.items).toHaveLength(lines);
          for (const item of body.data.cart.items) expect(item.product.variants[0].sku).toBe(item.sku);
        },
        { warm: true },
      );
    const one = await cost(small, 1);
    expect(await cost(big, 5)).toBe(one);
  });
});
