// Staff-managed reference data every quote reads (the region's tax rates, automatic promotions, shipping methods):
// kept in this process for `ttlMs` and dropped at once by this process's own pricing writes. Another process sees a
// staff change within `ttlMs` (PRICING_CACHE_MS, default 1 s). Redemption limits are never decided from it: they are
// counted by conditional updates at checkout.
import { LRUCache } from 'lru-cache';
import type { Db } from '../../platform/db/db.ts';
import * as repo from './pricing.repo.ts';

export interface ReferenceData {
  taxRates(country: string, province: string): ReturnType<typeof repo.taxRates>;
  automaticPromotions(): ReturnType<typeof repo.automaticPromotions>;
  shippingMethods(country: string, currency: string): ReturnType<typeof repo.shippingMethods>;
  /** After a write to tax rates, promotions or shipping methods. */
  clear(): void;
}

export function createReferenceData(db: Db, ttlMs: number): ReferenceData {
  if (ttlMs <= 0) {
    return {
      taxRates: (country, province) => repo.taxRates(db.k, country, province),
      automaticPromotions: () => repo.automaticPromotions(db.k),
      shippingMethods: (country, currency) => repo.shippingMethods(db.k, country, currency),
      clear: () => {},
    };
  }
  // Keys come from carts (country, free-text province): bounded, least recently used out first.
  const cache = new LRUCache<string, Promise<unknown>>({ max: 2000, ttl: ttlMs });
  function memo<T>(key: string, load: () => Promise<T>): Promise<T> {
    const hit = cache.get(key);
    if (hit) return hit as Promise<T>;
    const value = load();
    cache.set(key, value);
    value.catch(() => {
      if (cache.get(key) === value) cache.delete(key);
    });
    return value;
  }
  return {
    taxRates: (country, province) => memo(`tax|${country}|${province}`, () => repo.taxRates(db.k, country, province)),
    automaticPromotions: () => memo('auto', () => repo.automaticPromotions(db.k)),
    shippingMethods: (country, currency) =>
      memo(`ship|${country}|${currency}`, () => repo.shippingMethods(db.k, country, currency)),
    clear: () => cache.clear(),
  };
}
