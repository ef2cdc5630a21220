// Endpoint administration over HTTP: SSRF refusal, validation, permissions, listing, editing, deletion, the event
// catalog. Bad input answers 4xx and stores nothing.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestIdentity } from '../support/auth.ts';
import { createStaff, registerCustomer } from '../support/auth.ts';
import { createTestApp, type TestApp } from '../support/create-test-app.ts';
import { createResponseChecker, type OpenApiDoc } from '../support/openapi-check.ts';

const count = async (t: TestApp) =>
  (await sql<{ n: number }>`select count(*)::int as n from webhooks.endpoints`.execute(t.kernel.db.k)).rows[0]?.n;

describe('webhook endpoints (private targets refused: the default)', () => {
  let t: TestApp;
  let admin: TestIdentity;
  beforeAll(async () => {
    t = await createTestApp({ workers: false });
    admin = await createStaff(t, 'admin');
  });
  afterAll(async () => {
    await t?.close();
  });

  const create = (payload: unknown, headers = admin.headers) =>
    t.http.inject({ method: 'POST', url: '/v1/admin/webhooks', headers, payload: payload as object });

  it.each([
    'http://127.0.0.1:8080/hook',
    'http://10.0.0.1/',
    'http://[::1]/',
    'http://169.254.169.254/latest/meta-data',
    'http://localhost/',
    'http://[::ffff:127.0.0.1]/',
    'https://192.168.1.10/',
    'http://[fd00::1]/',
    'http://0.0.0.0/',
    'http://224.0.0.1/',
  ])('[REQ-WHK-007] %s is refused with 422 webhooks.target_not_allowed and nothing is stored', async (url) => {
    const before = await count(t);
    const res = await create({ url, events: ['catalog.product.created'] });
    expect(res.statusCode).toBe(422);
    expect(res.json().code).toBe('webhooks.target_not_allowed');
    expect(await count(t)).toBe(before);
  });

  it('[REQ-WHK-007] a PATCH to a private target is refused and the endpoint keeps its URL', async () => {
    const created = await create({ url: 'https://93.184.215.14/hook', events: ['*'] });
    expect(created.statusCode).toBe(201);
    const id = created.json().id;
    const res = await t.http.inject({
      method: 'PATCH',
      url: `/v1/admin/webhooks/${id}`,
      headers: admin.headers,
      payload: { url: 'http://127.0.0.1/' },
    });
    expect(res.statusCode).toBe(422);
    expect(res.json().code).toBe('webhooks.target_not_allowed');
    const got = await t.http.inject({ url: `/v1/admin/webhooks/${id}`, headers: admin.headers });
    expect(got.json().url).toBe('https://93.184.215.14/hook');
  });

  it('[REQ-WHK-001] validation: unknown event types, bad schemes, credentials, missing fields → 4xx, nothing stored', async () => {
    const before = await count(t);
    const unknown = await create({ url: 'https://93.184.215.14/', events: ['orders.order.placed', 'nope.not.real'] });
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json().code).toBe('webhooks.unknown_event_type');
    expect(unknown.json().detail).toContain('nope.not.real');
    // Identity's token events carry sealed tokens: they are not public.
    const token = await create({
      url: 'https://93.184.215.14/',
      events: ['identity.user.password_reset_requested'],
    });
    expect(token.statusCode).toBe(422);
    const ftp = await create({ url: 'ftp://93.184.215.14/', events: ['*'] });
    expect(ftp.statusCode).toBe(422);
    expect(ftp.json().code).toBe('webhooks.invalid_url');
    const creds = await create({ url: 'https://user:pw@93.184.215.14/', events: ['*'] });
    expect(creds.statusCode).toBe(422);
    expect(creds.json().code).toBe('webhooks.invalid_url');
    expect((await create({ url: 'https://93.184.215.14/', events: [] })).statusCode).toBe(400);
    expect((await create({ events: ['*'] })).statusCode).toBe(400);
    expect((await create({ url: `https://93.184.215.14/${'a'.repeat(2100)}`, events: ['*'] })).statusCode).toBe(400);
    expect((await create({ url: 'https://93.184.215.14/', events: ['*'], extra: 1 })).statusCode).toBe(400);
    expect(await count(t)).toBe(before);
  });

  it('[REQ-WHK-001] create, get, list (paginated), patch, disable, re-enable, delete', async () => {
    const a = (await create({ url: 'https://93.184.215.14/a', events: ['orders.order.placed'] })).json();
    const b = (await create({ url: 'https://93.184.215.14/b', events: ['*'], description: 'all' })).json();
    expect(a).toMatchObject({ enabled: true, events: ['orders.order.placed'], description: null });
    expect(a.secret).toMatch(/^whsec_/);
    const got = await t.http.inject({ url: `/v1/admin/webhooks/${a.id}`, headers: admin.headers });
    expect(got.statusCode).toBe(200);
    expect(got.json().secret).toBeUndefined();

    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { json(): unknown; statusCode: number } = await t.http.inject({
        url: `/v1/admin/webhooks?limit=1${cursor ? `&cursor=${cursor}` : ''}`,
        headers: admin.headers,
      });
      expect(page.statusCode).toBe(200);
      const body = page.json() as { items: { id: string; secret?: string }[]; nextCursor: string | null };
      expect(body.items.length).toBeLessThanOrEqual(1);
      for (const i of body.items) {
        expect(i.secret).toBeUndefined();
        ids.push(i.id);
      }
      cursor = body.nextCursor;
    } while (cursor);
    expect(ids).toEqual(expect.arrayContaining([a.id, b.id]));
    expect(new Set(ids).size).toBe(ids.length);

    const patch = (id: string, payload: object) =>
      t.http.inject({ method: 'PATCH', url: `/v1/admin/webhooks/${id}`, headers: admin.headers, payload });
    const edited = await patch(a.id, { events: ['orders.order.paid'], description: 'ERP' });
    expect(edited.json()).toMatchObject({ events: ['orders.order.paid'], description: 'ERP' });
    const disabled = await patch(a.id, { enabled: false });
    expect(disabled.json()).toMatchObject({ enabled: false, disabledReason: 'manual' });
    await sql`update webhooks.endpoints set consecutive_failures = 7 where id = ${a.id}`.execute(t.kernel.db.k);
    const enabled = await patch(a.id, { enabled: true });
    expect(enabled.json()).toMatchObject({ enabled: true, disabledReason: null, consecutiveFailures: 0 });
    expect((await patch(a.id, {})).statusCode).toBe(400);
    expect((await patch('whe_missing', { enabled: true })).statusCode).toBe(404);

    const del = await t.http.inject({ method: 'DELETE', url: `/v1/admin/webhooks/${a.id}`, headers: admin.headers });
    expect(del.statusCode).toBe(204);
    expect((await t.http.inject({ url: `/v1/admin/webhooks/${a.id}`, headers: admin.headers })).statusCode).toBe(404);
    const again = await t.http.inject({ method: 'DELETE', url: `/v1/admin/webhooks/${a.id}`, headers: admin.headers });
    expect(again.statusCode).toBe(404);
    expect(again.json().code).toBe('webhooks.not_found');
  });

  it('[REQ-WHK-001] the answers match their own OpenAPI schemas (Ajv 2020), the created endpoint with its secret', async () => {
    const doc = (await t.http.inject({ url: '/openapi.json' })).json() as OpenApiDoc;
    const { check } = createResponseChecker(doc);
    const op = (path: string, method: string) => {
      const found = doc.paths[path]?.[method];
      if (!found) throw new Error(`${method} ${path} is not in the document`);
      return found;
    };
    const created = await create({ url: 'https://93.184.215.14/contract', events: ['*'], description: 'c' });
    expect(created.statusCode).toBe(201);
    expect(created.json().secret).toMatch(/^whsec_/);
    expect(check('create', op('/v1/admin/webhooks', 'post'), created)).toEqual([]);
    const id = created.json().id as string;
    const inject = (method: 'GET' | 'PATCH' | 'POST', url: string, payload?: object) =>
      t.http.inject({ method, url, headers: admin.headers, ...(payload ? { payload } : {}) });
    const answers = [
      ['/v1/admin/webhooks', 'get', await inject('GET', '/v1/admin/webhooks')],
      ['/v1/admin/webhooks/{id}', 'get', await inject('GET', `/v1/admin/webhooks/${id}`)],
      ['/v1/admin/webhooks/{id}', 'patch', await inject('PATCH', `/v1/admin/webhooks/${id}`, { enabled: false })],
      ['/v1/admin/webhooks/{id}/rotate-secret', 'post', await inject('POST', `/v1/admin/webhooks/${id}/rotate-secret`)],
    ] as const;
    for (const [path, method, res] of answers) {
      expect(res.statusCode, `${method} ${path}`).toBeLessThan(300);
      expect(check(`${method} ${path}`, op(path, method), res), `${method} ${path}`).toEqual([]);
    }
  });

  it('[REQ-WHK-001] permissions: 401 without a token, 403 for a customer and for staff without webhooks:manage', async () => {
    const before = await count(t);
    const customer = await registerCustomer(t);
    const support = await createStaff(t, 'support');
    const body = { url: 'https://93.184.215.14/', events: ['*'] };
    expect((await t.http.inject({ method: 'POST', url: '/v1/admin/webhooks', payload: body })).statusCode).toBe(401);
    expect((await create(body, customer.headers)).statusCode).toBe(403);
    expect((await create(body, support.headers)).statusCode).toBe(403);
    expect((await t.http.inject({ url: '/v1/admin/webhooks', headers: support.headers })).statusCode).toBe(403);
    expect((await t.http.inject({ url: '/v1/admin/webhooks/event-types' })).statusCode).toBe(401);
    expect(await count(t)).toBe(before);
  });

  it('[REQ-WHK-009] the event catalog lists every public type with a description and a JSON Schema', async () => {
    const res = await t.http.inject({ url: '/v1/admin/webhooks/event-types', headers: admin.headers });
    expect(res.statusCode).toBe(200);
    const items = res.json() as { type: string; description: string; schema: { type?: string; anyOf?: unknown[] } }[];
    const types = items.map((i) => i.type);
    expect(types).toEqual(expect.arrayContaining(['catalog.product.created', 'orders.order.placed']));
    expect(types.some((ty) => ty.includes('password_reset') || ty.includes('verification'))).toBe(false);
    for (const i of items) {
      expect(i.description.length).toBeGreaterThan(0);
      // An object schema, or a choice of object schemas (payload versions or variants).
      expect(i.schema.type === 'object' || Array.isArray(i.schema.anyOf)).toBe(true);
    }
  });
});
