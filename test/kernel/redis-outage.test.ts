// Redis down or slow: the cache and the rate limits go per-process with a warning log and dependency_up{redis} 0;
// requests never fail because of it; /readyz says "degraded" and stays 200; when Redis answers again the process
// switches back by itself. Runs against a redis-server of its own, which it kills and restarts.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestApp, type TestApp } from '../support/create-test-app.ts';
import { type OwnRedis, redisServerPath, startOwnRedis } from '../support/own-redis.ts';
import { needsRedis } from '../support/services.ts';

const skip = needsRedis || (redisServerPath() ? '' : 'needs redis-server');
const LIMIT = 25;

describe.skipIf(skip)('Redis outage [REQ-RES-004]', () => {
  let redis: OwnRedis;
  let t: TestApp;
  const logs: Array<{ level: number; msg: string }> = [];
  beforeAll(async () => {
    redis = await startOwnRedis();
    t = await createTestApp({
      services: false,
      workers: false,
      env: { REDIS_URL: redis.url, RATE_LIMIT_MAX: String(LIMIT), RATE_LIMIT_WINDOW_MS: '600000' },
      logStream: { write: (line: string) => void logs.push(JSON.parse(line)) },
    });
  });
  afterAll(async () => {
    await t?.close();
    await redis?.stop();
  });

  const get = (url: string, ip: string) => t.http.inject({ method: 'GET', url, remoteAddress: ip });
  const metric = async (re: RegExp) => re.test((await get('/metrics', '127.0.0.1')).body);

  it('[REQ-RES-004] with Redis down: reads answer 200, the limit still holds per process, /readyz is degraded; then recovers', async () => {
    expect((await get('/readyz', '127.0.0.1')).json()).toMatchObject({ status: 'ready', checks: { redis: 'ok' } });
    await redis.stop();

    // Every request is answered (catalog reads use the cache; every request counts against the rate limit).
    const statuses: number[] = [];
    for (let i = 0; i < LIMIT + 5; i++) statuses.push((await get('/v1/products?limit=1', '10.0.0.7')).statusCode);
    expect(statuses.slice(0, LIMIT).every((s) => s === 200)).toBe(true);
    expect(statuses.slice(LIMIT)).toEqual([429, 429, 429, 429, 429]);
    expect(statuses).not.toContain(500);

    const ready = await get('/readyz', '127.0.0.1');
    expect(ready.statusCode).toBe(200);
    expect(ready.json().status).toBe('degraded');
    expect(ready.json().checks.redis).toMatch(/^degraded: /);
    expect(ready.json().checks.database).toBe('ok');
    expect(await metric(/dependency_up\{dependency="redis"\} 0/)).toBe(true);
    expect(await metric(/dependency_errors_total\{dependency="redis",kind="[a-z]+"\} [1-9]/)).toBe(true);
    const warned = logs.filter((l) => l.msg.startsWith('redis unavailable: cache and rate limits are per-process'));
    expect(warned).toHaveLength(1);

    await redis.start();
    await vi.waitFor(async () => expect((await get('/readyz', '127.0.0.1')).json().status).toBe('ready'), {
      timeout: 10_000,
      interval: 100,
    });
    await vi.waitFor(async () => expect(await metric(/dependency_up\{dependency="redis"\} 1/)).toBe(true), {
      timeout: 10_000,
      interval: 100,
    });
    expect(logs.some((l) => l.msg === 'redis available again')).toBe(true);
    // Shared counters again: a new client starts from zero in Redis (the restarted server kept nothing).
    expect((await get('/v1/products?limit=1', '10.0.0.8')).statusCode).toBe(200);
  });

  it('[REQ-RES-004] with Redis slower than REDIS_COMMAND_TIMEOUT_MS: requests are still answered, not 5xx', async () => {
    // DEBUG SLEEP blocks the server for 2 s: every command times out after 500 ms meanwhile.
    const { Redis } = await import('ioredis');
    const admin = new Redis(redis.url);
    const sleeping = admin.call('DEBUG', 'SLEEP', '2').catch(() => undefined);
    await new Promise((r) => setTimeout(r, 50));
    const during = await Promise.all(Array.from({ length: 5 }, () => get('/v1/products?limit=2', '10.0.0.9')));
    for (const r of during) expect(r.statusCode).toBe(200);
    await sleeping;
    admin.disconnect();
    await vi.waitFor(async () => expect((await get('/readyz', '127.0.0.1')).json().status).toBe('ready'), {
      timeout: 10_000,
      interval: 100,
    });
  });

  it('[REQ-RES-004] a process started while Redis is down starts degraded and switches to Redis when it comes up', async () => {
    await redis.stop();
    const late = await createTestApp({
      services: false,
      workers: false,
      env: { REDIS_URL: redis.url },
    });
    try {
      const ready = await late.http.inject({ method: 'GET', url: '/readyz' });
      expect(ready.statusCode).toBe(200);
      expect(ready.json().status).toBe('degraded');
      expect((await late.http.inject({ method: 'GET', url: '/v1/products?limit=1' })).statusCode).toBe(200);
      await redis.start();
      await vi.waitFor(
        async () => expect((await late.http.inject({ method: 'GET', url: '/readyz' })).json().status).toBe('ready'),
        { timeout: 10_000, interval: 100 },
      );
    } finally {
      await late.close();
    }
  });
});
