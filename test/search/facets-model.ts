// The reference model of search's filtering, facets and sorts, in plain TypeScript over candidates held in memory:
// OR within a facet, AND across facets, and counts for each facet computed over the set filtered by every other facet
// (so choosing Sony still shows how many Apple items there are). The search statement computes the same in SQL
// (src/modules/search/search.statement.ts); test/search/search-statement.test.ts checks the two agree.
import type { FacetValue, PriceBucket } from '../../src/modules/search/contract.ts';
import { currencyExponent } from '../../src/platform/money.ts';

export interface Candidate {
  id: string;
  brand: string | null;
  categorySlugs: string[];
  attributes: Record<string, string[]>;
  /** Cheapest price in the requested currency, minor units; null when it has none. */
  price: number | null;
}

export interface FacetFilters {
  /** facet name → accepted values (brand, category, or an attribute name). */
  values: Map<string, Set<string>>;
  minPrice?: number | undefined;
  maxPrice?: number | undefined;
}

function valuesOf(c: Candidate, facet: string): string[] {
  if (facet === 'brand') return c.brand ? [c.brand] : [];
  if (facet === 'category') return c.categorySlugs;
  return c.attributes[facet] ?? [];
}

function passesPrice(c: Candidate, f: FacetFilters): boolean {
  if (f.minPrice === undefined && f.maxPrice === undefined) return true;
  if (c.price === null) return false;
  return (f.minPrice === undefined || c.price >= f.minPrice) && (f.maxPrice === undefined || c.price <= f.maxPrice);
}

/** True when `c` passes every filter except the one named `except`. */
function passes(c: Candidate, f: FacetFilters, except?: string): boolean {
  for (const [facet, accepted] of f.values) {
    if (facet === except) continue;
    if (!valuesOf(c, facet).some((v) => accepted.has(v))) return false;
  }
  return except === 'price' || passesPrice(c, f);
}

const BUCKET_EDGES_MAJOR = [0, 25, 50, 100, 200, 500, 1000];

export function priceBuckets(prices: number[], currency: string): PriceBucket[] {
  const unit = 10 ** currencyExponent(currency);
  const edges = BUCKET_EDGES_MAJOR.map((e) => e * unit);
  const out: PriceBucket[] = [];
  edges.forEach((min, i) => {
    const max = edges[i + 1] ?? null;
    const count = prices.filter((p) => p >= min && (max === null || p < max)).length;
    if (count > 0) out.push({ min, max, count });
  });
  return out;
}

function count(cands: Candidate[], facet: string): FacetValue[] {
  const m = new Map<string, number>();
  for (const c of cands) for (const v of new Set(valuesOf(c, facet))) m.set(v, (m.get(v) ?? 0) + 1);
  return [...m]
    .map(([value, n]) => ({ value, count: n }))
    .sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
}

export function applyFacets(
  candidates: Candidate[],
  filters: FacetFilters,
  currency: string,
): { matches: Candidate[]; facets: Record<string, FacetValue[] | PriceBucket[]> } {
  const matches = candidates.filter((c) => passes(c, filters));
  const attributeNames = new Set<string>();
  for (const c of candidates) for (const k of Object.keys(c.attributes)) attributeNames.add(k);
  for (const k of filters.values.keys()) if (k !== 'brand' && k !== 'category') attributeNames.add(k);
  const facets: Record<string, FacetValue[] | PriceBucket[]> = {};
  for (const facet of ['brand', 'category', ...[...attributeNames].sort()]) {
    facets[facet] = count(
      candidates.filter((c) => passes(c, filters, facet)),
      facet,
    );
  }
  const pricePool = candidates.filter((c) => passes(c, filters, 'price'));
  facets.price = priceBuckets(
    pricePool.flatMap((c) => (c.price === null ? [] : [c.price])),
    currency,
  );
  return { matches, facets };
}

export type ModelSort = 'relevance' | 'newest' | 'name' | 'price-asc' | 'price-desc';

export interface ModelDoc extends Candidate {
  name: string;
  createdAt: Date;
  rank: number;
}

/** The sort of the page: bytewise names and ids, milliseconds, a missing price as the largest one. */
export function compare(sort: ModelSort): (a: ModelDoc, b: ModelDoc) => number {
  const byId = (a: ModelDoc, b: ModelDoc) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  const price = (r: ModelDoc) => r.price ?? Number.MAX_SAFE_INTEGER;
  switch (sort) {
    case 'relevance':
      return (a, b) => b.rank - a.rank || byId(a, b);
    case 'newest':
      return (a, b) => b.createdAt.getTime() - a.createdAt.getTime() || byId(b, a);
    case 'name':
      return (a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) || byId(a, b);
    case 'price-asc':
      return (a, b) => price(a) - price(b) || byId(a, b);
    case 'price-desc':
      return (a, b) => price(b) - price(a) || byId(a, b);
  }
}
