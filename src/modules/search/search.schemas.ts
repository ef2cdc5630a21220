// TypeBox schemas of the search routes.
import { Type } from 'typebox';
import { Count, CurrencyCode, Id, Integer, List, Minor, Text } from '../../platform/http/schema-helpers.ts';

const Money = Type.Object({ amount: Minor({ signed: true }), currency: CurrencyCode() });
const FacetValue = Type.Object({ value: Text(), count: Count() });
const PriceBucket = Type.Object({
  min: Integer({ description: 'Minor units, inclusive' }),
  max: Type.Union([Integer(), Type.Null()], { description: 'Minor units, exclusive; null = no upper bound' }),
  count: Count(),
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
    category: Type.Optional(
      Type.String({ maxLength: 200, description: 'Category id or slug, sub-categories included' }),
    ),
    minPrice: Type.Optional(Type.String({ maxLength: 40, description: 'Major units, e.g. 49.99' })),
    maxPrice: Type.Optional(Type.String({ maxLength: 40 })),
    sort: Type.Optional(
      Type.Union([
        Type.Literal('relevance'),
        Type.Literal('newest'),
        Type.Literal('name'),
        Type.Literal('price-asc'),
        Type.Literal('price-desc'),
      ]),
    ),
    limit: Type.Optional(Integer({ minimum: 1, maximum: 100, default: 20 })),
    cursor: Type.Optional(Type.String({ maxLength: 100 })),
    currency: Type.Optional(CurrencyCode()),
  },
  { additionalProperties: false },
);

export const SearchResultSchema = Type.Object({
  items: List(
    Type.Object({
      id: Id(),
      slug: Text(200),
      name: Text(300),
      brand: Type.Union([Text(100), Type.Null()]),
      categories: List(Type.Object({ id: Text(), slug: Text(200), name: Text(300) })),
      priceRange: Type.Union([Type.Object({ min: Money, max: Money }), Type.Null()]),
    }),
  ),
  total: Count(),
  limit: Count(),
  nextCursor: Type.Optional(Text()),
  query: Text(200, { description: 'The query as understood after typo correction' }),
  facets: Type.Object(
    { brand: List(FacetValue), category: List(FacetValue), price: List(PriceBucket) },
    { additionalProperties: List(FacetValue), description: 'Plus one entry per variant attribute' },
  ),
});

export const SuggestQuerySchema = Type.Object(
  {
    q: Type.String({ minLength: 1, maxLength: 100, examples: ['headph'] }),
    limit: Type.Optional(Integer({ minimum: 1, maximum: 20, default: 8 })),
  },
  { additionalProperties: false },
);

export const SuggestResultSchema = Type.Object({
  query: Text(200),
  items: List(Type.Object({ id: Text(), slug: Text(200), name: Text(300) })),
});
