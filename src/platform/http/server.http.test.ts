import { Writable } from 'node:stream';
import { Type } from 'typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/support/create-test-app.ts';
import { fakeAuth } from '../../../test/support/fake-auth.ts';
import { AppError } from '../errors.ts';
import { sendWithEtag } from './etag.ts';

const logs: string[] = [];
const logStream = new Writable({
  write(chunk, _enc, cb) {
    logs.push(chunk.toString());
    cb();
  },
});

let t: TestApp;
let calls = 0;

beforeAll(async () => {
  t = await createTestApp({
    logStream,
    // A fake identity: this file tests the platform, not token validation.
    authenticate: fakeAuth,
    env: { BODY_LIMIT_BYTES: '2048', CORS_ORIGINS: 'https://shop.example.com' },
    extraRoutes: (app) => {
      app.post(
        '/v1/test/things',
        {
          schema: {
            body: Type.Object(
              { name: Type.String({ minLength: 1 }), quantity: Type.Integer({ minimum: 1, maximum: 999 }) },
              { additionalProperties: false },
            ),
            response: { 201: Type.Object({ name: Type.String(), quantity: Type.Integer() }) },
          },
        },
        async (req, reply) => {
          calls++;
          return reply.code(201).send(req.body);
        },
      );
      app.get('/v1/test/boom', async () => {
        throw new Error('secret internal detail at /srv/app.ts:42');
      });
      app.get('/v1/test/conflict', async () => {
        throw new AppError(409, 'test.conflict', 'Conflict', { detail: 'already there', extra: { field: 'sku' } });
      });
      app.get('/v1/test/etag', async (req, reply) => sendWithEtag(req, reply, { hello: 'world', n: 1 }));
      app.post('/v1/test/login', async (req) => {
        req.log.info({ body: req.body, headers: req.headers }, 'login attempt');
        return { ok: true };
      });
    },
  });
});
afterAll(async () => {
  await t.close();
});

function expectProblem(
  res: { statusCode: number; headers: Record<string, unknown>; json: () => unknown },
  status: number,
  code: string,
) {
  expect(res.statusCode).toBe(status);
  expect(String(res.headers['content-type'])).toMatch(/^application\/problem\+json/);
  const body = res.json() as Record<string, unknown>;
  expect(body.status).toBe(status);
  expect(body.code).toBe(code);
  expect(typeof body.traceId).toBe('string');
  expect(body.type).toBe(`https://emporium.dev/problems/${code}`);
  return body;
}

describe('problem+json errors [REQ-KER-003]', () => {
  it('[REQ-KER-003] malformed JSON → 400 request.malformed_json, handler not run', async () => {
    const before = calls;
    const res = await t.http.inject({
      method: 'POST',
      url: '/v1/test/things',
      headers: { 'content-type': 'application/json' },
      payload: '{"name": "a",',
    });
    expectProblem(res, 400, 'request.malformed_json');
    expect(calls).toBe(before);
  });

  it('[REQ-KER-003] wrong content type → 415, handler not run', async () => {
    const before = calls;
    const res = await t.http.inject({
      method: 'POST',
      url: '/v1/test/things',
      headers: { 'content-type': 'text/xml' },
      payload: '<thing/>',
    });
    expectProblem(res, 415, 'request.unsupported_media_type');
    expect(calls).toBe(before);
  });

  it('[REQ-KER-003] a text/plain body on a JSON route → 415, handler not run', async () => {
    const before = calls;
    const res = await t.http.inject({
      method: 'POST',
      url: '/v1/test/things',
      headers: { 'content-type': 'text/plain' },
      payload: JSON.stringify({ name: 'x' }),
    });
    expectProblem(res, 415, 'request.unsupported_media_type');
    expect(calls).toBe(before);
  });

  it('[REQ-KER-003] oversized body → 413, handler not run', async () => {
    const before = calls;
    const res = await t.http.inject({
      method: 'POST',
      url: '/v1/test/things',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ name: 'x'.repeat(5000), quantity: 1 }),
    });
    expectProblem(res, 413, 'request.body_too_large');
    expect(calls).toBe(before);
  });

  it('[REQ-KER-003] schema violations list every bad field', async () => {
    const before = calls;
    const res = await t.http.inject({
      method: 'POST',
      url: '/v1/test/things',
      payload: { name: '', quantity: 0, extra: true },
    });
    const body = expectProblem(res, 400, 'request.validation_failed');
    const fields = (body.errors as { field: string }[]).map((e) => e.field).sort();
    expect(fields).toEqual(['body/extra', 'body/name', 'body/quantity']);
    expect(calls).toBe(before);
  });

  it('[REQ-KER-003] missing required fields are named', async () => {
    const res = await t.http.inject({ method: 'POST', url: '/v1/test/things', payload: {} });
    const body = expectProblem(res, 400, 'request.validation_failed');
    expect((body.errors as { field: string }[]).map((e) => e.field).sort()).toEqual(['body/name', 'body/quantity']);
  });

  it('[REQ-KER-003] a valid request passes', async () => {
    const res = await t.http.inject({ method: 'POST', url: '/v1/test/things', payload: { name: 'a', quantity: 2 } });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toEqual({ name: 'a', quantity: 2 });
  });

  it('[REQ-KER-003] unknown route → 404 request.route_not_found', async () => {
    const res = await t.http.inject({ method: 'GET', url: '/v1/nothing-here' });
    const body = expectProblem(res, 404, 'request.route_not_found');
    expect(body.instance).toBe('/v1/nothing-here');
  });

  it('[REQ-KER-003] known path with the wrong method → 405 with Allow', async () => {
    const res = await t.http.inject({ method: 'DELETE', url: '/healthz' });
    expectProblem(res, 405, 'request.method_not_allowed');
    expect(res.headers.allow).toBe('GET, HEAD');
  });

  it('[REQ-KER-003] unexpected error → 500 with traceId and no internals', async () => {
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const res = await t.http.inject({
      method: 'GET',
      url: '/v1/test/boom',
      headers: { 'x-request-id': 'trace-500', traceparent },
    });
    const body = expectProblem(res, 500, 'internal');
    // The trace id of the request's traceparent (docs/tracing.md); X-Request-Id is echoed, not the traceId.
    expect(body.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(res.headers['x-request-id']).toBe('trace-500');
    expect(res.body).not.toContain('secret internal detail');
    expect(res.body).not.toContain('.ts:');
  });

  it('[REQ-KER-003] a domain error keeps its code, status and extra members', async () => {
    const res = await t.http.inject({ method: 'GET', url: '/v1/test/conflict' });
    const body = expectProblem(res, 409, 'test.conflict');
    expect(body.field).toBe('sku');
    expect(body.detail).toBe('already there');
  });
});

