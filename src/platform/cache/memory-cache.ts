import { LRUCache } from 'lru-cache';
import type { Cache } from './cache.ts';

export function createMemoryCache(maxEntries = 10_000): Cache {
  const lru = new LRUCache<string, string>({ max: maxEntries, ttlAutopurge: false });
  return {
    kind: 'memory',
    async get(key) {
      return lru.get(key);
    },
    async set(key, value, ttlSeconds) {
      lru.set(key, value, { ttl: ttlSeconds * 1000 });
    },
    async del(keys) {
      for (const k of keys) lru.delete(k);
    },
    async delPrefix(prefix) {
      for (const k of [...lru.keys()]) if (k.startsWith(prefix)) lru.delete(k);
    },
    async ping() {},
    async close() {
      lru.clear();
    },
  };
}
