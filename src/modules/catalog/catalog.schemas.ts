// TypeBox schemas of the catalog routes (validation, serialisation and OpenAPI from one source).
import { Type } from 'typebox';
import {
  Count,
  CurrencyCode,
  DateTime,
  Id,
  IdParam,
  List,
  Minor as MinorUnits,
  Money as MoneyOf,
  TaxCategory,
  Text,
  Version,
} from '../../platform/http/schema-helpers.ts';

const Slug = Type.String({
  pattern: '^[a-z0-9]+(?:-[a-z0-9]+)*$',
  minLength: 1,
  maxLength: 200,
  examples: ['aurora-headphones'],
});
const Currency = CurrencyCode();
const Minor = MinorUnits();
const Attributes = Type.Record(Type.String({ pattern: '^[a-z][a-z0-9_]{0,39}$' }), Type.String({ maxLength: 100 }), {
  examples: [{ color: 'black', size: 'M' }],
});
const Dimensions = Type.Object(
  {
    lengthMm: Count(),
    widthMm: Count(),
    heightMm: Count(),
  },
  { additionalProperties: false },
);
const Status = Type.Union([Type.Literal('draft'), Type.Literal('published'), Type.Literal('archived')]);

export const PriceInputSchema = Type.Object(
  { currency: Currency, amount: Minor, compareAt: Type.Optional(Type.Union([Minor, Type.Null()])) },
  { additionalProperties: false },
);

const variantFields = {
  sku: Type.String({ minLength: 1, maxLength: 100, pattern: '^\\S+$', examples: ['AUR-BLK-M'] }),
  attributes: Type.Optional(Attributes),
  barcode: Type.Optional(Type.Union([Type.String({ maxLength: 64 }), Type.Null()])),
  weightGrams: Type.Optional(Type.Union([Count(), Type.Null()])),
  dimensions: Type.Optional(Type.Union([Dimensions, Type.Null()])),
  cost: Type.Optional(Type.Union([Minor, Type.Null()])),
  prices: Type.Optional(Type.Array(PriceInputSchema, { maxItems: 50 })),
};
export const VariantInputSchema = Type.Object(variantFields, { additionalProperties: false });
export const VariantPatchSchema = Type.Object(
  { ...variantFields, sku: Type.Optional(variantFields.sku) },
  { additionalProperties: false, minProperties: 1 },
);

const productFields = {
  slug: Slug,
  name: Type.String({ minLength: 1, maxLength: 300, examples: ['Aurora Wireless Headphones'] }),
  description: Type.Optional(Type.String({ maxLength: 20_000 })),
  brand: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 100 }), Type.Null()])),
  status: Type.Optional(Status),
  images: Type.Optional(Type.Array(Type.String({ maxLength: 2000 }), { maxItems: 50 })),
  seoTitle: Type.Optional(Type.Union([Type.String({ maxLength: 300 }), Type.Null()])),
  seoDescription: Type.Optional(Type.Union([Type.String({ maxLength: 1000 }), Type.Null()])),
  metadata: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  taxCategory: Type.Optional(
    TaxCategory({ description: "Pricing's tax category (default standard): the region's rate for it applies" }),
  ),
  categoryIds: Type.Optional(Type.Array(Text(200), { maxItems: 50 })),
};
export const ProductInputSchema = Type.Object(
  { ...productFields, variants: Type.Optional(Type.Array(VariantInputSchema, { maxItems: 500 })) },
  { additionalProperties: false },
);
export const ProductPatchSchema = Type.Object(
  { ...productFields, slug: Type.Optional(Slug), name: Type.Optional(productFields.name) },
  { additionalProperties: false, minProperties: 1 },
);

const CategoryRef = Type.Object({ id: Id(), slug: Text(200), name: Text(300) });
const Money = MoneyOf();

