// TypeBox schemas of the staff pricing API.
import { type Static, Type } from 'typebox';

const Currency = Type.String({ pattern: '^[A-Z]{3}$', examples: ['EUR'] });
const Country = Type.String({ pattern: '^[A-Z]{2}$', examples: ['DE'] });
const Amount = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: 'minor units' });
/** Upper bound of a PostgreSQL integer column (usage limits). */
const Limit = Type.Integer({ minimum: 0, maximum: 2_147_483_647 });
/** `type: [T, "null"]`, not anyOf: with the server's type coercion an anyOf would turn null into 0 for an integer
 * (`usageLimit: null` meaning "unlimited" would become a limit of 0). */
const Nullable = <T extends ReturnType<typeof Type.Integer> | ReturnType<typeof Type.String>>(t: T) =>
  Type.Optional(Type.Unsafe<Static<T> | null>({ ...t, type: [t.type, 'null'] }));

export const CampaignBody = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 200 }), usageLimit: Nullable(Limit) },
  { additionalProperties: false },
);
export const CampaignSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  usageLimit: Type.Union([Type.Integer(), Type.Null()]),
  redemptions: Type.Integer(),
});

const Id = Type.String({ minLength: 1, maxLength: 100 });
const Ids = Type.Optional(Type.Array(Id, { maxItems: 500 }));
const Quantity = Type.Integer({ minimum: 1, maximum: 999 });
const DateTime = Nullable(Type.String({ format: 'date-time' }));
const BundleItem = Type.Union([
  Type.Object({ productId: Id, quantity: Quantity }, { additionalProperties: false }),
  Type.Object({ variantId: Id, quantity: Quantity }, { additionalProperties: false }),
]);
const BundleItems = Type.Optional(
  Type.Union([
    Type.Array(BundleItem, {
      minItems: 1,
      maxItems: 20,
      description: 'bundle: the items sold together; a product item matches any of its variants',
      examples: [
        [
          { productId: 'prod_phone', quantity: 1 },
          { productId: 'prod_case', quantity: 1 },
          { variantId: 'var_charger_usbc', quantity: 1 },
        ],
      ],
    }),
    Type.Null(),
  ]),
);

/** The fields a staff member may change after creation (PATCH), also part of the create body. */
const ruleFields = {
  value: Type.Optional(
    Type.Integer({
      minimum: 0,
      maximum: Number.MAX_SAFE_INTEGER,
      description: 'basis points for percentage (1000 = 10 %), minor units for fixed and for the bundle price',
    }),
  ),
  currency: Nullable(Currency),
  minSubtotal: Nullable(Amount),
  productIds: Ids,
  categoryIds: Ids,
  buyQuantity: Nullable(Quantity),
  getQuantity: Nullable(Quantity),
  bundleItems: BundleItems,
  startsAt: DateTime,
  endsAt: DateTime,
  exclusive: Type.Optional(Type.Boolean()),
  priority: Type.Optional(Type.Integer({ minimum: -1000, maximum: 1000 })),
  usageLimit: Nullable(Limit),
  perCustomerLimit: Nullable(Limit),
};

export const PromotionBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200, examples: ['Summer sale'] }),
    kind: Type.Union([
      Type.Literal('percentage'),
      Type.Literal('fixed'),
      Type.Literal('free_shipping'),
      Type.Literal('buy_x_get_y'),
      Type.Literal('bundle'),
    ]),
    automatic: Type.Optional(Type.Boolean()),
    campaignId: Nullable(Id),
    codes: Type.Optional(Type.Array(Type.String({ pattern: '^[A-Za-z0-9_-]{2,64}$' }), { maxItems: 1000 })),
    ...ruleFields,
  },
  { additionalProperties: false },
);
export const PromotionPatchBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    active: Type.Optional(Type.Boolean({ description: 'false pauses the promotion; true resumes it' })),
    ...ruleFields,
  },
  {
    additionalProperties: false,
    minProperties: 1,
    description: 'Only the fields given change. kind, automatic, codes and campaignId are fixed at creation.',
    examples: [{ endsAt: '2026-12-31T23:00:00Z', usageLimit: 500 }],
  },
);
export const PromotionIdParams = Type.Object({ id: Id });
export const PromotionListQuery = Type.Object(
  { includeDeleted: Type.Optional(Type.Boolean({ default: false })) },
  { additionalProperties: false },
);
const NullableOut = <T extends ReturnType<typeof Type.Integer> | ReturnType<typeof Type.String>>(t: T) =>
  Type.Union([t, Type.Null()]);
export const PromotionSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  kind: Type.String(),
  value: Type.Integer(),
  currency: NullableOut(Type.String()),
  automatic: Type.Boolean(),
  minSubtotal: NullableOut(Type.Integer()),
  productIds: Type.Array(Type.String()),
  categoryIds: Type.Array(Type.String()),
  buyQuantity: NullableOut(Type.Integer()),
  getQuantity: NullableOut(Type.Integer()),
  bundleItems: Type.Union([
    Type.Array(
      Type.Object({
        productId: Type.Optional(Type.String()),
        variantId: Type.Optional(Type.String()),
        quantity: Type.Integer(),
      }),
    ),
    Type.Null(),
  ]),
  startsAt: NullableOut(Type.String({ format: 'date-time' })),
  endsAt: NullableOut(Type.String({ format: 'date-time' })),
  exclusive: Type.Boolean(),
  priority: Type.Integer(),
  usageLimit: NullableOut(Type.Integer()),
  perCustomerLimit: NullableOut(Type.Integer()),
  campaignId: NullableOut(Type.String()),
  redemptions: Type.Integer({ description: 'reserved by checkouts in progress plus committed by placed orders' }),
  active: Type.Boolean(),
  deletedAt: NullableOut(Type.String({ format: 'date-time' })),
  codes: Type.Array(Type.String()),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});
export const PromotionListSchema = Type.Object({ items: Type.Array(PromotionSchema) });

export const TaxRateBody = Type.Object(
  {
    country: Country,
    province: Type.Optional(Type.String({ maxLength: 100 })),
    taxCategory: Type.Optional(Type.String({ minLength: 1, maxLength: 50 })),
    rateBp: Type.Integer({ minimum: 0, maximum: 10000, description: 'basis points (1900 = 19 %)' }),
    pricesIncludeTax: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export const TaxRateSchema = Type.Object({
  id: Type.String(),
  country: Type.String(),
  province: Type.String(),
  taxCategory: Type.String(),
  rateBp: Type.Integer(),
  pricesIncludeTax: Type.Boolean(),
});

export const ShippingMethodBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    countries: Type.Array(Country, { minItems: 1, maxItems: 250 }),
    currency: Currency,
    kind: Type.Union([Type.Literal('flat'), Type.Literal('weight')]),
    price: Amount,
    perKg: Type.Optional(Amount),
    freeAbove: Nullable(Amount),
  },
  { additionalProperties: false },
);
export const ShippingMethodPatchBody = Type.Partial(ShippingMethodBody, {
  additionalProperties: false,
  minProperties: 1,
});
export const ShippingMethodParams = Type.Object({ id: Id });
export const ShippingMethodSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  countries: Type.Array(Type.String()),
  currency: Type.String(),
  kind: Type.String(),
  price: Type.Integer(),
  perKg: Type.Integer(),
  freeAbove: Type.Union([Type.Integer(), Type.Null()]),
});
