// TypeBox schemas of the search routes.
import { Type } from 'typebox';

const Money = Type.Object({ amount: Type.Integer(), currency: Type.String() });
const FacetValue = Type.Object({ value: Type.String(), count: Type.Integer() });
const PriceBucket = Type.Object({
  min: Type.Integer({ description: 'Minor units, inclusive' }),
  max: Type.Union([Type.Integer(), Type.Null()], { description: 'Minor units, exclusive; null = no upper bound' }),
  count: Type.Integer(),
});

export const SearchQuerySchema = Type.Object(
  {
    q: Type.Optional(Type.String({ maxLength: 200, examples: ['wireless headphones'] })),
    facet: Type.Optional(
      Type.Array(Type.String({ maxLength: 500 }), {
        maxItems: 20,
        description: '`name:value1,value2`; repeat for several facets (OR within a facet, AND across)',
        examples: [['brand:Apple,Sony']],
      }),
    ),
    category: Type.Optional(Type.String({ description: 'Category id or slug, sub-categories included' })),
    minPrice: Type.Optional(Type.String({ description: 'Major units, e.g. 49.99' })),
    maxPrice: Type.Optional(Type.String()),
    sort: Type.Optional(
      Type.Union([
        Type.Literal('relevance'),
        Type.Literal('newest'),
        Type.Literal('name'),
        Type.Literal('price-asc'),
        Type.Literal('price-desc'),
      ]),
    ),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
    cursor: Type.Optional(Type.String({ maxLength: 100 })),
    currency: Type.Optional(Type.String({ pattern: '^[A-Z]{3}$' })),
  },
  { additionalProperties: false },
);

export const SearchResultSchema = Type.Object({
  items: Type.Array(
    Type.Object({
      id: Type.String(),
      slug: Type.String(),
      name: Type.String(),
      brand: Type.Union([Type.String(), Type.Null()]),
      categories: Type.Array(Type.Object({ id: Type.String(), slug: Type.String(), name: Type.String() })),
      priceRange: Type.Union([Type.Object({ min: Money, max: Money }), Type.Null()]),
    }),
  ),
  total: Type.Integer(),
  limit: Type.Integer(),
  nextCursor: Type.Optional(Type.String()),
  query: Type.String({ description: 'The query as understood after typo correction' }),
  facets: Type.Object(
    { brand: Type.Array(FacetValue), category: Type.Array(FacetValue), price: Type.Array(PriceBucket) },
    { additionalProperties: Type.Array(FacetValue), description: 'Plus one entry per variant attribute' },
  ),
});

export const SuggestQuerySchema = Type.Object(
  {
    q: Type.String({ minLength: 1, maxLength: 100, examples: ['headph'] }),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 20, default: 8 })),
  },
  { additionalProperties: false },
);

export const SuggestResultSchema = Type.Object({
  query: Type.String(),
  items: Type.Array(Type.Object({ id: Type.String(), slug: Type.String(), name: Type.String() })),
});
