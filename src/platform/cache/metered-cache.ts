// Counts a cache's reads as hits and misses (`cache_hits_total`, `cache_misses_total`) by cache name: the key's
// first segment (`catalog:…`, `search:…`), a constant of the module that owns the keys.
import type { BusinessMetrics } from '../observability/business-metrics.ts';
import type { Cache } from './cache.ts';

const NAME = /^([a-z][a-z0-9_]{0,31}):/;

/** The cache name of a key: its prefix before the first `:`, or `other` (never free text as a label). */
export function cacheName(key: string): string {
  return NAME.exec(key)?.[1] ?? 'other';
}

export function meteredCache(cache: Cache, metrics: Pick<BusinessMetrics, 'cacheHits' | 'cacheMisses'>): Cache {
  return {
    kind: cache.kind,
    async get(key) {
      const value = await cache.get(key);
      (value === undefined ? metrics.cacheMisses : metrics.cacheHits).inc({ cache: cacheName(key) });
      return value;
    },
    set: (key, value, ttl) => cache.set(key, value, ttl),
    del: (keys) => cache.del(keys),
    delPrefix: (prefix) => cache.delPrefix(prefix),
    ping: () => cache.ping(),
    close: () => cache.close(),
  };
}
