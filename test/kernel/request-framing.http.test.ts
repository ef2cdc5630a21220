// What reaches the server below the JSON level: bytes that are not UTF-8, another charset, a compressed body, a
// request Node's HTTP parser refuses, and problem documents that would grow without bound. Each is a problem+json
// with a stable code, and nothing is written.
import { connect } from 'node:net';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/create-test-app.ts';

let t: TestApp;
let port: number;
beforeAll(async () => {
  t = await createTestApp({ workers: false });
  await t.http.listen({ port: 0, host: '127.0.0.1' });
  const addr = t.http.server.address();
  port = typeof addr === 'object' && addr ? addr.port : 0;
});
afterAll(async () => {
  await t?.close();
});

const count = async (table: string) =>
  Number((await sql<{ n: string }>`select count(*) as n from ${sql.raw(table)}`.execute(t.kernel.db.k)).rows[0]?.n);

const problemOf = (res: { statusCode: number; headers: Record<string, unknown>; json: () => unknown }) => {
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  const body = res.json() as { status: number; code: string; detail?: string; errors?: unknown[] };
  expect(body.status).toBe(res.statusCode);
  return body;
};

/** `{"shippingAddress":{"name":"Jos\xe9",…}}`: a Latin-1 é, not valid UTF-8. */
const latin1Address = Buffer.concat([
  Buffer.from('{"shippingAddress":{"name":"Jos'),
  Buffer.from([0xe9]),
  Buffer.from('","line1":"x","city":"y","postalCode":"1","country":"DE"}}'),
]);

async function newCart() {
  const res = await t.http.inject({ method: 'POST', url: '/v1/carts', payload: { currency: 'EUR', country: 'DE' } });
  expect(res.statusCode).toBe(201);
  const c = res.json() as { id: string; token: string };
  return { id: c.id, headers: { 'x-cart-token': c.token } };
}

async function shippingAddressOf(cart: { id: string; headers: Record<string, string> }) {
  const res = await t.http.inject({ method: 'GET', url: `/v1/carts/${cart.id}`, headers: cart.headers });
  return (res.json() as { shippingAddress: unknown }).shippingAddress;
}

describe('JSON bodies are UTF-8 and uncompressed [REQ-KER-003]', () => {
  it('[REQ-KER-003] a body that is not valid UTF-8 → 400 request.malformed_json; the cart keeps no address', async () => {
    const cart = await newCart();
    for (const contentType of ['application/json', 'application/json; charset=utf-8']) {
      const res = await t.http.inject({
        method: 'PATCH',
        url: `/v1/carts/${cart.id}`,
        headers: { ...cart.headers, 'content-type': contentType },
        payload: latin1Address,
      });
      expect([contentType, res.statusCode, problemOf(res).code]).toEqual([contentType, 400, 'request.malformed_json']);
      expect(problemOf(res).detail).toBe('The body is not valid UTF-8.');
    }
    expect(await shippingAddressOf(cart)).toBeNull();
  });

  it('[REQ-KER-003] invalid UTF-8 on register → 400, no account; a valid UTF-8 name is kept as sent', async () => {
    const before = await count('identity.users');
    const email = `utf8-${Date.now()}@example.com`;
    const body = (name: Buffer) =>
      Buffer.concat([
        Buffer.from(`{"email":"${email}","password":"correct-horse-42","name":"`),
        name,
        Buffer.from('"}'),
      ]);
    const bad = await t.http.inject({
      method: 'POST',
      url: '/v1/auth/register',
      headers: { 'content-type': 'application/json' },
      payload: body(Buffer.from([0x4a, 0x6f, 0x73, 0xe9])),
    });
    expect([bad.statusCode, problemOf(bad).code]).toEqual([400, 'request.malformed_json']);
    expect(await count('identity.users')).toBe(before);
    const good = await t.http.inject({
      method: 'POST',
      url: '/v1/auth/register',
      headers: { 'content-type': 'application/json; charset=UTF-8' },
      payload: body(Buffer.from('José')),
    });
    expect(good.statusCode).toBe(201);
    expect((good.json() as { user: { name: string } }).user.name).toBe('José');
  });

  it('[REQ-KER-003] a JSON content type with another charset → 415 request.unsupported_media_type', async () => {
    const cart = await newCart();
    for (const charset of ['iso-8859-1', '"windows-1252"', 'utf-16']) {
      const res = await t.http.inject({
        method: 'PATCH',
        url: `/v1/carts/${cart.id}`,
        headers: { ...cart.headers, 'content-type': `application/json; charset=${charset}` },
        payload: latin1Address,
      });
      expect([charset, res.statusCode, problemOf(res).code]).toEqual([charset, 415, 'request.unsupported_media_type']);
    }
    expect(await shippingAddressOf(cart)).toBeNull();
  });

  it('[REQ-KER-003] a Content-Encoding other than identity → 415 with Accept-Encoding: identity', async () => {
    const cart = await newCart();
    const payload = JSON.stringify({
      shippingAddress: { name: 'Jo', line1: 'x', city: 'y', postalCode: '1', country: 'DE' },
    });
    for (const coding of ['gzip', 'br', 'identity, deflate']) {
      const res = await t.http.inject({
        method: 'PATCH',
        url: `/v1/carts/${cart.id}`,
        headers: { ...cart.headers, 'content-type': 'application/json', 'content-encoding': coding },
        payload,
      });
      expect([coding, res.statusCode, problemOf(res).code]).toEqual([coding, 415, 'request.unsupported_media_type']);
      expect(res.headers['accept-encoding']).toBe('identity');
    }
    expect(await shippingAddressOf(cart)).toBeNull();
    const identity = await t.http.inject({
      method: 'PATCH',
      url: `/v1/carts/${cart.id}`,
      headers: { ...cart.headers, 'content-type': 'application/json', 'content-encoding': 'identity' },
      payload,
    });
    expect(identity.statusCode).toBe(200);
  });
});

