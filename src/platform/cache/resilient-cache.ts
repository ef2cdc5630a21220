// The Redis cache with a per-process fallback: a Redis error or timeout never fails the caller. While Redis is
// away, values live in this process's memory for at most FALLBACK_TTL_SECONDS (other processes cannot see this
// process's invalidations then, so staleness stays short), and every invalidation is applied to both.
import type { Cache } from './cache.ts';
import { createMemoryCache } from './memory-cache.ts';
import type { RedisHealth } from './redis-health.ts';

export const FALLBACK_TTL_SECONDS = 5;

export function createResilientCache(redisCache: Cache, health: RedisHealth, localMaxBytes?: number): Cache {
  const local = createMemoryCache(localMaxBytes);
  health.onRecovered(async () => {
    await redisCache.delPrefix('');
    await local.delPrefix('');
  });

  async function viaRedis<T>(op: () => Promise<T>, fallback: () => Promise<T>): Promise<T> {
    if (!health.up) return fallback();
    try {
      return await op();
    } catch (e) {
      health.failed(e);
      return fallback();
    }
  }

  return {
    kind: 'redis',
    get: (key) =>
      viaRedis(
        () => redisCache.get(key),
        () => local.get(key),
      ),
    set: (key, value, ttlSeconds) =>
      viaRedis(
        () => redisCache.set(key, value, ttlSeconds),
        () => local.set(key, value, Math.min(ttlSeconds, FALLBACK_TTL_SECONDS)),
      ),
    async del(keys) {
      await local.del(keys);
      await viaRedis(
        () => redisCache.del(keys),
        async () => {},
      );
    },
    async delPrefix(prefix) {
      await local.delPrefix(prefix);
      await viaRedis(
        () => redisCache.delPrefix(prefix),
        async () => {},
      );
    },
    /** Readiness asks Redis itself, not the fallback. */
    ping: () => redisCache.ping(),
    async close() {
      await local.close();
      await redisCache.close();
    },
  };
}
