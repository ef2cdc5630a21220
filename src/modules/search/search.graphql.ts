// Search's part of the GraphQL schema: search with facets and suggest, over the same queries as GET /v1/search.
// A hit's full `product` (variants, availability) comes from the catalog's public API through a per-request
// DataLoader: one batch per currency for the whole page, however many hits select it.
import { checkArgs, dropNulls, type GraphqlPiece, perRequestLoader } from '../../platform/graphql/piece.ts';
import type { CatalogApi, Product } from '../catalog/index.ts';
import type { SearchHit, SearchQuery, SearchResult } from './contract.ts';
import type { SearchQueries } from './search.query.ts';
import { SearchQuerySchema, SuggestQuerySchema } from './search.schemas.ts';

export const SEARCH_SDL = `
type FacetValue { value: String! count: Int! }
"Minor units: min inclusive, max exclusive (null for the open last bucket)."
type PriceBucket { min: SafeInt! max: SafeInt count: Int! }
type AttributeFacet { name: String! values: [FacetValue!]! }
type SearchFacets {
  brand: [FacetValue!]!
  category: [FacetValue!]!
  price: [PriceBucket!]!
  "One entry per variant attribute (REST: facets.<attribute>), by name."
  attributes: [AttributeFacet!]!
}
type SearchHit {
  id: ID!
  slug: String!
  name: String!
  brand: String
  categories: [CategoryRef!]!
  priceRange: PriceRange
  "The full storefront product (variants, prices, availability); loaded for all hits in one batch."
  product: Product
}
type SearchResult {
  items: [SearchHit!]!
  total: Int!
  limit: Int!
  nextCursor: String
  "The query as understood after typo correction."
  query: String!
  facets: SearchFacets!
}
type Suggestion { id: ID! slug: String! name: String! }
type SuggestResult { query: String! items: [Suggestion!]! }

extend type Query {
  """
  Full-text search, as GET /v1/search: facet entries "name:value1,value2" (OR within a facet, AND across),
  minPrice/maxPrice in major units, category id or slug, sort relevance | newest | name | price-asc | price-desc.
  """
  search(
    q: String
    facet: [String!]
    category: String
    minPrice: String
    maxPrice: String
    sort: String
    limit: Int = 20
    cursor: String
    currency: String
  ): SearchResult!
  "Autocomplete, as GET /v1/search/suggest."
  suggest(q: String!, limit: Int = 8): SuggestResult!
}
`;

type Hit = SearchHit & { currency: string };

export function createSearchGraphql(
  queries: SearchQueries,
  catalog: Pick<CatalogApi, 'getProducts'>,
  defaultCurrency: string,
): GraphqlPiece {
  const products = perRequestLoader<{ id: string; currency: string }, Product | null>(
    'search.products',
    async (context, keys) => {
      const found = new Map<string, Product>();
      for (const currency of new Set(keys.map((k) => k.currency))) {
        const ids = keys.filter((k) => k.currency === currency).map((k) => k.id);
        for (const p of await catalog.getProducts(context.ctx, ids, currency)) found.set(`${currency}:${p.id}`, p);
      }
      return keys.map((k) => found.get(`${k.currency}:${k.id}`) ?? null);
    },
    { cacheKey: (k) => `${k.currency}:${k.id}` },
  );

  return {
    typeDefs: SEARCH_SDL,
    resolvers: {
      Query: {
        search: async (_parent, args: Record<string, unknown>) => {
          const q = checkArgs<SearchQuery>(SearchQuerySchema, dropNulls(args));
          const result: SearchResult = await queries.search(q);
          const currency = q.currency ?? defaultCurrency;
          const { brand, category, price, ...attributes } = result.facets;
          return {
            ...result,
            items: result.items.map((h): Hit => ({ ...h, currency })),
            facets: {
              brand,
              category,
              price,
              attributes: Object.entries(attributes).map(([name, values]) => ({ name, values })),
            },
          };
        },
        suggest: (_parent, args: { q: string; limit?: number | null }) => {
          const q = checkArgs<{ q: string; limit?: number }>(SuggestQuerySchema, dropNulls(args));
          return queries.suggest(q.q, q.limit);
        },
      },
      SearchHit: {
        product: (hit: Hit, _args, context) => products(context).load({ id: hit.id, currency: hit.currency }),
      },
    },
  };
}
