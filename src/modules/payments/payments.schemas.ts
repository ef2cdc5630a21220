// TypeBox schemas of the payments routes (validation, serialisation and OpenAPI from one source).
import { Type } from 'typebox';

const MoneySchema = Type.Object(
  {
    amount: Type.Integer({ description: 'Integer minor units', examples: [1500] }),
    currency: Type.String({ examples: ['EUR'] }),
  },
  { additionalProperties: false },
);

export const WebhookParams = Type.Object({ provider: Type.String({ maxLength: 32, examples: ['sandbox', 'stripe'] }) });
export const WebhookAck = Type.Object({
  received: Type.Boolean(),
  eventId: Type.String(),
  outcome: Type.Union([
    Type.Literal('applied'),
    Type.Literal('in_sync'),
    Type.Literal('duplicate'),
    Type.Literal('ignored'),
    Type.Literal('unknown_payment'),
  ]),
});

export const RefundParams = Type.Object({
  orderId: Type.String({ minLength: 1, maxLength: 100, examples: ['ord_01jd3v6x0c8w4b2q9n7m5k3h1g'] }),
});
export const RefundBody = Type.Object(
  {
    amount: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: Number.MAX_SAFE_INTEGER,
        description: 'Minor units; omitted = everything captured and not yet refunded',
        examples: [500],
      }),
    ),
    reason: Type.String({ minLength: 1, maxLength: 500, examples: ['Damaged in transit'] }),
  },
  { additionalProperties: false },
);
export const RefundHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({ minLength: 1, maxLength: 255, description: 'Required: makes the refund idempotent' }),
  ),
});
export const RefundResponse = Type.Object({
  id: Type.String({ examples: ['ref_01jd3v6x0c8w4b2q9n7m5k3h1g'] }),
  paymentId: Type.String(),
  orderId: Type.String(),
  amount: MoneySchema,
  reason: Type.String(),
  status: Type.Union([Type.Literal('pending'), Type.Literal('succeeded'), Type.Literal('failed')]),
  createdAt: Type.String({ format: 'date-time' }),
});

const DriftSchema = Type.Object({
  kind: Type.String({ examples: ['status_conflict'] }),
  paymentId: Type.Union([Type.String(), Type.Null()]),
  providerPaymentId: Type.Union([Type.String(), Type.Null()]),
  ourStatus: Type.Union([Type.String(), Type.Null()]),
  providerStatus: Type.Union([Type.String(), Type.Null()]),
  detail: Type.String(),
});
export const ReconciliationQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 1 })),
});
export const ReconciliationResponse = Type.Object({
  items: Type.Array(
    Type.Object({
      id: Type.String(),
      windowFrom: Type.String({ format: 'date-time' }),
      windowTo: Type.String({ format: 'date-time' }),
      checked: Type.Integer(),
      repaired: Type.Array(Type.Object({ paymentId: Type.String(), from: Type.String(), to: Type.String() })),
      drifts: Type.Array(DriftSchema),
      createdAt: Type.String({ format: 'date-time' }),
    }),
  ),
});
