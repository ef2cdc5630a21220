// TypeBox schemas of the cart API (the shapes /openapi.json publishes).
import { Type } from 'typebox';

const Money = Type.Object({
  amount: Type.Integer({ description: 'minor units', examples: [4999] }),
  currency: Type.String({ examples: ['EUR'] }),
});

export const AddressSchema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    line1: Type.String({ minLength: 1, maxLength: 200 }),
    line2: Type.Optional(Type.String({ maxLength: 200 })),
    city: Type.String({ minLength: 1, maxLength: 100 }),
    region: Type.Optional(Type.String({ maxLength: 100 })),
    postalCode: Type.String({ minLength: 1, maxLength: 20 }),
    country: Type.String({ pattern: '^[A-Z]{2}$', description: 'ISO 3166-1 alpha-2', examples: ['DE'] }),
    phone: Type.Optional(Type.String({ maxLength: 40 })),
  },
  { additionalProperties: false },
);

export const CartItemSchema = Type.Object({
  id: Type.String(),
  variantId: Type.String(),
  productId: Type.String(),
  name: Type.String(),
  sku: Type.String(),
  quantity: Type.Integer(),
  unitPrice: Money,
  lineTotal: Money,
  discount: Money,
  tax: Money,
  currentUnitPrice: Type.Union([Money, Type.Null()], { description: 'the catalog price now, when it changed' }),
  priceChanged: Type.Boolean(),
});

export const CartSchema = Type.Object({
  id: Type.String({ examples: ['cart_01jd5x8m3q7v2k9t4r6w1y0zab'] }),
  token: Type.String({ description: 'guest credential: send it as X-Cart-Token' }),
  status: Type.String({ examples: ['active'] }),
  userId: Type.Union([Type.String(), Type.Null()]),
  currency: Type.String(),
  country: Type.Union([Type.String(), Type.Null()]),
  email: Type.Union([Type.String(), Type.Null()]),
  shippingAddress: Type.Union([AddressSchema, Type.Null()]),
  billingAddress: Type.Union([AddressSchema, Type.Null()]),
  shippingMethod: Type.Union([Type.Object({ id: Type.String(), name: Type.String(), price: Money }), Type.Null()]),
  couponCodes: Type.Array(Type.String()),
  items: Type.Array(CartItemSchema),
  totals: Type.Object({
    subtotal: Money,
    discount: Money,
    shipping: Money,
    tax: Money,
    total: Money,
    taxIncluded: Money,
  }),
  pricesIncludeTax: Type.Boolean(),
  promotions: Type.Array(
    Type.Object({
      promotionId: Type.String(),
      name: Type.String(),
      code: Type.Union([Type.String(), Type.Null()]),
      amount: Money,
    }),
  ),
  rejectedCoupons: Type.Array(Type.Object({ code: Type.String(), reason: Type.String() })),
  version: Type.Integer(),
});

export const CreateCartBody = Type.Object(
  {
    currency: Type.Optional(Type.String({ pattern: '^[A-Z]{3}$', examples: ['EUR'] })),
    country: Type.Optional(Type.String({ pattern: '^[A-Z]{2}$', examples: ['DE'] })),
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
    quantity: Type.Integer({ minimum: 1, maximum: 999 }),
  },
  { additionalProperties: false },
);
export const QuantityBody = Type.Object(
  { quantity: Type.Integer({ minimum: 1, maximum: 999 }) },
  { additionalProperties: false },
);
export const PatchCartBody = Type.Object(
  {
    email: Type.Optional(Type.Union([Type.String({ format: 'email', maxLength: 254 }), Type.Null()])),
    shippingAddress: Type.Optional(Type.Union([AddressSchema, Type.Null()])),
    billingAddress: Type.Optional(Type.Union([AddressSchema, Type.Null()])),
    shippingMethodId: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 100 }), Type.Null()])),
    couponCode: Type.Optional(
      Type.Union([Type.String({ pattern: '^[A-Za-z0-9_-]{0,64}$' }), Type.Null()], {
        description: 'adds a code; null or "" removes all',
      }),
    ),
  },
  { additionalProperties: false },
);
export const ShippingOptionsSchema = Type.Object({
  items: Type.Array(Type.Object({ id: Type.String(), name: Type.String(), price: Money })),
});
