import type { Redis } from 'ioredis';
import type { Cache } from './cache.ts';

/** Redis-backed cache; keys are namespaced so several apps can share one Redis. */
export function createRedisCache(redis: Redis, namespace = 'emporium:cache:'): Cache {
  const ns = (k: string) => namespace + k;
  return {
    kind: 'redis',
    async get(key) {
      return (await redis.get(ns(key))) ?? undefined;
    },
    async set(key, value, ttlSeconds) {
      await redis.set(ns(key), value, 'EX', Math.max(1, Math.ceil(ttlSeconds)));
    },
    async del(keys) {
      if (keys.length) await redis.del(...keys.map(ns));
    },
    async delPrefix(prefix) {
      let cursor = '0';
      do {
        const [next, found] = await redis.scan(cursor, 'MATCH', `${ns(prefix)}*`, 'COUNT', 500);
        cursor = next;
        if (found.length) await redis.del(...found);
      } while (cursor !== '0');
    },
    async ping() {
      await redis.ping();
    },
    async close() {},
  };
}
