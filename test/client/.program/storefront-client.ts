// A storefront written the way an outside developer would: a client generated from /openapi.json
// (openapi-typescript, then openapi-fetch), with no casts and no `any`. Every header travels as a typed
// operation parameter (`params.header`), so an undeclared header is a compile error, and a required one
// cannot be forgotten.
//
// This folder's leading dot keeps it out of the project's `tsc -p .`: its `paths` type exists only after
// test/client/generated-client.test.ts has generated it from the running server, into a temp folder that
// the test's own strict tsconfig joins to this one (rootDirs). The test then runs these functions against
// that server.
import { randomUUID } from 'node:crypto';
import createClient, { type Client } from 'openapi-fetch';
import type { paths } from './generated/openapi.ts';

export type StorefrontClient = Client<paths>;

interface Outcome<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** The response body of a successful call; any other answer throws with its status and problem document. */
function ok<T>(operation: string, outcome: Outcome<T>): T {
  if (outcome.data === undefined) {
    throw new Error(`${operation}: HTTP ${outcome.response.status} ${JSON.stringify(outcome.error)}`);
  }
  return outcome.data;
}

export function storefrontClient(baseUrl: string, accessToken?: string): StorefrontClient {
  return createClient<paths>({
    baseUrl,
    ...(accessToken === undefined ? {} : { headers: { authorization: `Bearer ${accessToken}` } }),
  });
}

const address = {
  name: 'Ada Lovelace',
  line1: 'Unter den Linden 1',
  city: 'Berlin',
  postalCode: '10117',
  country: 'DE',
};

/** Staff: a published product with one EUR variant whose stock is not tracked. */
export async function createProduct(staff: StorefrontClient, price: number): Promise<{ variantId: string }> {
  const tag = randomUUID().slice(0, 8);
  const product = ok(
    'POST /v1/products',
    await staff.POST('/v1/products', {
      body: {
        slug: `client-${tag}`,
        name: `Client product ${tag}`,
        status: 'published',
        variants: [{ sku: `CLIENT-${tag}`, weightGrams: 400, prices: [{ currency: 'EUR', amount: price }] }],
      },
    }),
  );
  const variant = product.variants[0];
  if (variant === undefined) throw new Error('POST /v1/products: no variant in the answer');
  ok(
    'PUT /v1/admin/inventory/{variantId}/policy',
    await staff.PUT('/v1/admin/inventory/{variantId}/policy', {
      params: { path: { variantId: variant.id } },
      body: { mode: 'untracked' },
    }),
  );
  return { variantId: variant.id };
}

/** Cart → item → email and address → shipping options → the first one. Guests pass the cart token on each call. */
async function readyCart(client: StorefrontClient, variantId: string, email: string, quantity: number) {
  const cart = ok('POST /v1/carts', await client.POST('/v1/carts', { body: { currency: 'EUR', country: 'DE' } }));
  const scope = { path: { cartId: cart.id }, header: { 'x-cart-token': cart.token } };
  ok(
    'POST /v1/carts/{cartId}/items',
    await client.POST('/v1/carts/{cartId}/items', {
      params: scope,
      body: { variantId, quantity },
    }),
  );
  ok(
    'PATCH /v1/carts/{cartId}',
    await client.PATCH('/v1/carts/{cartId}', {
      params: scope,
      body: { email, shippingAddress: address },
    }),
  );
  const options = ok(
    'GET /v1/carts/{cartId}/shipping-options',
    await client.GET('/v1/carts/{cartId}/shipping-options', { params: scope }),
  );
  const cheapest = options.items[0];
  if (cheapest === undefined) throw new Error('GET /v1/carts/{cartId}/shipping-options: no shipping option');
  const ready = ok(
    'PATCH /v1/carts/{cartId}',
    await client.PATCH('/v1/carts/{cartId}', {
      params: scope,
      body: { shippingMethodId: cheapest.id },
    }),
  );
  return { cartId: cart.id, cartToken: cart.token, total: ready.totals.total, shipping: cheapest };
}

/** POST /v1/orders with the sandbox's tok_visa; a 202 (the payment needs a redirect) is not expected here. */
async function placeOrder(client: StorefrontClient, cartId: string, cartToken: string, idempotencyKey: string) {
  const placed = ok(
    'POST /v1/orders',
    await client.POST('/v1/orders', {
      params: { header: { 'idempotency-key': idempotencyKey, 'x-cart-token': cartToken } },
      body: { cartId, payment: { provider: 'sandbox', token: 'tok_visa' } },
    }),
  );
  if ('nextAction' in placed) throw new Error(`POST /v1/orders: payment requires ${placed.nextAction.type}`);
  return placed;
}

/** A guest's whole purchase; returns what each step answered, for the test to check. */
export async function guestCheckout(client: StorefrontClient, email: string) {
  const page = ok('GET /v1/products', await client.GET('/v1/products', { params: { query: { limit: 50 } } }));
  const variant = page.items.flatMap((product) => product.variants).find((v) => v.inStock);
  if (variant === undefined) throw new Error('GET /v1/products: nothing in stock');
  const cart = await readyCart(client, variant.id, email, 2);
  const idempotencyKey = randomUUID();
  const order = await placeOrder(client, cart.cartId, cart.cartToken, idempotencyKey);
  const replay = await placeOrder(client, cart.cartId, cart.cartToken, idempotencyKey);
  const orderToken = order.orderToken;
  if (orderToken === undefined) throw new Error('POST /v1/orders: a guest order came without its orderToken');
  const read = ok(
    'GET /v1/orders/{id}',
    await client.GET('/v1/orders/{id}', {
      params: { path: { id: order.id }, header: { 'x-order-token': orderToken } },
    }),
  );
  const withoutToken = await client.GET('/v1/orders/{id}', { params: { path: { id: order.id } } });
  return {
    variantId: variant.id,
    cart,
    order,
    replay,
    read,
    withoutToken: { status: withoutToken.response.status, code: withoutToken.error?.code },
  };
}

/** A customer registers, buys, and finds the order in their history. */
export async function customerOrderHistory(baseUrl: string, variantId: string, email: string, password: string) {
  const session = ok(
    'POST /v1/auth/register',
    await storefrontClient(baseUrl).POST('/v1/auth/register', { body: { email, password, name: 'Ada' } }),
  );
  const customer = storefrontClient(baseUrl, session.accessToken);
  const cart = await readyCart(customer, variantId, email, 1);
  const order = await placeOrder(customer, cart.cartId, cart.cartToken, randomUUID());
  const history = ok('GET /v1/orders', await customer.GET('/v1/orders', { params: { query: { limit: 20 } } }));
  return { userId: session.user.id, order, history };
}

/** What another signed-in customer's history holds. */
export async function historyOf(baseUrl: string, email: string, password: string) {
  const session = ok(
    'POST /v1/auth/register',
    await storefrontClient(baseUrl).POST('/v1/auth/register', { body: { email, password } }),
  );
  const customer = storefrontClient(baseUrl, session.accessToken);
  return ok('GET /v1/orders', await customer.GET('/v1/orders', {})).items;
}
