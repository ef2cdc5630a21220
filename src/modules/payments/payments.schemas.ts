// TypeBox schemas of the payments routes (validation, serialisation and OpenAPI from one source).
import { Type } from 'typebox';
import { idempotencyKeySchema } from '../../platform/http/idempotency-key.ts';
import { CurrencyCode, DateTime, Id, Integer, List, Text } from '../../platform/http/schema-helpers.ts';

const MoneySchema = Type.Object(
  {
    amount: Integer({ description: 'Integer minor units', examples: [1500] }),
    currency: CurrencyCode(),
  },
  { additionalProperties: false },
);

export const WebhookParams = Type.Object({ provider: Type.String({ maxLength: 32, examples: ['sandbox', 'stripe'] }) });
export const WebhookAck = Type.Object({
  received: Type.Boolean(),
  eventId: Id(),
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
      Integer({
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
  'idempotency-key': Type.Optional(idempotencyKeySchema('Required: makes the refund idempotent')),
});
export const RefundResponse = Type.Object({
  id: Id({ examples: ['ref_01jd3v6x0c8w4b2q9n7m5k3h1g'] }),
  paymentId: Id(),
  orderId: Id(),
  amount: MoneySchema,
  reason: Text(),
  status: Type.Union([Type.Literal('pending'), Type.Literal('succeeded'), Type.Literal('failed')]),
  createdAt: DateTime(),
});

const DriftSchema = Type.Object({
  kind: Text(100, { examples: ['status_conflict'] }),
  paymentId: Type.Union([Id(), Type.Null()]),
  providerPaymentId: Type.Union([Id(), Type.Null()]),
  ourStatus: Type.Union([Text(), Type.Null()]),
  providerStatus: Type.Union([Text(), Type.Null()]),
  detail: Text(),
});
export const ReconciliationQuery = Type.Object({
  limit: Type.Optional(Integer({ minimum: 1, maximum: 100, default: 1 })),
});
export const ReconciliationResponse = Type.Object({
  items: List(
    Type.Object({
      id: Id(),
      windowFrom: DateTime(),
      windowTo: DateTime(),
      checked: Integer(),
      repaired: List(Type.Object({ paymentId: Id(), from: Text(40), to: Text(40) })),
      drifts: List(DriftSchema),
      createdAt: DateTime(),
    }),
  ),
});
