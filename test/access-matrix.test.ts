// Access checks as data: every route registered by the real app (kernel and modules, collected by
// app.ts's onRoute hook) is exercised without credentials, with a customer token and with a staff
// API key. A route that is not declared public must refuse anonymous callers; a new public route
// fails this test until it is added to PUBLIC_ROUTES below, and a new route with optional credentials
// until it is added to OPTIONAL_AUTH_ROUTES. (Routes the HTTP factory registers before app.ts installs
// its hook, /openapi.json and /docs, are public by design and not in the list.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStaff, registerCustomer, type TestIdentity } from './support/auth.ts';
import { createTestApp, type TestApp } from './support/create-test-app.ts';

/** Routes anyone may call, which read no credentials. Adding a public route means adding it here, on purpose. */
const PUBLIC_ROUTES = new Set([
  'GET /healthz',
  'GET /readyz',
  'GET /metrics',
  'GET /.well-known/jwks.json',
  // Never refused for a stale access token: signing in, renewing and signing out are how a client gets past one.
  'POST /v1/auth/register',
  'POST /v1/auth/login',
  'POST /v1/auth/refresh',
  'POST /v1/auth/logout',
  'POST /v1/auth/password-reset',
  'POST /v1/auth/password-reset/confirm',
  'POST /v1/auth/verify-email',
  // Storefront reads: published catalog data only.
  'GET /v1/categories',
  'GET /v1/products',
  'GET /v1/products/:id',
  'GET /v1/search',
  'GET /v1/search/suggest',
  // Authenticated by the provider's signature on the raw body, not by a token.
  'POST /v1/payments/webhooks/:provider',
]);

/**
 * Routes anyone may call that also read a Bearer token when one is sent (access.optionalCustomer): guests prove access
 * with the token the server issued, a signed-in customer with their Bearer; a Bearer that is sent must be valid.
 */
const OPTIONAL_AUTH_ROUTES = new Set([
  // Carts: a guest proves access with the cart's X-Cart-Token (a customer with their Bearer); others get 404.
  'POST /v1/carts',
  'GET /v1/carts/:cartId',
  'PATCH /v1/carts/:cartId',
  'POST /v1/carts/:cartId/items',
  'PATCH /v1/carts/:cartId/items/:itemId',
  'DELETE /v1/carts/:cartId/items/:itemId',
  'GET /v1/carts/:cartId/shipping-options',
  // Checkout and orders: guests prove access with the cart's or the order's token; ownership is checked in the service.
  'POST /v1/orders',
  'GET /v1/orders/:id',
  'POST /v1/orders/:id/cancel',
  'POST /v1/orders/:id/returns',
  'GET /v1/orders/:id/returns',
  // GraphQL storefront: each field applies the same rules as its REST route (carts by token or Bearer, else not found).
  'GET /graphql',
  'POST /graphql',
]);

let t: TestApp;
let customer: TestIdentity;
let other: TestIdentity;
let apiKeyHeaders: { authorization: string };
beforeAll(async () => {
  t = await createTestApp();
  customer = await registerCustomer(t);
  other = await registerCustomer(t);
  const admin = await createStaff(t, 'admin');
  const key = await t.http.inject({
    method: 'POST',
    url: '/v1/admin/api-keys',
    headers: admin.headers,
    payload: { name: 'matrix', permissions: ['jobs:read'] },
  });
  apiKeyHeaders = { authorization: `Bearer ${key.json().key}` };
});
afterAll(async () => {
  await t?.close();
});

const routes = () =>
  t.routes.filter((r) => r.method !== 'HEAD' && r.method !== 'OPTIONS' && r.url !== '*' && r.url !== '/*');
const fill = (url: string) => url.replace(/:[A-Za-z]+/g, 'zz_00000000000000000000000000').replace(/\*$/, 'x');
const name = (r: { method: string; url: string }) => `${r.method} ${r.url}`;
const inject = (r: { method: string; url: string }, headers: Record<string, string> = {}) =>
  t.http.inject({ method: r.method as 'GET', url: fill(r.url), headers });
const FORGED = { authorization: 'Bearer eyJhbGciOiJFZERTQSJ9.e30.AAAA' };

