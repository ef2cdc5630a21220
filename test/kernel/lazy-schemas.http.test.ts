// Route schemas compile on first use (src/platform/http/lazy-compile.ts): every one of the real app's validators and
// response serializers must still build, and requests answer as with schemas compiled at start-up.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileAllSchemas } from '../../src/platform/http/server.ts';
import { createTestApp, type TestApp } from '../support/create-test-app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ workers: false, services: false });
});
afterAll(async () => {
  await t.close();
});

describe('route schemas compiled on first use [REQ-KER-024]', () => {
  it('validates a query string and answers problem+json with the failing fields', async () => {
    const res = await t.http.inject({ method: 'GET', url: '/v1/products?limit=many' });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toMatchObject({ code: 'request.validation_failed', status: 400 });
    expect(res.json().errors.length).toBeGreaterThan(0);
  });

  it('serializes a response with its schema (health)', async () => {
    const res = await t.http.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
  });

  it('every route schema of the app compiles', () => {
    expect(t.routes.length).toBeGreaterThan(50);
    // At least one response serializer (500) per documented route, plus validators.
    expect(compileAllSchemas(t.http)).toBeGreaterThan(t.routes.length);
    expect(compileAllSchemas(t.http)).toBe(0);
  });
});
