import { Redis } from 'ioredis';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { needsRedis, TEST_REDIS_URL } from '../../../test/support/services.ts';
import type { Cache } from './cache.ts';
import { createMemoryCache, entryBytes } from './memory-cache.ts';
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
  it('[REQ-KER-022] in-memory: the entries never take more than maxBytes; the least recently used go first', async () => {
    const page = 'x'.repeat(10_000);
    const one = entryBytes('catalog:json:00', page);
    const cache = createMemoryCache(one * 5);
    for (let i = 0; i < 5; i++) await cache.set(`catalog:json:${String(i).padStart(2, '0')}`, page, 60);
    expect(cache.bytes).toBe(one * 5);
    await cache.get('catalog:json:00'); // now the most recently used
    await cache.set('catalog:json:05', page, 60);
    expect(await cache.get('catalog:json:01')).toBeUndefined(); // the least recently used went
    expect(await cache.get('catalog:json:00')).toBe(page);
    for (let i = 6; i < 50; i++) {
      await cache.set(`catalog:json:${String(i).padStart(2, '0')}`, page, 60);
      expect(cache.bytes).toBeLessThanOrEqual(one * 5);
    }
    expect(await cache.get('catalog:json:45')).toBe(page);
    expect(await cache.get('catalog:json:44')).toBeUndefined();
    // A value larger than the whole bound is not kept (and never evicts the rest to make room).
    await cache.set('catalog:json:huge', 'y'.repeat(one * 3), 60);
    expect(await cache.get('catalog:json:huge')).toBeUndefined();
    expect(await cache.get('catalog:json:49')).toBe(page);
    // Two bytes per UTF-16 unit: non-Latin text counts no more than it can take.
    expect(entryBytes('k', 'ü€😀')).toBe(2 * (1 + 4) + entryBytes('', ''));
    // 0 turns the in-process cache off: nothing is kept.
    const off = createMemoryCache(0);
    await off.set('catalog:json:a', 'v', 60);
    expect(await off.get('catalog:json:a')).toBeUndefined();
  });
  it.skipIf(!redis)(`[REQ-KER-014] Redis: the same behaviour, namespaced ${needsRedis}`, async () => {
    const ns = `test:cache:${Date.now()}:`;
    await exercise(createRedisCache(redis as Redis, ns));
    await redis?.set('outside-namespace', '1');
    await createRedisCache(redis as Redis, ns).delPrefix('');
    expect(await redis?.get('outside-namespace')).toBe('1');
    await redis?.del('outside-namespace');
  });
  it.skipIf(!redis)(
    `[REQ-KER-023] Redis: dropping a segment is one write, whatever the number of keys ${needsRedis}`,
    async () => {
      const ns = `test:cache:gen:${Date.now()}:`;
      const client = redis as Redis;
      const cache = createRedisCache(client, ns);
      for (let i = 0; i < 300; i++) await cache.set(`catalog:json:${i}`, `page ${i}`, 60);
      await cache.set('search:q:1', 'hit', 60);
      const scan = vi.spyOn(client, 'scan');
      const sent = vi.spyOn(client, 'set');
      await cache.delPrefix('catalog:');
      expect(scan).not.toHaveBeenCalled();
      expect(sent).toHaveBeenCalledTimes(1);
      scan.mockRestore();
      sent.mockRestore();
      expect(await cache.get('catalog:json:0')).toBeUndefined();
      expect(await cache.get('catalog:json:299')).toBeUndefined();
      expect(await cache.get('search:q:1')).toBe('hit'); // another segment is untouched
      // A generation lost (evicted, or Redis restarted without its data) never brings back an older value.
      await cache.set('catalog:json:7', 'before', 60);
      await client.del(`${ns}{catalog}:gen`);
      expect(await cache.get('catalog:json:7')).toBeUndefined();
      await cache.set('catalog:json:7', 'after', 60);
      expect(await cache.get('catalog:json:7')).toBe('after');
      // Every key stays inside the namespace; the empty prefix clears it all.
      expect((await client.keys(`${ns}*`)).length).toBeGreaterThan(300);
      await cache.delPrefix('');
      expect(await client.keys(`${ns}*`)).toEqual([]);
    },
  );
});