export const StaffProductSchema = Type.Object({
  id: Id({ examples: ['prod_01jd0000000000000000000000'] }),
  slug: Text(200),
  name: Text(300),
  description: Text(20_000),
  brand: Type.Union([Text(100), Type.Null()]),
  status: Status,
  images: List(Text(2000), 50),
  seoTitle: Type.Union([Text(300), Type.Null()]),
  seoDescription: Type.Union([Text(1000), Type.Null()]),
  metadata: Type.Record(Type.String(), Type.Unknown()),
  taxCategory: Text(40, { examples: ['standard'] }),
  categories: List(CategoryRef, 50),
  variants: List(
    Type.Object({
      id: Id(),
      sku: Text(100),
      attributes: Type.Record(Type.String(), Text(100)),
      barcode: Type.Union([Text(64), Type.Null()]),
      weightGrams: Type.Union([Count(), Type.Null()]),
      dimensions: Type.Union([Dimensions, Type.Null()]),
      cost: Type.Union([Minor, Type.Null()]),
      prices: List(Type.Object({ currency: Currency, amount: Minor, compareAt: Type.Union([Minor, Type.Null()]) }), 50),
    }),
  ),
  version: Version({ description: 'Also sent as the ETag; send it back in If-Match' }),
  createdAt: DateTime(),
  updatedAt: DateTime(),
});

export const ProductSchema = Type.Object({
  id: Id(),
  slug: Text(200),
  name: Text(300),
  description: Text(20_000),
  brand: Type.Union([Text(100), Type.Null()]),
  categories: List(CategoryRef, 50),
  images: List(Text(2000), 50),
  status: Status,
  seo: Type.Object({
    title: Type.Union([Text(300), Type.Null()]),
    description: Type.Union([Text(1000), Type.Null()]),
  }),
  createdAt: DateTime(),
  variants: List(
    Type.Object({
      id: Id(),
      sku: Text(100),
      attributes: Type.Record(Type.String(), Text(100)),
      price: Type.Union([Money, Type.Null()], { description: 'Null when the variant has no price in this currency' }),
      compareAtPrice: Type.Optional(Money),
      available: Count(),
      inStock: Type.Boolean(),
    }),
  ),
  priceRange: Type.Union([Type.Object({ min: Money, max: Money }), Type.Null()]),
});

export const ProductPageSchema = Type.Object({
  items: List(ProductSchema, 100),
  page: Type.Optional(Count()),
  limit: Count(),
  total: Type.Optional(
    Count({
      description:
        'Published products the filters match (with `page`; absent when walking by `cursor`). Counted exactly up ' +
        'to CATALOG_EXACT_TOTAL_MAX (default 1000); past it, that number with `totalExact: false`.',
    }),
  ),
  totalExact: Type.Optional(
    Type.Boolean({
      description: 'False when `total` is a lower bound: more products match than the server counts exactly.',
    }),
  ),
  nextCursor: Type.Optional(Text(500)),
});

export const ListQuerySchema = Type.Object(
  {
    category: Type.Optional(
      Type.String({ maxLength: 200, description: 'Category id or slug; includes its sub-categories' }),
    ),
    brand: Type.Optional(
      Type.String({ maxLength: 1000, description: 'One brand or a comma-separated list', examples: ['Sony'] }),
    ),
    minPrice: Type.Optional(
      Type.String({ maxLength: 40, description: 'Major units of `currency`, e.g. 49.99', examples: ['50'] }),
    ),
    maxPrice: Type.Optional(Type.String({ maxLength: 40, examples: ['199.99'] })),
    inStock: Type.Optional(Type.Boolean()),
    sort: Type.Optional(
      Type.Union([Type.Literal('newest'), Type.Literal('name'), Type.Literal('price-asc'), Type.Literal('price-desc')]),
    ),
    page: Type.Optional(Type.Integer({ format: 'int32', minimum: 1, maximum: 10_000 })),
    limit: Type.Optional(Type.Integer({ format: 'int32', minimum: 1, maximum: 100, default: 20 })),
    cursor: Type.Optional(Type.String({ maxLength: 500 })),
    currency: Type.Optional(Currency),
  },
  { additionalProperties: false },
);

export const IdParams = Type.Object({ id: IdParam() });
export const VariantParams = Type.Object({ id: IdParam(), variantId: IdParam() });
export const CurrencyQuery = Type.Object({ currency: Type.Optional(Currency) }, { additionalProperties: false });

export const CategorySchema = Type.Object({
  id: Id(),
  parentId: Type.Union([Id(), Type.Null()]),
  slug: Text(200),
  name: Text(200),
});
export const CategoryInputSchema = Type.Object(
  {
    slug: Slug,
    name: Type.String({ minLength: 1, maxLength: 200 }),
    parentId: Type.Optional(Type.Union([Text(200), Type.Null()])),
  },
  { additionalProperties: false },
);
export const IfMatchHeaders = Type.Object({
  'if-match': Type.Optional(
    Type.String({ maxLength: 100, description: 'The ETag (version) you read; a stale one gives 412' }),
  ),
});
