// TypeBox schemas of the orders routes.
import { Type } from 'typebox';
import { idempotencyKeySchema } from '../../platform/http/idempotency-key.ts';
import {
  Count,
  DateTime,
  Id,
  Int,
  List,
  Money as MoneyOf,
  Text,
  Token,
  Url,
} from '../../platform/http/schema-helpers.ts';

const Money = MoneyOf({ signed: true });
const Address = Type.Object(
  {
    name: Text(200),
    line1: Text(200),
    line2: Type.Optional(Text(200)),
    city: Text(100),
    region: Type.Optional(Text(100)),
    postalCode: Text(20),
    country: Text(2),
    phone: Type.Optional(Text(40)),
  },
  { additionalProperties: false },
);

export const OrderSchema = Type.Object({
  id: Id({ examples: ['ord_01J9Z3Q7K2M4N6P8R0S2T4V6W8'] }),
  number: Text(20, { description: 'Sequential, human-readable', examples: ['1000'] }),
  status: Text(40, {
    examples: ['paid'],
    description:
      'pending, paid, partially_shipped, shipped, delivered, cancelled, partially_refunded, refunded, returned',
  }),
  email: Type.Union([Text(320), Type.Null()], { description: 'Null once the customer was erased' }),
  userId: Type.Union([Id(), Type.Null()]),
  items: List(
    Type.Object({
      variantId: Id(),
      productId: Id(),
      sku: Text(100),
      name: Text(300),
      quantity: Count(),
      shippedQuantity: Count({ description: 'Units recorded in shipments so far' }),
      returnedQuantity: Count({ description: 'Units claimed by open and received returns' }),
      unitPrice: Money,
      lineTotal: Money,
      discount: Money,
      tax: Money,
    }),
    250,
  ),
  totals: Type.Object({ subtotal: Money, discount: Money, shipping: Money, tax: Money, total: Money }),
  shippingAddress: Type.Union([Address, Type.Null()], {
    description: 'Null once the customer was erased (customerErased)',
  }),
  customerErased: Type.Boolean({
    description:
      "The customer's personal data was erased (on request, or at the end of its retention): email and address are null; the financial record stays",
  }),
  payment: Type.Object({ status: Text(40) }),
  createdAt: DateTime(),
  orderToken: Type.Optional(
    Token(200, { description: 'Guests only, returned once: read the order with the X-Order-Token header' }),
  ),
});

