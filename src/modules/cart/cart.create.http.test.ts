// POST /v1/carts: 201 for a new cart, 200 for the signed-in customer's active cart with the currency and country sent
// applied (or refused with nothing written), and the optional Bearer token (none, valid, invalid or revoked).
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStaff, registerCustomer, type TestIdentity } from '../../../test/support/auth.ts';
import { createVariant, type TestVariant } from '../../../test/support/cart.ts';
import { createTestApp, type TestApp } from '../../../test/support/create-test-app.ts';

let t: TestApp;
let staff: TestIdentity;
let shirt: TestVariant;

interface Cart {
  id: string;
  token: string;
  userId: string | null;
  currency: string;
  country: string | null;
  version: number;
  items: { variantId: string; quantity: number; unitPrice: { amount: number; currency: string } }[];
  totals: { tax: { amount: number; currency: string } };
}

beforeAll(async () => {
  t = await createTestApp();
  staff = await createStaff(t, 'admin');
  shirt = await createVariant(t, staff, { price: 2500, usd: 2700 });
}, 60_000);
afterAll(async () => {
  await t?.close();
});

const create = (payload: Record<string, unknown>, headers: Record<string, string> = {}) =>
  t.http.inject({ method: 'POST', url: '/v1/carts', payload, headers });
const add = (c: Cart, headers: Record<string, string>) =>
  t.http.inject({
    method: 'POST',
    url: `/v1/carts/${c.id}/items`,
    headers,
    payload: { variantId: shirt.variantId, quantity: 1 },
  });
/** Everything a refused create must leave as it was: the customer's carts, each as stored, and their lines. */
const stored = async (userId: string) =>
  (
    await sql<Record<string, unknown>>`select c.id, c.status, c.currency, c.country, c.version, c.updated_at,
        (select count(*) from cart.items i where i.cart_id = c.id)::int as lines
      from cart.carts c where c.user_id = ${userId} order by c.id`.execute(t.kernel.db.k)
  ).rows;

describe('creating a cart', () => {
  it('[REQ-CRT-001] a guest gets a new cart every time: 201 with Location and X-Cart-Token', async () => {
    const a = await create({ currency: 'EUR', country: 'DE' });
    const b = await create({ currency: 'EUR', country: 'DE' });
    for (const res of [a, b]) {
      const cart = res.json() as Cart;
      expect(res.statusCode).toBe(201);
      expect(res.headers.location).toBe(`/v1/carts/${cart.id}`);
      expect(res.headers['x-cart-token']).toBe(cart.token);
      expect([cart.userId, cart.currency, cart.country, cart.version]).toEqual([null, 'EUR', 'DE', 1]);
    }
    expect(a.json().id).not.toBe(b.json().id);
  });

  it("[REQ-CRT-005] a customer's first create is 201; the next ones answer the same active cart with 200, with its lines", async () => {
    const me = await registerCustomer(t);
    const first = await create({ currency: 'EUR', country: 'DE' }, me.headers);
    expect(first.statusCode).toBe(201);
    const cart = first.json() as Cart;
    expect([first.headers.location, cart.userId]).toEqual([`/v1/carts/${cart.id}`, me.userId]);
    expect((await add(cart, me.headers)).statusCode).toBe(200);
    const again = await create({}, me.headers);
    const body = again.json() as Cart;
    expect([again.statusCode, again.headers.location, body.id, body.version]).toEqual([200, undefined, cart.id, 2]);
    expect(body.items.map((i) => [i.variantId, i.quantity])).toEqual([[shirt.variantId, 1]]);
    expect((await stored(me.userId)).length).toBe(1);
  });

  it('[REQ-CRT-016] an active cart without lines takes the currency and country sent: one write, version bumped; the same again writes nothing', async () => {
    const me = await registerCustomer(t);
    const cart = (await create({ currency: 'EUR', country: 'DE' }, me.headers)).json() as Cart;
    const switched = await create({ currency: 'USD', country: 'US' }, me.headers);
    const body = switched.json() as Cart;
    expect([switched.statusCode, body.id, body.currency, body.country, body.version]).toEqual([
      200,
      cart.id,
      'USD',
      'US',
      2,
    ]);
    const before = await stored(me.userId);
    const same = await create({ currency: 'USD', country: 'US' }, me.headers);
    const omitted = await create({}, me.headers);
    expect([same.statusCode, omitted.statusCode]).toEqual([200, 200]);
    expect([same.json().version, omitted.json().currency]).toEqual([2, 'USD']);
    expect(await stored(me.userId)).toEqual(before);
    // The line added next is priced in the cart's new currency.
    const added = (await add(cart, me.headers)).json() as Cart;
    expect(added.items[0]?.unitPrice).toEqual({ amount: 2700, currency: 'USD' });
  });

  it('[REQ-CRT-016] a cart with lines refuses another currency with 409 cart.currency_mismatch and nothing is written', async () => {
    const me = await registerCustomer(t);
    const cart = (await create({ currency: 'EUR', country: 'DE' }, me.headers)).json() as Cart;
    await add(cart, me.headers);
    const before = await stored(me.userId);
    const res = await create({ currency: 'USD', country: 'US' }, me.headers);
    expect(res.statusCode).toBe(409);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toMatchObject({
      status: 409,
      code: 'cart.currency_mismatch',
      cartId: cart.id,
      currency: 'EUR',
      detail:
        'Your active cart holds lines in EUR, so it cannot switch to USD: check it out, empty it or change it first.',
    });
    expect(await stored(me.userId)).toEqual(before);
    // The same currency with lines is no conflict.
    expect((await create({ currency: 'EUR' }, me.headers)).statusCode).toBe(200);
    expect(await stored(me.userId)).toEqual(before);
  });

  it('[REQ-CRT-016] a cart with lines takes a new country: version bumped, lines kept, tax for the new region', async () => {
    const me = await registerCustomer(t);
    const cart = (await create({ currency: 'EUR', country: 'DE' }, me.headers)).json() as Cart;
    const withLine = (await add(cart, me.headers)).json() as Cart;
    expect(withLine.totals.tax).toEqual({ amount: 475, currency: 'EUR' }); // DE 19 % of 2500
    const res = await create({ currency: 'EUR', country: 'NL' }, me.headers);
    const body = res.json() as Cart;
    expect([res.statusCode, body.country, body.version, body.items.length]).toEqual([200, 'NL', 3, 1]);
    expect(body.totals.tax).toEqual({ amount: 525, currency: 'EUR' }); // NL 21 %
  });

  it('[REQ-CRT-016] while a checkout holds the cart a change is refused with 409 cart.checkout_in_progress (nothing written); a create that changes nothing answers 200', async () => {
    const me = await registerCustomer(t);
    const cart = (await create({ currency: 'EUR', country: 'DE' }, me.headers)).json() as Cart;
    await sql`update cart.carts set checkout_until = now() + interval '1 hour', checkout_by = 'att_test'
      where id = ${cart.id}`.execute(t.kernel.db.k);
    const before = await stored(me.userId);
    const res = await create({ country: 'NL' }, me.headers);
    expect([res.statusCode, res.json().code]).toEqual([409, 'cart.checkout_in_progress']);
    expect(await stored(me.userId)).toEqual(before);
    const same = await create({ country: 'DE' }, me.headers);
    expect([same.statusCode, same.json().id]).toEqual([200, cart.id]);
  });

  it('[REQ-CRT-005] 10 concurrent creates by one customer: one active cart, one 201 and nine 200, all with its id', async () => {
    const me = await registerCustomer(t);
    const res = await Promise.all(
      Array.from({ length: 10 }, () => create({ currency: 'EUR', country: 'DE' }, me.headers)),
    );
    const ids = new Set(res.map((r) => r.json().id));
    expect(ids.size).toBe(1);
    expect(res.map((r) => r.statusCode).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200, 201]);
    const carts = await stored(me.userId);
    expect(carts.map((c) => [c.id, c.status, c.version])).toEqual([[[...ids][0], 'active', 1]]);
  });
});

