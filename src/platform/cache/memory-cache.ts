// The in-process cache: least recently used entries go first once the entries' size passes `maxBytes`.
// A JavaScript string takes at most two bytes per UTF-16 code unit (V8 stores Latin-1 text in one), so an entry
// counts as 2 × (key length + value length) + a fixed overhead: the bound holds whatever the text is.
import { LRUCache } from 'lru-cache';
import type { Cache } from './cache.ts';

/** Default bound of one in-process cache (CACHE_MAX_BYTES). */
export const DEFAULT_CACHE_MAX_BYTES = 32 * 1024 * 1024;
/** Per-entry bookkeeping beyond the two strings (the LRU's node, map slot, TTL slots), counted against the bound. */
const ENTRY_OVERHEAD_BYTES = 96;

export function entryBytes(key: string, value: string): number {
  return 2 * (key.length + value.length) + ENTRY_OVERHEAD_BYTES;
}

export function createMemoryCache(maxBytes = DEFAULT_CACHE_MAX_BYTES): Cache & { readonly bytes: number } {
  const lru = new LRUCache<string, string>({
    // 0 keeps nothing: every entry is larger than a 1-byte bound (lru-cache needs a positive size).
    maxSize: Math.max(1, maxBytes),
    // lru-cache refuses (does not store) an entry larger than maxSize itself: the bound is never crossed.
    sizeCalculation: (value, key) => entryBytes(key, value),
    ttlAutopurge: false,
  });
  return {
    kind: 'memory',
    get bytes() {
      return lru.calculatedSize;
    },
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
