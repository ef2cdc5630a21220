// TypeBox schemas of the cart API (the shapes /openapi.json publishes).
import { Type } from 'typebox';
import { CountryCode, CurrencyCode, Id, Integer, List, Text, Token } from '../../platform/http/schema-helpers.ts';

const Money = Type.Object({
  amount: Integer({ description: 'minor units', examples: [4999] }),
  currency: CurrencyCode(),
});

export const AddressSchema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    line1: Type.String({ minLength: 1, maxLength: 200 }),
    line2: Type.Optional(Type.String({ maxLength: 200 })),
    city: Type.String({ minLength: 1, maxLength: 100 }),
    region: Type.Optional(Type.String({ maxLength: 100 })),
    postalCode: Type.String({ minLength: 1, maxLength: 20 }),
    country: CountryCode(),
    phone: Type.Optional(Type.String({ maxLength: 40 })),
  },
  { additionalProperties: false },
);

export const CartItemSchema = Type.Object({
  id: Id(),
  variantId: Id(),
  productId: Id(),
  name: Text(),
  sku: Text(),
  quantity: Integer(),
  unitPrice: Money,
  lineTotal: Money,
  discount: Money,
  tax: Money,
  currentUnitPrice: Type.Union([Money, Type.Null()], { description: 'the catalog price now, when it changed' }),
  priceChanged: Type.Boolean(),
});

export const CartSchema = Type.Object({
  id: Id({ examples: ['cart_01jd5x8m3q7v2k9t4r6w1y0zab'] }),
  token: Token(200, { description: 'guest credential: send it as X-Cart-Token' }),
  status: Text(40, { examples: ['active'] }),
  userId: Type.Union([Id(), Type.Null()]),
  currency: CurrencyCode(),
  country: Type.Union([Text(), Type.Null()]),
  email: Type.Union([Text(320), Type.Null()]),
  shippingAddress: Type.Union([AddressSchema, Type.Null()]),
  billingAddress: Type.Union([AddressSchema, Type.Null()]),
  shippingMethod: Type.Union([Type.Object({ id: Id(), name: Text(), price: Money }), Type.Null()]),
  couponCodes: List(Text()),
  items: List(CartItemSchema),
  totals: Type.Object({
    subtotal: Money,
    discount: Money,
    shipping: Money,
    tax: Money,
    total: Money,
    taxIncluded: Money,
  }),
  pricesIncludeTax: Type.Boolean(),
  promotions: List(
    Type.Object({
      promotionId: Id(),
      name: Text(),
      code: Type.Union([Text(), Type.Null()]),
      amount: Money,
    }),
  ),
  rejectedCoupons: List(Type.Object({ code: Text(), reason: Text() })),
  version: Integer(),
});

export const CreateCartBody = Type.Object(
  {
    currency: Type.Optional(CurrencyCode()),
    country: Type.Optional(CountryCode()),
  },
  { additionalProperties: false },
);
export const CartParams = Type.Object({ cartId: Type.String({ minLength: 1, maxLength: 100 }) });
export const ItemParams = Type.Object({
  cartId: Type.String({ minLength: 1, maxLength: 100 }),
  itemId: Type.String({ minLength: 1, maxLength: 100 }),
});
export const CartTokenHeaders = Type.Object({ 'x-cart-token': Type.Optional(Type.String({ maxLength: 200 })) });
export const AddItemBody = Type.Object(
  {
    variantId: Type.String({ minLength: 1, maxLength: 100 }),
    quantity: Integer({ minimum: 1, maximum: 999 }),
  },
  { additionalProperties: false },
);
export const QuantityBody = Type.Object(
  { quantity: Integer({ minimum: 1, maximum: 999 }) },
  { additionalProperties: false },
);
export const PatchCartBody = Type.Object(
  {
    email: Type.Optional(Type.Union([Type.String({ format: 'email', maxLength: 254 }), Type.Null()])),
    shippingAddress: Type.Optional(Type.Union([AddressSchema, Type.Null()])),
    billingAddress: Type.Optional(Type.Union([AddressSchema, Type.Null()])),
    shippingMethodId: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 100 }), Type.Null()])),
    couponCode: Type.Optional(
      Type.Union([Type.String({ maxLength: 64, pattern: '^[A-Za-z0-9_-]{0,64}$' }), Type.Null()], {
        description: 'adds a code; null or "" removes all',
      }),
    ),
  },
  { additionalProperties: false },
);
export const ShippingOptionsSchema = Type.Object({
  items: List(Type.Object({ id: Text(), name: Text(), price: Money })),
});