describe('access matrix [REQ-IDN-016]', () => {
  it('[REQ-IDN-016] every public route is listed in PUBLIC_ROUTES, every optional-credentials one in OPTIONAL_AUTH_ROUTES, and every listed one exists', () => {
    const declaredPublic = routes()
      .filter((r) => !r.access || r.access.kind === 'public')
      .map(name);
    expect(declaredPublic.sort()).toEqual([...PUBLIC_ROUTES].sort());
    const declaredOptional = routes()
      .filter((r) => r.access?.kind === 'optional')
      .map(name);
    expect(declaredOptional.sort()).toEqual([...OPTIONAL_AUTH_ROUTES].sort());
    expect(routes().length).toBeGreaterThan(PUBLIC_ROUTES.size + OPTIONAL_AUTH_ROUTES.size);
  });

  it('[REQ-IDN-016] every route that needs credentials answers 401 without a token, and 401 with a forged one', async () => {
    for (const r of routes().filter((x) => x.access && x.access.kind !== 'public' && x.access.kind !== 'optional')) {
      const res = await inject(r);
      expect([name(r), res.statusCode, res.json().code]).toEqual([name(r), 401, 'auth.unauthorized']);
      const forged = await inject(r, FORGED);
      expect([name(r), forged.statusCode]).toEqual([name(r), 401]);
    }
  });

  it('[REQ-IDN-016] a route with optional credentials takes none, refuses a forged Bearer with 401 auth.unauthorized, and a public one ignores it', async () => {
    for (const r of routes().filter((x) => x.access?.kind === 'optional')) {
      const anonymous = await inject(r);
      expect([name(r), anonymous.statusCode === 401]).toEqual([name(r), false]);
      const forged = await inject(r, FORGED);
      const code = forged.json().code ?? forged.json().errors?.[0]?.extensions?.code; // GraphQL's own error format
      expect([name(r), forged.statusCode, code]).toEqual([name(r), 401, 'auth.unauthorized']);
    }
    // A stale token must not block the calls that get past it (signing in again, renewing the session).
    const login = await t.http.inject({
      method: 'POST',
      url: '/v1/auth/login',
      headers: FORGED,
      payload: { email: 'nobody@example.com', password: 'not the password' },
    });
    expect([login.statusCode, login.json().code]).not.toEqual([401, 'auth.unauthorized']);
  });

  it('[REQ-IDN-016] a customer token on every staff route → 403', async () => {
    const staffRoutes = routes().filter((x) => x.access?.kind === 'permission');
    expect(staffRoutes.length).toBeGreaterThan(0);
    for (const r of staffRoutes) {
      const res = await inject(r, customer.headers);
      expect([name(r), res.statusCode, res.json().code]).toEqual([name(r), 403, 'auth.forbidden']);
    }
  });

  it('[REQ-IDN-016] an API key without the permission → 403 on staff routes and on customer routes', async () => {
    const held = (x: ReturnType<typeof routes>[number]) =>
      x.access?.kind === 'permission' && x.access.permission === 'jobs:read';
    for (const r of routes().filter(
      (x) => (x.access?.kind === 'permission' || x.access?.kind === 'customer') && !held(x),
    )) {
      const res = await inject(r, apiKeyHeaders);
      expect([name(r), res.statusCode]).toEqual([name(r), 403]);
    }
    // The permission it does hold works.
    const own = routes().filter(held);
    expect(own.length).toBeGreaterThan(0);
    for (const r of own) expect([name(r), (await inject(r, apiKeyHeaders)).statusCode]).toEqual([name(r), 200]);
  });

  it("[REQ-IDN-016] another customer's address → 404 on every address route; the address is unchanged", async () => {
    const created = await t.http.inject({
      method: 'POST',
      url: '/v1/me/addresses',
      headers: customer.headers,
      payload: { name: 'A', line1: 'L1', city: 'C', postalCode: '1', country: 'DE' },
    });
    const address = created.json();
    const objectRoutes = routes().filter((r) => r.url.startsWith('/v1/me/addresses/:'));
    expect(objectRoutes.map(name).sort()).toEqual(['DELETE /v1/me/addresses/:id', 'PATCH /v1/me/addresses/:id']);
    for (const r of objectRoutes) {
      const res = await t.http.inject({
        method: r.method as 'PATCH',
        url: r.url.replace(':id', address.id),
        headers: other.headers,
        ...(r.method === 'PATCH' ? { payload: { city: 'Stolen' } } : {}),
      });
      expect([name(r), res.statusCode, res.json().code]).toEqual([name(r), 404, 'identity.address_not_found']);
    }
    const mine = await t.http.inject({ method: 'GET', url: '/v1/me/addresses', headers: customer.headers });
    expect(mine.json().items).toEqual([address]);
    const theirs = await t.http.inject({ method: 'GET', url: '/v1/me/addresses', headers: other.headers });
    expect(theirs.json().items).toEqual([]);
  });
});
