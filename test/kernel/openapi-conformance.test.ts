// Black-box conformance against our own /openapi.json, the way Schemathesis-style tools judge the API:
// every operation gets requests generated from its declared parameter and body schemas (valid ones from
// the examples and real ids, then boundaries, wrong types, missing and unknown fields, oversized and
// unicode strings, huge numbers, malformed JSON, wrong content types), sent anonymously, as a customer
// and as a staff admin. Every response must be a non-5xx status the operation declares, with a declared
// content type and a body valid against the declared schema; errors are RFC 9457 problem+json.
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStaff, registerCustomer, type TestIdentity } from '../support/auth.ts';
import { createVariant } from '../support/cart.ts';
import { createTestApp, type TestApp } from '../support/create-test-app.ts';
import { buildRequests, type Fixtures } from '../support/openapi-cases.ts';
import { createResponseChecker, type OpenApiDoc, type Operation } from '../support/openapi-check.ts';

type Role = 'anonymous' | 'customer' | 'admin';
interface Identity {
  headers: Record<string, string>;
  fixtures: Fixtures;
}

let t: TestApp;
let doc: OpenApiDoc;
const identities = {} as Record<Role, Identity>;

const get = async (url: string, headers: Record<string, string> = {}) => {
  const res = await t.http.inject({ method: 'GET', url, headers });
  if (res.statusCode !== 200) throw new Error(`GET ${url}: ${res.statusCode} ${res.body}`);
  return res.json();
};
const post = async (url: string, payload: unknown, headers: Record<string, string> = {}) => {
  const res = await t.http.inject({ method: 'POST', url, headers, payload: payload as object });
  if (res.statusCode >= 300) throw new Error(`POST ${url}: ${res.statusCode} ${res.body}`);
  return res.json();
};

/** Ids of real objects, so valid requests reach the handlers and their success bodies get checked. */
async function fixturesFor(role: Role, headers: Record<string, string>, shared: Fixtures): Promise<Fixtures> {
  const cart = await post('/v1/carts', { currency: 'EUR' }, headers);
  const cartHeaders = { ...headers, 'x-cart-token': cart.token };
  const withItem = await post(
    `/v1/carts/${cart.id}/items`,
    { variantId: shared['body.variantId'], quantity: 1 },
    cartHeaders,
  );
  const fixtures: Fixtures = {
    ...shared,
    'path.cartId': cart.id,
    'header.x-cart-token': cart.token,
    'path.itemId': withItem.items[0]?.id ?? 'item_missing',
    'body.cartId': cart.id,
  };
  if (role !== 'anonymous') {
    const address = await post(
      '/v1/me/addresses',
      { name: 'Fuzz', line1: 'L1', city: 'Berlin', postalCode: '10115', country: 'DE' },
      headers,
    );
    fixtures['path.addressId'] = address.id;
  }
  return fixtures;
}

beforeAll(async () => {
  t = await createTestApp({ workers: false });
  doc = (await t.http.inject({ method: 'GET', url: '/openapi.json' })).json();
  const admin: TestIdentity = await createStaff(t, 'admin');
  const customer: TestIdentity = await registerCustomer(t);
  const variant = await createVariant(t, admin, { price: 1999, stock: 50 });
  const product = await get(`/v1/products/${variant.productId}`);
  const warehouses = await get('/v1/admin/warehouses', admin.headers);
  const shared: Fixtures = {
    'path.variantId': variant.variantId,
    'body.variantId': variant.variantId,
    'body.warehouseId': warehouses.items[0].id,
    'path.provider': 'sandbox',
  };
  const productFixtures = { 'path.id': product.id };
  identities.anonymous = { headers: {}, fixtures: await fixturesFor('anonymous', {}, shared) };
  identities.customer = {
    headers: customer.headers,
    fixtures: await fixturesFor('customer', customer.headers, shared),
  };
  identities.admin = { headers: admin.headers, fixtures: await fixturesFor('admin', admin.headers, shared) };
  for (const role of ['anonymous', 'customer', 'admin'] as const) {
    Object.assign(identities[role].fixtures, { 'product.id': productFixtures['path.id'] });
  }
}, 60_000);
afterAll(async () => {
  await t?.close();
});

/** Fixture values for one operation: `{id}` means different things under different paths. */
function fixturesOf(path: string, role: Role): Fixtures {
  const f = { ...identities[role].fixtures };
  delete f['path.id'];
  if (path.startsWith('/v1/products/{id}') || path.startsWith('/v1/admin/products/{id}')) {
    f['path.id'] = f['product.id'] as string;
  }
  if (path.startsWith('/v1/me/addresses/{id}') && f['path.addressId']) f['path.id'] = f['path.addressId'];
  return f;
}

const operations = () => {
  const ops: { method: string; path: string; op: Operation }[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) ops.push({ method: method.toUpperCase(), path, op });
  }
  // Destructive operations last, so they do not take away what the others use.
  return ops.sort((a, b) => Number(a.method === 'DELETE') - Number(b.method === 'DELETE'));
};

function accessOf(method: string, path: string) {
  const url = path.replace(/\{([^}]+)\}/g, ':$1');
  return t.routes.find((r) => r.method === method && r.url === url)?.access ?? { kind: 'public' };
}
function allowed(role: Role, access: { kind: string }): boolean {
  // Optional credentials: a guest is as welcome as a signed-in caller.
  if (access.kind === 'public' || access.kind === 'optional') return true;
  if (role === 'anonymous') return false;
  return access.kind !== 'permission' || role === 'admin';
}

