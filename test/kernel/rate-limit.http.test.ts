import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/create-test-app.ts';
import { needsRedis, TEST_REDIS_URL } from '../support/services.ts';

const apps: TestApp[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.close()));
});

describe('rate limits [REQ-KER-006]', () => {
  it('[REQ-KER-006] the request past the limit gets 429 problem+json with Retry-After; health is exempt', async () => {
    const t = await createTestApp({ services: false, env: { RATE_LIMIT_MAX: '3', RATE_LIMIT_WINDOW_MS: '60000' } });
    apps.push(t);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await t.http.inject({ method: 'GET', url: '/v1/none' })).statusCode);
    expect(statuses).toEqual([404, 404, 404, 429]);
    const res = await t.http.inject({ method: 'GET', url: '/v1/none' });
    expect(res.statusCode).toBe(429);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json().code).toBe('request.rate_limited');
    expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect((await t.http.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
  });

  it.skipIf(!TEST_REDIS_URL)(
    `[REQ-KER-006] with Redis the limit holds across two app processes sharing it ${needsRedis}`,
    async () => {
      const prefix = `test:rl:${Date.now()}:`;
      const env = { RATE_LIMIT_MAX: '4', RATE_LIMIT_WINDOW_MS: '60000', REDIS_KEY_PREFIX: prefix };
      const a = await createTestApp({ env });
      const b = await createTestApp({ env });
      apps.push(a, b);
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) {
        statuses.push((await a.http.inject({ method: 'GET', url: '/v1/none' })).statusCode);
        statuses.push((await b.http.inject({ method: 'GET', url: '/v1/none' })).statusCode);
      }
      expect(statuses.filter((s) => s === 404)).toHaveLength(4);
      expect(statuses.filter((s) => s === 429)).toHaveLength(2);
    },
  );
});
