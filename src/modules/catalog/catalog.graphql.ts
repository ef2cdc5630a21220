// The catalog's part of the GraphQL schema: the storefront product (the REST `Product` shape, no staff fields such as
// cost or metadata) and the list and detail queries, over the same reads as GET /v1/products.
import { checkArgs, dropNulls, type GraphqlPiece } from '../../platform/graphql/piece.ts';
import type { ListQuery } from './catalog.list-query.ts';
import type { CatalogReads } from './catalog.reads.ts';
import { CurrencyQuery, ListQuerySchema } from './catalog.schemas.ts';

export const CATALOG_SDL = `
type CategoryRef { id: ID! slug: String! name: String! }
type ProductSeo { title: String description: String }
type Variant {
  id: ID!
  sku: String!
  "Attribute name → value, e.g. {color: \\"black\\", size: \\"M\\"}."
  attributes: StringMap!
  "Null when the variant has no price in the requested currency."
  price: Money
  compareAtPrice: Money
  available: Int!
  inStock: Boolean!
}
type PriceRange { min: Money! max: Money! }
type Product {
  id: ID!
  slug: String!
  name: String!
  description: String!
  brand: String
  categories: [CategoryRef!]!
  images: [String!]!
  status: String!
  seo: ProductSeo!
  createdAt: String!
  variants: [Variant!]!
  priceRange: PriceRange
}
type ProductPage {
  items: [Product!]!
  page: Int
  limit: Int!
  "Matches, counted exactly up to CATALOG_EXACT_TOTAL_MAX (default 1000); past it, that number and totalExact false."
  total: Int
  "False when total is a lower bound; null when walking by cursor."
  totalExact: Boolean
  nextCursor: String
}

extend type Query {
  """
  Published products, as GET /v1/products: category (id or slug, sub-categories included), brand (one or a
  comma-separated list), minPrice/maxPrice in major units of currency (e.g. "49.99"), sort newest | name |
  price-asc | price-desc, limit 1–100, and either page or cursor (nextCursor of the previous page).
  """
  products(
    category: String
    brand: String
    minPrice: String
    maxPrice: String
    inStock: Boolean
    sort: String
    limit: Int = 20
    page: Int
    cursor: String
    currency: String
  ): ProductPage!
  "A published product by id or slug, as GET /v1/products/{id}; catalog.product_not_found otherwise."
  product(idOrSlug: String!, currency: String): Product
}
`;

export function createCatalogGraphql(reads: CatalogReads): GraphqlPiece {
  return {
    typeDefs: CATALOG_SDL,
    resolvers: {
      Query: {
        products: (_parent, args: Record<string, unknown>) =>
          reads.listProducts(checkArgs<ListQuery>(ListQuerySchema, dropNulls(args))),
        product: (_parent, args: { idOrSlug: string; currency?: string | null }) => {
          const q = checkArgs<{ currency?: string }>(CurrencyQuery, dropNulls({ currency: args.currency }));
          return reads.getProduct(args.idOrSlug, q);
        },
      },
    },
  };
}
