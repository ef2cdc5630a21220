// The search module's public contract.
import type { Money } from '../../platform/money.ts';

export interface SearchQuery {
  q?: string | undefined;
  facet?: string[] | undefined;
  category?: string | undefined;
  minPrice?: string | undefined;
  maxPrice?: string | undefined;
  sort?: 'relevance' | 'newest' | 'name' | 'price-asc' | 'price-desc' | undefined;
  limit?: number | undefined;
  cursor?: string | undefined;
  currency?: string | undefined;
}

export interface SearchHit {
  id: string;
  slug: string;
  name: string;
  brand: string | null;
  categories: { id: string; slug: string; name: string }[];
  priceRange: { min: Money; max: Money } | null;
}

export interface FacetValue {
  value: string;
  count: number;
}

export interface PriceBucket {
  /** Minor units, inclusive. */
  min: number;
  /** Minor units, exclusive; null for the open last bucket. */
  max: number | null;
  count: number;
}

export interface SearchResult {
  items: SearchHit[];
  total: number;
  limit: number;
  nextCursor?: string;
  /** The query as understood after typo correction, e.g. `wireless headphones`. */
  query: string;
  facets: {
    brand: FacetValue[];
    category: FacetValue[];
    price: PriceBucket[];
    [attribute: string]: FacetValue[] | PriceBucket[];
  };
}

export interface SearchApi {
  /** Re-reads these products from the catalog and updates the index (published ones kept, others removed). */
  indexProducts(productIds: string[]): Promise<void>;
  /** Rebuilds the whole index from the catalog. */
  reindexAll(): Promise<number>;
}

export const SEARCH_ERRORS = {
  invalidFacet: 'search.invalid_facet',
  invalidFilter: 'search.invalid_filter',
  invalidCursor: 'search.invalid_cursor',
} as const;
