// The OpenAPI document checked by tools nobody here wrote: Spectral (spectral:oas plus the OWASP API Security Top 10
// ruleset, .spectral.yaml) and Redocly (redocly.yaml) must report 0 errors on /openapi.json. Next to them, what the
// document now declares centrally is checked against what the server does: security from `config.access`, the
// rate-limit headers it sends, the headers it reads.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/create-test-app.ts';

const require = createRequire(import.meta.url);
const ROOT = join(import.meta.dirname, '..', '..');

interface Operation {
  security?: Record<string, string[]>[];
  parameters?: { name: string; in: string; required?: boolean }[];
  responses: Record<string, { headers?: Record<string, unknown> }>;
}
type Doc = {
  paths: Record<string, Record<string, Operation>>;
  components: { securitySchemes: Record<string, unknown> };
};

let t: TestApp;
let doc: Doc;
let dir: string;
let file: string;

beforeAll(async () => {
  t = await createTestApp({ db: 'pglite', workers: false, services: false });
  doc = (await t.http.inject({ method: 'GET', url: '/openapi.json' })).json();
  dir = mkdtempSync(join(tmpdir(), 'emporium-openapi-'));
  file = join(dir, 'openapi.json');
  writeFileSync(file, JSON.stringify(doc));
});
afterAll(async () => {
  await t.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs a linter's CLI with this process's Node; its JSON report is on stdout. */
function run(bin: string, args: string[]): string {
  const out = spawnSync(process.execPath, [bin, ...args], { cwd: ROOT, encoding: 'utf8', maxBuffer: 256 << 20 });
  if (out.error) throw out.error;
  return out.stdout;
}

const op = (path: string, method: string): Operation => {
  const found = doc.paths[path]?.[method];
  if (!found) throw new Error(`${method} ${path} is not documented`);
  return found;
};
const headerParam = (path: string, method: string, name: string) =>
  (op(path, method).parameters ?? []).find((p) => p.in === 'header' && p.name.toLowerCase() === name);

describe('the contract passes independent linters [REQ-API-001]', () => {
  it('[REQ-API-001] Spectral (spectral:oas + OWASP API Security Top 10) reports 0 errors', () => {
    const bin = require.resolve('@stoplight/spectral-cli/dist/index.js');
    const stdout = run(bin, ['lint', '-r', join(ROOT, '.spectral.yaml'), '-f', 'json', '-q', file]);
    const results = JSON.parse(stdout || '[]') as { code: string; severity: number; path: string[] }[];
    const errors = results.filter((r) => r.severity === 0).map((r) => `${r.code} ${r.path.join('/')}`);
    console.log(`spectral: ${errors.length} errors, ${results.filter((r) => r.severity === 1).length} warnings`);
    expect(errors).toEqual([]);
  }, 120_000);

  it('[REQ-API-001] Redocly lint (recommended) reports 0 errors', () => {
    const bin = require.resolve('@redocly/cli/bin/cli.js');
    const stdout = run(bin, ['lint', file, '--format=json', `--config=${join(ROOT, 'redocly.yaml')}`]);
    const report = JSON.parse(stdout) as { totals: { errors: number; warnings: number }; problems: unknown[] };
    console.log(`redocly: ${report.totals.errors} errors, ${report.totals.warnings} warnings`);
    expect(report.totals.errors, JSON.stringify(report.problems.slice(0, 5))).toBe(0);
  }, 120_000);
});

describe('security is declared from config.access [REQ-API-002]', () => {
  it('[REQ-API-002] public operations declare security: [], customers the customer scheme, staff routes the staff and API-key schemes with the permission', () => {
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual(['apiKey', 'customerBearer', 'staffBearer']);
    expect(op('/v1/products', 'get').security).toEqual([]);
    expect(op('/v1/auth/login', 'post').security).toEqual([]);
    expect(op('/v1/me', 'get').security).toEqual([{ customerBearer: [] }]);
    expect(op('/v1/orders', 'get').security).toEqual([{ customerBearer: [] }, { staffBearer: [] }, { apiKey: [] }]);
    expect(op('/v1/products', 'post').security).toEqual([
      { staffBearer: ['catalog:write'] },
      { apiKey: ['catalog:write'] },
    ]);
    const undeclared: string[] = [];
    const customerOnAdmin: string[] = [];
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, o] of Object.entries(methods)) {
        if (!Array.isArray(o.security)) undeclared.push(`${method} ${path}`);
        if (path.startsWith('/v1/admin/') && JSON.stringify(o.security ?? []).includes('customerBearer')) {
          customerOnAdmin.push(`${method} ${path}`);
        }
      }
    }
    expect(undeclared).toEqual([]);
    expect(customerOnAdmin).toEqual([]);
  });

  it('[REQ-API-002] operations that read an optional Bearer declare it the OpenAPI 3.1 way, [{}, {customerBearer: []}, …], and their 401', () => {
    const optional: Record<string, Record<string, string[]>[]> = {};
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, o] of Object.entries(methods)) {
        if (!o.security?.some((r) => Object.keys(r).length === 0)) continue;
        optional[`${method.toUpperCase()} ${path}`] = o.security;
        expect([method, path, Object.keys(o.responses)]).toEqual([method, path, expect.arrayContaining(['401'])]);
        // 403 only where staff may act with a permission (a caller who may only read the order gets it).
        const staff = o.security.some((r) => 'staffBearer' in r);
        const refuses = staff && o.security.some((r) => r.staffBearer?.includes('orders:manage'));
        expect([method, path, Object.keys(o.responses).includes('403')]).toEqual([method, path, refuses]);
      }
    }
    const customer = [{}, { customerBearer: [] }];
    const orStaff = (permission: string) => [...customer, { staffBearer: [permission] }, { apiKey: [permission] }];
    expect(optional).toEqual({
      'POST /v1/carts': customer,
      'GET /v1/carts/{cartId}': customer,
      'PATCH /v1/carts/{cartId}': customer,
      'POST /v1/carts/{cartId}/items': customer,
      'PATCH /v1/carts/{cartId}/items/{itemId}': customer,
      'DELETE /v1/carts/{cartId}/items/{itemId}': customer,
      'GET /v1/carts/{cartId}/shipping-options': customer,
      'POST /v1/orders': customer,
      'GET /v1/orders/{id}': orStaff('orders:read'),
      'POST /v1/orders/{id}/cancel': orStaff('orders:manage'),
      'POST /v1/orders/{id}/returns': orStaff('orders:manage'),
      'GET /v1/orders/{id}/returns': orStaff('orders:read'),
    });
  });

  it('[REQ-API-002] the declared schemes are what the server enforces: no credentials → 401 where security is declared', async () => {
    const customer = await t.http.inject({ method: 'GET', url: '/v1/me' });
    const staff = await t.http.inject({ method: 'GET', url: '/v1/admin/jobs' });
    const open = await t.http.inject({ method: 'GET', url: '/v1/products' });
    expect([customer.statusCode, staff.statusCode, open.statusCode]).toEqual([401, 401, 200]);
    // Optional credentials: none is fine, an invalid Bearer is the declared 401.
    const guest = await t.http.inject({ method: 'POST', url: '/v1/carts', payload: {} });
    const forged = await t.http.inject({
      method: 'POST',
      url: '/v1/carts',
      payload: {},
      headers: { authorization: 'Bearer eyJhbGciOiJFZERTQSJ9.e30.AAAA' },
    });
    expect([guest.statusCode, forged.statusCode, forged.json().code]).toEqual([201, 401, 'auth.unauthorized']);
  });
});