describe('request ids [REQ-KER-005]', () => {
  it('[REQ-KER-005] echoes a valid X-Request-Id', async () => {
    const res = await t.http.inject({ method: 'GET', url: '/healthz', headers: { 'x-request-id': 'abc-123' } });
    expect(res.headers['x-request-id']).toBe('abc-123');
  });
  it('[REQ-KER-005] generates one when absent or unsafe', async () => {
    const a = await t.http.inject({ method: 'GET', url: '/healthz' });
    const b = await t.http.inject({
      method: 'GET',
      url: '/healthz',
      headers: { 'x-request-id': 'bad id\nwith newline' },
    });
    expect(a.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(b.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(a.headers['x-request-id']).not.toBe(b.headers['x-request-id']);
  });
});

describe('logs [REQ-KER-011]', () => {
  it('[REQ-KER-011] [REQ-PRV-006] redact passwords, tokens, authorization headers, cookies and personal fields', async () => {
    const res = await t.http.inject({
      method: 'POST',
      url: '/v1/test/login',
      headers: { authorization: 'Bearer sekret-access-token', cookie: 'sid=sekret-cookie', 'x-request-id': 'log-1' },
      payload: { email: 'a@b.example', password: 'hunter2-sekret', refreshToken: 'sekret-refresh' },
    });
    expect(res.statusCode).toBe(200);
    const line = logs.find((l) => l.includes('login attempt'));
    expect(line).toBeDefined();
    expect(line).toContain('"requestId":"log-1"');
    expect(line).toMatch(/"traceId":"[0-9a-f]{32}"/);
    expect(line).toContain('"email":"[redacted]"');
    for (const secret of ['sekret-access-token', 'sekret-cookie', 'hunter2-sekret', 'sekret-refresh', 'a@b.example']) {
      expect(logs.join('\n')).not.toContain(secret);
    }
  });
});

describe('ETags [REQ-KER-012]', () => {
  it('[REQ-KER-012] strong ETag, 304 on If-None-Match, 200 on a stale tag', async () => {
    const first = await t.http.inject({ method: 'GET', url: '/v1/test/etag' });
    expect(first.statusCode).toBe(200);
    expect(first.json()).toEqual({ hello: 'world', n: 1 });
    const etag = String(first.headers.etag);
    expect(etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
    const second = await t.http.inject({ method: 'GET', url: '/v1/test/etag', headers: { 'if-none-match': etag } });
    expect(second.statusCode).toBe(304);
    expect(second.body).toBe('');
    const stale = await t.http.inject({ method: 'GET', url: '/v1/test/etag', headers: { 'if-none-match': '"other"' } });
    expect(stale.statusCode).toBe(200);
  });
});

describe('security headers and CORS [REQ-KER-015]', () => {
  it('[REQ-KER-015] sets security headers', async () => {
    const res = await t.http.inject({ method: 'GET', url: '/healthz' });
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['strict-transport-security']).toContain('max-age=');
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(res.headers['x-powered-by']).toBeUndefined();
  });
  it('[REQ-KER-015] allows configured origins only', async () => {
    const ok = await t.http.inject({
      method: 'OPTIONS',
      url: '/healthz',
      headers: { origin: 'https://shop.example.com', 'access-control-request-method': 'GET' },
    });
    expect(ok.headers['access-control-allow-origin']).toBe('https://shop.example.com');
    const bad = await t.http.inject({
      method: 'GET',
      url: '/healthz',
      headers: { origin: 'https://evil.example.com' },
    });
    expect(bad.headers['access-control-allow-origin']).toBeUndefined();
  });
});