describe('optional customer credentials on the cart routes', () => {
  it("[REQ-CRT-004] no Bearer: a guest cart; a valid one: the customer's; an invalid or revoked one: 401 auth.unauthorized and no cart", async () => {
    const me = await registerCustomer(t);
    const guest = await create({});
    expect([guest.statusCode, guest.json().userId]).toEqual([201, null]);
    const mine = await create({}, me.headers);
    expect([mine.statusCode, mine.json().userId]).toEqual([201, me.userId]);
    const count = async () =>
      Number((await sql<{ n: number }>`select count(*)::int as n from cart.carts`.execute(t.kernel.db.k)).rows[0]?.n);
    const before = await count();
    const forged = await create({}, { authorization: 'Bearer eyJhbGciOiJFZERTQSJ9.e30.AAAA' });
    expect(forged.statusCode).toBe(401);
    expect(forged.headers['content-type']).toContain('application/problem+json');
    expect(forged.json()).toMatchObject({ code: 'auth.unauthorized', detail: 'The access token is invalid.' });
    const other = await registerCustomer(t);
    const out = await t.http.inject({
      method: 'POST',
      url: '/v1/auth/logout',
      payload: { refreshToken: other.refreshToken },
    });
    expect(out.statusCode).toBe(204);
    const revoked = await create({}, other.headers);
    expect([revoked.statusCode, revoked.json().code]).toEqual([401, 'auth.unauthorized']);
    expect(await count()).toBe(before);
  });

  it("[REQ-CRT-004] reading a cart: its token alone, or the owner's Bearer, is enough; an invalid Bearer next to a valid cart token is 401, not a guest read", async () => {
    const me = await registerCustomer(t);
    const cart = (await create({}, me.headers)).json() as Cart;
    const get = (headers: Record<string, string>) =>
      t.http.inject({ method: 'GET', url: `/v1/carts/${cart.id}`, headers });
    expect((await get({ 'x-cart-token': cart.token })).statusCode).toBe(200);
    expect((await get(me.headers)).statusCode).toBe(200);
    const res = await get({ 'x-cart-token': cart.token, authorization: 'Bearer eyJhbGciOiJFZERTQSJ9.e30.AAAA' });
    expect([res.statusCode, res.json().code]).toEqual([401, 'auth.unauthorized']);
  });
});