describe('response headers the server sends are declared [REQ-API-003]', () => {
  it('[REQ-API-003] every 2xx/4xx response of a rate-limited route declares X-RateLimit-*, 429 declares Retry-After, and the server sends them', async () => {
    const missing: string[] = [];
    for (const [path, methods] of Object.entries(doc.paths)) {
      if (['/healthz', '/readyz', '/metrics'].includes(path)) continue;
      for (const [method, o] of Object.entries(methods)) {
        for (const [status, response] of Object.entries(o.responses)) {
          const names = Object.keys(response.headers ?? {});
          if (/^[24]/.test(status) && !names.includes('X-RateLimit-Limit')) missing.push(`${method} ${path} ${status}`);
          if (status === '429' && !names.includes('Retry-After')) missing.push(`${method} ${path} 429 Retry-After`);
        }
      }
    }
    expect(missing).toEqual([]);
    const ok = await t.http.inject({ method: 'GET', url: '/v1/products' });
    const refused = await t.http.inject({ method: 'GET', url: '/v1/me' });
    for (const res of [ok, refused]) {
      expect(Number(res.headers['x-ratelimit-limit'])).toBe(t.config.rateLimit.max);
      expect(Number(res.headers['x-ratelimit-remaining'])).toBeGreaterThanOrEqual(0);
      expect(Number(res.headers['x-ratelimit-reset'])).toBeGreaterThanOrEqual(0);
    }
  });

  it('[REQ-API-003] the health probes are exempt: they send no rate-limit headers and declare none', async () => {
    const res = await t.http.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-ratelimit-limit']).toBeUndefined();
    expect(Object.keys(op('/healthz', 'get').responses['200']?.headers ?? {})).not.toContain('X-RateLimit-Limit');
  });
});

describe('request headers the server reads are declared [REQ-API-004]', () => {
  it('[REQ-API-004] X-Request-Id and traceparent on every operation, If-None-Match where a route answers 304, the guest tokens and a required Idempotency-Key where the server needs them', async () => {
    const lacking: string[] = [];
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, o] of Object.entries(methods)) {
        for (const name of ['x-request-id', 'traceparent']) {
          if (!headerParam(path, method, name)) lacking.push(`${method} ${path} ${name}`);
        }
        if ('304' in o.responses && !headerParam(path, method, 'if-none-match')) lacking.push(`${method} ${path} 304`);
      }
    }
    expect(lacking).toEqual([]);
    expect(headerParam('/v1/orders', 'post', 'idempotency-key')?.required).toBe(true);
    expect(headerParam('/v1/orders/{id}', 'get', 'x-order-token')).toBeDefined();
    expect(headerParam('/v1/carts/{cartId}', 'get', 'x-cart-token')).toBeDefined();
    // Route-specific reads: the User-Agent kept with sessions and audit entries, the providers' webhook signatures.
    expect(headerParam('/v1/auth/login', 'post', 'user-agent')).toBeDefined();
    expect(headerParam('/v1/me', 'delete', 'user-agent')).toBeDefined();
    expect(headerParam('/v1/payments/webhooks/{provider}', 'post', 'emporium-signature')).toBeDefined();
    expect(headerParam('/v1/payments/webhooks/{provider}', 'post', 'stripe-signature')).toBeDefined();
    // The declared X-Request-Id is the one the server adopts.
    const res = await t.http.inject({ method: 'GET', url: '/v1/products', headers: { 'x-request-id': 'client-42' } });
    expect(res.headers['x-request-id']).toBe('client-42');
  });
});
