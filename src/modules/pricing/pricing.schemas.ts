// TypeBox schemas of the staff pricing API.
import { type Static, Type } from 'typebox';
import {
  CountryCode,
  CurrencyCode,
  DateTime,
  Id,
  Integer,
  List,
  Minor,
  TaxCategory,
  Text,
} from '../../platform/http/schema-helpers.ts';

const Currency = CurrencyCode();
const Country = CountryCode();
const Amount = Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: 'minor units' });
/** Upper bound of a PostgreSQL integer column (usage limits). */
const Limit = Integer({ minimum: 0, maximum: 2_147_483_647 });
/** `type: [T, "null"]`, not anyOf: with the server's type coercion an anyOf would turn null into 0 for an integer
 * (`usageLimit: null` meaning "unlimited" would become a limit of 0). */
const Nullable = <T extends ReturnType<typeof Type.Integer> | ReturnType<typeof Type.String>>(t: T) =>
  Type.Optional(Type.Unsafe<Static<T> | null>({ ...t, type: [t.type, 'null'] }));

export const CampaignBody = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 200 }), usageLimit: Nullable(Limit) },
  { additionalProperties: false },
);
export const CampaignSchema = Type.Object({
  id: Id(),
  name: Text(),
  usageLimit: Type.Union([Integer(), Type.Null()]),
  redemptions: Integer(),
});

export const CampaignListSchema = Type.Object({
  items: List(
    Type.Object({
      ...CampaignSchema.properties,
      redemptions: Integer({ description: 'reserved by checkouts in progress plus committed by placed orders' }),
      promotions: Integer({ description: 'promotions in the campaign (deleted ones not counted)' }),
    }),
  ),
});

const InputId = Type.String({ minLength: 1, maxLength: 100 });
const Ids = Type.Optional(Type.Array(InputId, { maxItems: 500 }));
const Quantity = Integer({ minimum: 1, maximum: 999 });
const NullableDateTime = Nullable(DateTime());
const BundleItem = Type.Union([
  Type.Object({ productId: InputId, quantity: Quantity }, { additionalProperties: false }),
  Type.Object({ variantId: InputId, quantity: Quantity }, { additionalProperties: false }),
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
    Integer({
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
  startsAt: NullableDateTime,
  endsAt: NullableDateTime,
  exclusive: Type.Optional(Type.Boolean()),
  priority: Type.Optional(Integer({ minimum: -1000, maximum: 1000 })),
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
    campaignId: Nullable(InputId),
    codes: Type.Optional(
      Type.Array(Type.String({ maxLength: 64, pattern: '^[A-Za-z0-9_-]{2,64}$' }), {
        maxItems: 1000,
        uniqueItems: true,
      }),
    ),
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
export const PromotionIdParams = Type.Object({ id: InputId });
export const PromotionListQuery = Type.Object(
  { includeDeleted: Type.Optional(Type.Boolean({ default: false })) },
  { additionalProperties: false },
);
const NullableOut = <T extends ReturnType<typeof Type.Integer> | ReturnType<typeof Type.String>>(t: T) =>
  Type.Union([t, Type.Null()]);
export const PromotionSchema = Type.Object({
  id: Id(),
  name: Text(),
  kind: Text(),
  value: Integer(),
  currency: NullableOut(Text()),
  automatic: Type.Boolean(),
  minSubtotal: NullableOut(Integer()),
  productIds: List(Text()),
  categoryIds: List(Text()),
  buyQuantity: NullableOut(Integer()),
  getQuantity: NullableOut(Integer()),
  bundleItems: Type.Union([
    List(
      Type.Object({
        productId: Type.Optional(Id()),
        variantId: Type.Optional(Id()),
        quantity: Integer(),
      }),
    ),
    Type.Null(),
  ]),
  startsAt: NullableOut(DateTime()),
  endsAt: NullableOut(DateTime()),
  exclusive: Type.Boolean(),
  priority: Integer(),
  usageLimit: NullableOut(Integer()),
  perCustomerLimit: NullableOut(Integer()),
  campaignId: NullableOut(Text()),
  redemptions: Integer({ description: 'reserved by checkouts in progress plus committed by placed orders' }),
  active: Type.Boolean(),
  deletedAt: NullableOut(DateTime()),
  codes: List(Text()),
  createdAt: DateTime(),
  updatedAt: DateTime(),
});
export const PromotionListSchema = Type.Object({ items: List(PromotionSchema) });

export const TaxRateBody = Type.Object(
  {
    country: Country,
    province: Type.Optional(Type.String({ maxLength: 100 })),
    taxCategory: Type.Optional(
      TaxCategory({ description: 'The tax category the rate is for (default standard), as products name it' }),
    ),
    rateBp: Integer({ minimum: 0, maximum: 10000, description: 'basis points (1900 = 19 %)' }),
    pricesIncludeTax: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export const TaxRateParams = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 100, examples: ['txr_de_reduced'] }),
});
export const TaxRateSchema = Type.Object({
  id: Id(),
  country: Text(),
  province: Text(),
  taxCategory: Text(),
  rateBp: Integer(),
  pricesIncludeTax: Type.Boolean(),
});

export const ShippingMethodBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    countries: Type.Array(Country, { minItems: 1, maxItems: 250, uniqueItems: true }),
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
export const ShippingMethodParams = Type.Object({ id: InputId });
export const ShippingMethodSchema = Type.Object({
  id: Id(),
  name: Text(),
  countries: List(Text()),
  currency: CurrencyCode(),
  kind: Text(),
  price: Minor({ signed: true }),
  perKg: Integer(),
  freeAbove: Type.Union([Integer(), Type.Null()]),
});
