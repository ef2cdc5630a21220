// Which answers enter the response cache: an answer is stored the second time its key is computed among the last
// `window` keys computed (the "doorkeeper" of TinyLFU). Under traffic where nearly every key is new (crawlers, random
// price filters), storing every answer evicted another one within a second: the in-process cache churned its whole
// bound each second, its entries lived just long enough for V8 to move them to the old generation, and cold list
// pages ran slower and peaked higher than with no cache at all (docs/benchmarks.md, "Cache admission").
// A key stays remembered once stored, so after a drop (every catalog or stock change) its next answer is stored at once.
import { LRUCache } from 'lru-cache';
import type { Cache } from './cache.ts';

/** How many recently computed keys are remembered (a key and an LRU node each: 1–2 MB in all). */
export const ADMISSION_WINDOW = 10_000;

export function admitOnSecondSet(cache: Cache, window = ADMISSION_WINDOW): Cache {
  const seen = new LRUCache<string, true>({ max: window });
  return {
    kind: cache.kind,
    get: (key) => cache.get(key),
    async set(key, value, ttlSeconds) {
      if (seen.get(key)) return cache.set(key, value, ttlSeconds);
      seen.set(key, true);
    },
    del: (keys) => cache.del(keys),
    delPrefix: (prefix) => cache.delPrefix(prefix),
    ping: () => cache.ping(),
    close: () => cache.close(),
  };
}
