// TypeBox schemas of the catalog routes (validation, serialisation and OpenAPI from one source).
import { Type } from 'typebox';

const Slug = Type.String({
  pattern: '^[a-z0-9]+(?:-[a-z0-9]+)*$',
  minLength: 1,
  maxLength: 200,
  examples: ['aurora-headphones'],
});
const Currency = Type.String({ pattern: '^[A-Z]{3}$', examples: ['EUR'] });
const Minor = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: 'Integer minor units' });
const Attributes = Type.Record(Type.String({ pattern: '^[a-z][a-z0-9_]{0,39}$' }), Type.String({ maxLength: 100 }), {
  examples: [{ color: 'black', size: 'M' }],
});
/** Upper bound of a PostgreSQL integer column. */
const INT4_MAX = 2_147_483_647;
const Dimensions = Type.Object(
  {
    lengthMm: Type.Integer({ minimum: 0, maximum: INT4_MAX }),
    widthMm: Type.Integer({ minimum: 0, maximum: INT4_MAX }),
    heightMm: Type.Integer({ minimum: 0, maximum: INT4_MAX }),
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
  weightGrams: Type.Optional(Type.Union([Type.Integer({ minimum: 0, maximum: INT4_MAX }), Type.Null()])),
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
    Type.String({
      pattern: '^[a-z][a-z0-9_]{0,39}$',
      description: "Pricing's tax category (default standard): the region's rate for it applies",
      examples: ['reduced'],
    }),
  ),
  categoryIds: Type.Optional(Type.Array(Type.String(), { maxItems: 50 })),
};
export const ProductInputSchema = Type.Object(
  { ...productFields, variants: Type.Optional(Type.Array(VariantInputSchema, { maxItems: 500 })) },
  { additionalProperties: false },
);
export const ProductPatchSchema = Type.Object(
  { ...productFields, slug: Type.Optional(Slug), name: Type.Optional(productFields.name) },
  { additionalProperties: false, minProperties: 1 },
);

const CategoryRef = Type.Object({ id: Type.String(), slug: Type.String(), name: Type.String() });
const Money = Type.Object(
  { amount: Type.Integer(), currency: Type.String() },
  { examples: [{ amount: 4999, currency: 'EUR' }] },
);

export const StaffProductSchema = Type.Object({
  id: Type.String({ examples: ['prod_01jd0000000000000000000000'] }),
  slug: Type.String(),
  name: Type.String(),
  description: Type.String(),
  brand: Type.Union([Type.String(), Type.Null()]),
  status: Status,
  images: Type.Array(Type.String()),
  seoTitle: Type.Union([Type.String(), Type.Null()]),
  seoDescription: Type.Union([Type.String(), Type.Null()]),
  metadata: Type.Record(Type.String(), Type.Unknown()),
  taxCategory: Type.String({ examples: ['standard'] }),
  categories: Type.Array(CategoryRef),
  variants: Type.Array(
    Type.Object({
      id: Type.String(),
      sku: Type.String(),
      attributes: Type.Record(Type.String(), Type.String()),
      barcode: Type.Union([Type.String(), Type.Null()]),
      weightGrams: Type.Union([Type.Integer(), Type.Null()]),
      dimensions: Type.Union([Dimensions, Type.Null()]),
      cost: Type.Union([Type.Integer(), Type.Null()]),
      prices: Type.Array(
        Type.Object({
          currency: Type.String(),
          amount: Type.Integer(),
          compareAt: Type.Union([Type.Integer(), Type.Null()]),
        }),
      ),
    }),
  ),
  version: Type.Integer({ description: 'Also sent as the ETag; send it back in If-Match' }),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});

export const ProductSchema = Type.Object({
  id: Type.String(),
  slug: Type.String(),
  name: Type.String(),
  description: Type.String(),
  brand: Type.Union([Type.String(), Type.Null()]),
  categories: Type.Array(CategoryRef),
  images: Type.Array(Type.String()),
  status: Status,
  seo: Type.Object({
    title: Type.Union([Type.String(), Type.Null()]),
    description: Type.Union([Type.String(), Type.Null()]),
  }),
  createdAt: Type.String({ format: 'date-time' }),
  variants: Type.Array(
    Type.Object({
      id: Type.String(),
      sku: Type.String(),
      attributes: Type.Record(Type.String(), Type.String()),
      price: Type.Union([Money, Type.Null()], { description: 'Null when the variant has no price in this currency' }),
      compareAtPrice: Type.Optional(Money),
      available: Type.Integer(),
      inStock: Type.Boolean(),
    }),
  ),
  priceRange: Type.Union([Type.Object({ min: Money, max: Money }), Type.Null()]),
});

export const ProductPageSchema = Type.Object({
  items: Type.Array(ProductSchema),
  page: Type.Optional(Type.Integer()),
  limit: Type.Integer(),
  total: Type.Optional(Type.Integer()),
  nextCursor: Type.Optional(Type.String()),
});

export const ListQuerySchema = Type.Object(
  {
    category: Type.Optional(Type.String({ description: 'Category id or slug; includes its sub-categories' })),
    brand: Type.Optional(Type.String({ description: 'One brand or a comma-separated list', examples: ['Sony'] })),
    minPrice: Type.Optional(Type.String({ description: 'Major units of `currency`, e.g. 49.99', examples: ['50'] })),
    maxPrice: Type.Optional(Type.String({ examples: ['199.99'] })),
    inStock: Type.Optional(Type.Boolean()),
    sort: Type.Optional(
      Type.Union([Type.Literal('newest'), Type.Literal('name'), Type.Literal('price-asc'), Type.Literal('price-desc')]),
    ),
    page: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
    cursor: Type.Optional(Type.String({ maxLength: 500 })),
    currency: Type.Optional(Currency),
  },
  { additionalProperties: false },
);

export const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 200 }) });
export const VariantParams = Type.Object({ id: Type.String(), variantId: Type.String() });
export const CurrencyQuery = Type.Object({ currency: Type.Optional(Currency) }, { additionalProperties: false });

export const CategorySchema = Type.Object({
  id: Type.String(),
  parentId: Type.Union([Type.String(), Type.Null()]),
  slug: Type.String(),
  name: Type.String(),
});
export const CategoryInputSchema = Type.Object(
  {
    slug: Slug,
    name: Type.String({ minLength: 1, maxLength: 200 }),
    parentId: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  },
  { additionalProperties: false },
);
export const IfMatchHeaders = Type.Object({
  'if-match': Type.Optional(Type.String({ description: 'The ETag (version) you read; a stale one gives 412' })),
});
