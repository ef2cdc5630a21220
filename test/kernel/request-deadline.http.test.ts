// REQUEST_TIMEOUT_MS: a request still running at its deadline answers 503 request.timeout; its Idempotency-Key
// stays locked, so a retry cannot run the same operation a second time while the first is still going.
import { Type } from 'typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/platform/config.ts';
import { access } from '../../src/platform/http/auth.ts';
import { createTestApp, type TestApp } from '../support/create-test-app.ts';

let t: TestApp;
let runs = 0;
let finished = 0;
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  t = await createTestApp({
    services: false,
    workers: false,
    env: { REQUEST_TIMEOUT_MS: '300' },
    extraRoutes: (http) => {
      http.get(
        '/test/wait',
        { config: { access: access.public }, schema: { querystring: Type.Object({ ms: Type.Integer() }) } },
        async (req) => {
          await wait(req.query.ms);
          return { waited: req.query.ms };
        },
      );
      http.post('/test/slow-write', { config: { access: access.public, idempotency: true } }, async () => {
        runs++;
        await wait(800);
        finished++;
        return { done: true };
      });
    },
  });
});
afterAll(async () => {
  await t?.close();
});

describe('request deadline [REQ-RES-003]', () => {
  it('[REQ-RES-003] past REQUEST_TIMEOUT_MS: 503 request.timeout with Retry-After, counted; a faster request is untouched', async () => {
    const fast = await t.http.inject({ method: 'GET', url: '/test/wait?ms=10' });
    expect(fast.statusCode).toBe(200);
    const slow = await t.http.inject({ method: 'GET', url: '/test/wait?ms=1500' });
    expect(slow.statusCode).toBe(503);
    expect(slow.headers['content-type']).toContain('application/problem+json');
    expect(slow.json()).toMatchObject({ code: 'request.timeout', status: 503 });
    expect(slow.headers['retry-after']).toBe('1');
    const metrics = (await t.http.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(/http_request_timeouts_total 1/);
  });

  it('[REQ-RES-003] a retry with the same Idempotency-Key while the timed-out work still runs does not run it again', async () => {
    const headers = { 'idempotency-key': 'deadline-key-1', 'content-type': 'application/json' };
    const first = await t.http.inject({ method: 'POST', url: '/test/slow-write', headers, payload: {} });
    expect(first.statusCode).toBe(503);
    expect(first.json().code).toBe('request.timeout');
    const retry = await t.http.inject({ method: 'POST', url: '/test/slow-write', headers, payload: {} });
    expect(retry.statusCode).toBe(409);
    expect(retry.json().code).toBe('idempotency.in_progress');
    expect(runs).toBe(1);
    await wait(800);
    expect(finished).toBe(1);
  });

  it('[REQ-RES-003] the new limits are validated at start', () => {
    expect(() => loadConfig({ REQUEST_TIMEOUT_MS: 'soon' })).toThrow(ConfigError);
    expect(() => loadConfig({ DATABASE_POOL_WAIT_MS: '5' })).toThrow(/DATABASE_POOL_WAIT_MS must be an integer/);
    expect(() => loadConfig({ DATABASE_STATEMENT_TIMEOUT_MS: '-1' })).toThrow(/DATABASE_STATEMENT_TIMEOUT_MS/);
    expect(() => loadConfig({ REDIS_COMMAND_TIMEOUT_MS: '0' })).toThrow(/REDIS_COMMAND_TIMEOUT_MS/);
    const c = loadConfig({});
    expect([c.requestTimeoutMs, c.dbPoolWaitMs, c.dbStatementTimeoutMs, c.dbIdleInTransactionTimeoutMs]).toEqual([
      30_000, 5_000, 30_000, 60_000,
    ]);
  });
});
