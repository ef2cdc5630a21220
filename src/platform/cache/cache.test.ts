import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { needsRedis, TEST_REDIS_URL } from '../../../test/support/services.ts';
import type { Cache } from './cache.ts';
import { createMemoryCache } from './memory-cache.ts';
import { createRedisCache } from './redis-cache.ts';

const redis = TEST_REDIS_URL ? new Redis(TEST_REDIS_URL) : undefined;
afterAll(async () => {
  await redis?.quit();
});

async function exercise(cache: Cache) {
  await cache.set('product:1', 'a', 60);
  await cache.set('product:2', 'b', 60);
  await cache.set('list:1', 'c', 60);
  expect(await cache.get('product:1')).toBe('a');
  await cache.del(['product:1']);
  expect(await cache.get('product:1')).toBeUndefined();
  await cache.delPrefix('product:');
  expect(await cache.get('product:2')).toBeUndefined();
  expect(await cache.get('list:1')).toBe('c');
  await cache.set('short', 'x', 1);
  await new Promise((r) => setTimeout(r, 1100));
  expect(await cache.get('short')).toBeUndefined();
}

describe('cache [REQ-KER-014]', () => {
  it('[REQ-KER-014] in-memory: get, set with TTL, delete, delete by prefix', async () => {
    await exercise(createMemoryCache());
  });
  it.skipIf(!redis)(`[REQ-KER-014] Redis: the same behaviour, namespaced ${needsRedis}`, async () => {
    const ns = `test:cache:${Date.now()}:`;
    await exercise(createRedisCache(redis as Redis, ns));
    await redis?.set('outside-namespace', '1');
    await createRedisCache(redis as Redis, ns).delPrefix('');
    expect(await redis?.get('outside-namespace')).toBe('1');
    await redis?.del('outside-namespace');
  });
});
