// TypeBox schemas of the staff pricing API.
import { Type } from 'typebox';

const Currency = Type.String({ pattern: '^[A-Z]{3}$', examples: ['EUR'] });
const Country = Type.String({ pattern: '^[A-Z]{2}$', examples: ['DE'] });
const Amount = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: 'minor units' });
/** Upper bound of a PostgreSQL integer column (usage limits). */
const Limit = Type.Integer({ minimum: 0, maximum: 2_147_483_647 });
const Nullable = <T extends ReturnType<typeof Type.Integer> | ReturnType<typeof Type.String>>(t: T) =>
  Type.Optional(Type.Union([t, Type.Null()]));

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

export const PromotionBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200, examples: ['Summer sale'] }),
    kind: Type.Union([
      Type.Literal('percentage'),
      Type.Literal('fixed'),
      Type.Literal('free_shipping'),
      Type.Literal('buy_x_get_y'),
    ]),
    buyQuantity: Nullable(Type.Integer({ minimum: 1, maximum: 999 })),
    getQuantity: Nullable(Type.Integer({ minimum: 1, maximum: 999 })),
    value: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: Number.MAX_SAFE_INTEGER,
        description: 'basis points for percentage (1000 = 10 %), minor units for fixed',
      }),
    ),
    currency: Type.Optional(Type.Union([Currency, Type.Null()])),
    automatic: Type.Optional(Type.Boolean()),
    minSubtotal: Nullable(Amount),
    productIds: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 500 })),
    categoryIds: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 500 })),
    startsAt: Nullable(Type.String({ format: 'date-time' })),
    endsAt: Nullable(Type.String({ format: 'date-time' })),
    exclusive: Type.Optional(Type.Boolean()),
    priority: Type.Optional(Type.Integer({ minimum: -1000, maximum: 1000 })),
    usageLimit: Nullable(Limit),
    perCustomerLimit: Nullable(Limit),
    campaignId: Nullable(Type.String({ minLength: 1, maxLength: 100 })),
    codes: Type.Optional(Type.Array(Type.String({ pattern: '^[A-Za-z0-9_-]{2,64}$' }), { maxItems: 1000 })),
  },
  { additionalProperties: false },
);
export const PromotionSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  kind: Type.String(),
  automatic: Type.Optional(Type.Boolean()),
  redemptions: Type.Integer(),
  codes: Type.Array(Type.String()),
});
export const PromotionListSchema = Type.Object({
  items: Type.Array(
    Type.Object({
      id: Type.String(),
      name: Type.String(),
      kind: Type.String(),
      automatic: Type.Boolean(),
      redemptions: Type.Integer(),
      usageLimit: Type.Union([Type.Integer(), Type.Null()]),
      codes: Type.Array(Type.String()),
    }),
  ),
});

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