export const PlaceOrderBody = Type.Object(
  {
    cartId: Type.String({ minLength: 1, maxLength: 100 }),
    payment: Type.Object(
      {
        provider: Type.Union([Type.Literal('sandbox'), Type.Literal('stripe')], {
          description:
            'The provider this server is configured with (PAYMENT_PROVIDER); another → 422 payments.unknown_provider',
        }),
        token: Type.String({ minLength: 1, maxLength: 200, examples: ['tok_visa'] }),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

export const ActionRequiredSchema = Type.Object({
  id: Id(),
  status: Type.Literal('requires_action'),
  nextAction: Type.Object({ type: Text(100), url: Type.Optional(Url()) }),
});

export const OrderParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) });
export const OrderQuery = Type.Object({
  userId: Type.Optional(Type.String({ maxLength: 100 })),
  status: Type.Optional(Type.String({ maxLength: 40 })),
  cursor: Type.Optional(Type.String({ maxLength: 100 })),
  limit: Type.Optional(Int(1, 100)),
  placedFrom: Type.Optional(
    DateTime({ description: 'Only orders placed at or after this instant', examples: ['2026-12-01T00:00:00Z'] }),
  ),
  placedBefore: Type.Optional(
    DateTime({ description: 'Only orders placed before this instant', examples: ['2026-12-02T00:00:00Z'] }),
  ),
});
export const OrderEventQuery = Type.Object(
  {
    cursor: Type.Optional(
      Type.String({
        pattern: '^[0-9]{1,15}$',
        maxLength: 15,
        description: 'nextCursor of the previous page',
        examples: ['42'],
      }),
    ),
    limit: Type.Optional(Int(1, 100, { default: 100 })),
  },
  { additionalProperties: false },
);
export const OrderEventSchema = Type.Object({
  seq: Text(20, { description: 'Position in the log (increasing)', examples: ['42'] }),
  type: Text(40, { examples: ['transition'] }),
  fromStatus: Type.Union([Text(40), Type.Null()], { examples: ['paid'] }),
  toStatus: Type.Union([Text(40), Type.Null()], { examples: ['shipped'] }),
  actor: Text(200, { examples: ['staff:usr_01J9Z3Q7K2M4N6P8R0S2T4V6W8'] }),
  reason: Type.Union([Text(500), Type.Null()], { description: 'Free text; null once the customer was erased' }),
  createdAt: DateTime(),
});
export const OrderEventPageSchema = Type.Object({
  items: List(OrderEventSchema, 100),
  nextCursor: Type.Union([Text(20), Type.Null()]),
});
export const OrderListSchema = Type.Object({
  items: List(OrderSchema, 100),
  nextCursor: Type.Union([Text(500), Type.Null()]),
});
export const CancelBody = Type.Object(
  { reason: Type.Optional(Type.String({ maxLength: 500 })) },
  { additionalProperties: false },
);

/** A guest's access to its order: the `orderToken` answered when the order was placed. */
export const OrderTokenHeaders = Type.Object({
  'x-order-token': Type.Optional(
    Type.String({ maxLength: 200, description: "A guest order's token (the orderToken answered at checkout)" }),
  ),
});

export const ReturnRequestHeaders = Type.Object({
  ...OrderTokenHeaders.properties,
  'idempotency-key': Type.Optional(idempotencyKeySchema('Makes a retry safe: the same key replays the answer')),
});

export const PlaceOrderHeaders = Type.Object({
  'idempotency-key': idempotencyKeySchema(
    'A unique key per checkout (e.g. a UUID), scoped to the cart: the same key for the same cart and the same ' +
      'request (cartId, payment provider and token) follows that checkout; with another payment → 422 ' +
      "idempotency.key_reused, nothing written; the same key for another cart is that cart's own checkout",
  ),
  'x-cart-token': Type.Optional(Type.String({ maxLength: 200, description: "A guest cart's token" })),
});

const ShipmentItem = Type.Object(
  {
    variantId: Type.String({ minLength: 1, maxLength: 100 }),
    quantity: Int(1, 1_000_000),
  },
  { additionalProperties: false },
);
export const ShipmentBody = Type.Object(
  {
    items: Type.Optional(
      Type.Array(ShipmentItem, { maxItems: 250, description: 'Absent or empty: every unit not shipped yet' }),
    ),
    carrier: Type.Optional(Type.String({ minLength: 1, maxLength: 100, examples: ['DHL'] })),
    trackingNumber: Type.Optional(Type.String({ minLength: 1, maxLength: 100, examples: ['00340434161094042557'] })),
  },
  { additionalProperties: false },
);
export const ShipmentSchema = Type.Object({
  id: Id({ examples: ['shp_01J9Z3Q7K2M4N6P8R0S2T4V6W8'] }),
  orderId: Id(),
  orderStatus: Text(40, { description: 'The order status after this shipment', examples: ['shipped'] }),
  items: List(Type.Object({ variantId: Id(), quantity: Count() }), 250),
  carrier: Type.Union([Text(100), Type.Null()]),
  trackingNumber: Type.Union([Text(100), Type.Null()]),
  status: Text(40, { description: 'shipped, in_transit or delivered (only moves forward)', examples: ['shipped'] }),
  deliveredAt: Type.Union([DateTime(), Type.Null()]),
  createdAt: DateTime(),
  updatedAt: DateTime(),
});
export const ShipmentParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) });
export const ShipmentPatchBody = Type.Object(
  {
    status: Type.Optional(
      Type.Union([Type.Literal('in_transit'), Type.Literal('delivered')], {
        description: 'Forward only: shipped → in_transit → delivered; the current status again is a no-op',
      }),
    ),
    carrier: Type.Optional(Type.String({ minLength: 1, maxLength: 100, examples: ['DHL'] })),
    trackingNumber: Type.Optional(Type.String({ minLength: 1, maxLength: 100, examples: ['00340434161094042557'] })),
  },
  { additionalProperties: false, minProperties: 1, examples: [{ status: 'delivered' }] },
);
export const ShipmentListSchema = Type.Object({ items: List(ShipmentSchema, 1000) });

export const ReturnBody = Type.Object(
  {
    items: Type.Array(ShipmentItem, { minItems: 1, maxItems: 250 }),
    reason: Type.Optional(Type.String({ minLength: 1, maxLength: 500, examples: ['too small'] })),
  },
  {
    additionalProperties: false,
    examples: [{ items: [{ variantId: 'var_01J9Z3Q7K2M4N6P8R0S2T4V6W8', quantity: 1 }] }],
  },
);
export const ReturnSchema = Type.Object({
  id: Id({ examples: ['ret_01J9Z3Q7K2M4N6P8R0S2T4V6W8'] }),
  orderId: Id(),
  status: Text(40, { description: 'requested, received or rejected', examples: ['requested'] }),
  items: List(Type.Object({ variantId: Id(), quantity: Count(), refund: Money }), 250),
  refund: Type.Object(
    { ...Money.properties },
    {
      description:
        'Received: what was refunded. Requested: the estimate (what the customer paid for these units; shipping excluded).',
    },
  ),
  reason: Type.Union([Text(500), Type.Null()]),
  restock: Type.Union([Type.Boolean(), Type.Null()]),
  note: Type.Union([Text(500), Type.Null()]),
  createdAt: DateTime(),
  decidedAt: Type.Union([DateTime(), Type.Null()]),
});
export const ReturnListSchema = Type.Object({ items: List(ReturnSchema, 1000) });
export const ReturnPageSchema = Type.Object({
  items: List(ReturnSchema, 100),
  nextCursor: Type.Union([Text(500), Type.Null()]),
});
export const ReturnParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) });
export const ReturnQuery = Type.Object({
  status: Type.Optional(Type.Union([Type.Literal('requested'), Type.Literal('received'), Type.Literal('rejected')])),
  cursor: Type.Optional(Type.String({ maxLength: 100 })),
  limit: Type.Optional(Int(1, 100)),
});
export const ReceiveBody = Type.Object(
  {
    restock: Type.Optional(Type.Boolean({ description: 'Put the units back on hand (default true)' })),
    note: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
  },
  { additionalProperties: false },
);
export const RejectBody = Type.Object(
  { note: Type.Optional(Type.String({ minLength: 1, maxLength: 500, examples: ['worn'] })) },
  { additionalProperties: false },
);