/** Sends raw bytes to the listening server and returns what came back before the connection closed. */
function rawRequest(text: string): Promise<{ head: string; body: string }> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', () => {});
    socket.on('close', () => {
      const all = Buffer.concat(chunks).toString();
      const at = all.indexOf('\r\n\r\n');
      resolve({ head: all.slice(0, at), body: all.slice(at + 4) });
    });
    socket.end(text);
  });
}

describe("requests Node's HTTP parser refuses are problem+json [REQ-KER-003]", () => {
  const cases: [string, string, number, string][] = [
    [
      'headers over the limit',
      `GET /v1/products?foo=${'x'.repeat(17_000)} HTTP/1.1\r\nHost: a\r\n\r\n`,
      431,
      'request.header_too_large',
    ],
    [
      'a control character in a header value',
      'GET /v1/products HTTP/1.1\r\nHost: a\r\nX-Cart-Token: a\x01b\r\n\r\n',
      400,
      'request.malformed',
    ],
    ['a bad header name', 'GET /v1/products HTTP/1.1\r\nHost: a\r\nBad Name: x\r\n\r\n', 400, 'request.malformed'],
    [
      'Content-Length with Transfer-Encoding',
      'POST /v1/carts HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
      400,
      'request.malformed',
    ],
    ['a garbage request line', 'HELLO THERE\r\n\r\n', 400, 'request.malformed'],
  ];
  for (const [name, request, status, code] of cases) {
    it(`[REQ-KER-003] ${name} → ${status} ${code}`, async () => {
      const carts = await count('cart.carts');
      const res = await rawRequest(request);
      expect(res.head).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
      expect(res.head.toLowerCase()).toContain('content-type: application/problem+json');
      const body = JSON.parse(res.body) as Record<string, unknown>;
      expect(body).toMatchObject({ status, code, type: `https://emporium.dev/problems/${code}` });
      expect(body.traceId).toMatch(/^[0-9a-f]{32}$/);
      expect(await count('cart.carts')).toBe(carts);
    });
  }
});

describe('problem documents stay within their documented bounds [REQ-KER-003]', () => {
  it('[REQ-KER-003] 250 unknown query parameters → a detail of at most 10000 characters', async () => {
    const query = Array.from({ length: 250 }, (_, i) => `unknown_parameter_number_${i}=1`).join('&');
    const res = await t.http.inject({ method: 'GET', url: `/v1/products?${query}` });
    const body = problemOf(res);
    expect([res.statusCode, body.code]).toEqual([400, 'request.validation_failed']);
    expect(body.detail?.length).toBeLessThanOrEqual(10_000);
    expect(body.errors?.length).toBeLessThanOrEqual(100);
  });

  it('[REQ-KER-003] 5000 unknown keys → the first 100 errors, a detail saying 5000 and cut to 10000; no cart', async () => {
    const before = await count('cart.carts');
    const payload: Record<string, unknown> = { currency: 'EUR', country: 'DE' };
    for (let i = 0; i < 5000; i++) payload[`unknown_${i}`] = 1;
    const res = await t.http.inject({ method: 'POST', url: '/v1/carts', payload });
    const body = problemOf(res);
    expect([res.statusCode, body.code]).toEqual([400, 'request.validation_failed']);
    expect(body.errors).toHaveLength(100);
    expect(body.detail?.startsWith('5000 errors; the first 100 are listed.')).toBe(true);
    expect(body.detail?.length).toBeLessThanOrEqual(10_000);
    expect(body.detail?.endsWith('…')).toBe(true);
    expect(await count('cart.carts')).toBe(before);
  });
});