describe('OpenAPI conformance [REQ-KER-018]', () => {
  it('[REQ-KER-018] /openapi.json is valid OpenAPI 3.1; every operation has a unique operationId, a summary, declared tags and its path parameters', async () => {
    const result = await new Validator().validate(doc as unknown as Parameters<Validator['validate']>[0]);
    expect(result.errors ?? []).toEqual([]);
    const problems: string[] = [];
    const seen = new Set<string>();
    const tagsDeclared = new Set(((doc as { tags?: { name: string }[] }).tags ?? []).map((t) => t.name));
    for (const { method, path, op } of operations()) {
      const name = `${method} ${path}`;
      for (const tag of op.tags ?? []) if (!tagsDeclared.has(tag)) problems.push(`${name}: tag ${tag} not declared`);
      if (!op.operationId) problems.push(`${name}: no operationId`);
      else if (seen.has(op.operationId)) problems.push(`${name}: duplicate operationId ${op.operationId}`);
      else seen.add(op.operationId);
      if (!op.summary) problems.push(`${name}: no summary`);
      if (!op.tags?.length) problems.push(`${name}: no tags`);
      const isPublic = accessOf(method, path).kind === 'public';
      if (isPublic === Boolean(op.security?.length)) problems.push(`${name}: security ${JSON.stringify(op.security)}`);
      const declared = (op.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name);
      const inPath = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
      if (declared.sort().join() !== inPath.sort().join()) problems.push(`${name}: path parameters ${declared}`);
      for (const p of op.parameters ?? []) {
        if (p.in === 'path' && !p.required) problems.push(`${name}: path parameter ${p.name} not required`);
        // A parameter the server defaults is optional; marking it required misleads generated clients.
        if (p.in !== 'path' && p.required && p.schema.default !== undefined) {
          problems.push(`${name}: ${p.name} has a default but is required`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('[REQ-KER-018] a method a path does not document → 405 problem with Allow', async () => {
    const { check } = createResponseChecker(doc);
    const wrong: string[] = [];
    const templates = Object.entries(doc.paths).map(([path, methods]) => ({
      re: new RegExp(`^${path.replace(/\{[^}]+\}/g, '[^/]+')}$`),
      methods: Object.keys(methods).map((m) => m.toUpperCase()),
    }));
    for (const path of Object.keys(doc.paths)) {
      const url = path.replace(/\{[^}]+\}/g, 'x');
      // Another template may match the same URL (`/v1/admin/inventory/{variantId}` and `…/adjustments`).
      const documented = templates.filter((tpl) => tpl.re.test(url)).flatMap((tpl) => tpl.methods);
      for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].filter((m) => !documented.includes(m))) {
        const res = await t.http.inject({ method: method as 'GET', url });
        const allow = String(res.headers.allow ?? '');
        const problem = check('405', { responses: { 405: { description: '', content: PROBLEM_CONTENT } } }, res);
        if (res.statusCode !== 405 || problem.length || !documented.every((m) => allow.includes(m))) {
          wrong.push(`${method} ${path}: ${res.statusCode} allow=${allow} ${problem.join('; ')}`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it('[REQ-KER-018] every operation answers generated and hostile requests with declared, schema-valid responses and never a 5xx', async () => {
    const { check, bodyValid } = createResponseChecker(doc);
    const failures = new Map<string, string>();
    let sent = 0;
    const succeeded = new Set<string>();
    for (const { method, path, op } of operations()) {
      const access = accessOf(method, path);
      for (const role of ['anonymous', 'customer', 'admin'] as const) {
        const requests = buildRequests(path, op, fixturesOf(path, role), allowed(role, access));
        for (const req of requests) {
          const res = await t.http.inject({
            method: method as 'GET',
            url: req.url,
            headers: { ...identities[role].headers, ...req.headers },
            ...(req.payload !== undefined ? { payload: req.payload } : {}),
          });
          sent++;
          if (res.statusCode < 300) succeeded.add(`${method} ${path}`);
          const problems = check(`${method} ${path}`, op, res);
          const valid = bodyValid(`${method} ${path}`, op, req.payload, req.headers['content-type']);
          if (valid === false && res.statusCode < 300) problems.push(`accepted a body that violates the schema`);
          if (
            valid === true &&
            req.label.startsWith('valid') &&
            safeJson(res.body)?.code === 'request.validation_failed'
          ) {
            problems.push('refused a schema-valid body');
          }
          for (const problem of problems) {
            const code = res.headers['content-type']?.toString().includes('json')
              ? (safeJson(res.body)?.code ?? '')
              : '';
            const key = `${method} ${path} → ${problem}${code ? ` (${code})` : ''} [${req.label}]`;
            if (!failures.has(key)) failures.set(key, `${role}: ${req.url} ${res.body.slice(0, 200)}`);
          }
        }
      }
    }
    expect(sent).toBeGreaterThan(1000);
    if (process.env.FUZZ_VERBOSE) {
      const never = operations().filter(({ method, path }) => !succeeded.has(`${method} ${path}`));
      console.log(`${sent} requests; no 2xx for:\n${never.map((o) => `${o.method} ${o.path}`).join('\n')}`);
    }
    expect([...failures].map(([k, v]) => `${k}\n    e.g. ${v}`)).toEqual([]);
  }, 300_000);
});

const PROBLEM_CONTENT = {
  'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } },
};

function safeJson(body: string): { code?: string } | undefined {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}
