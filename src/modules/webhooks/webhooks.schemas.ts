// TypeBox schemas of the webhooks routes.
import { Type } from 'typebox';
import {
  Count,
  DateTime,
  Id,
  IdParam,
  INT4_MAX,
  Int,
  List,
  Text,
  Token,
  Url,
} from '../../platform/http/schema-helpers.ts';

const EventTypeName = Type.String({
  minLength: 1,
  maxLength: 100,
  pattern: '^(\\*|[a-z]+\\.[a-z_]+\\.[a-z_]+)$',
  description: 'A public event type, or `*` for every one (including types added later)',
});
const Events = Type.Array(EventTypeName, { minItems: 1, maxItems: 100, uniqueItems: true });
const Description = Type.String({ maxLength: 500 });
const TargetUrl = Url({ description: 'Where deliveries are POSTed (https, or http); no user name or password' });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

export const EndpointSchema = Type.Object(
  {
    id: Id({ examples: ['whe_01j9x3k5q8m2v7c4t6b0n1p3r5'] }),
    url: Text(2000, { examples: ['https://hooks.example.com/emporium'] }),
    events: List(Text(100), 100, { examples: [['orders.order.placed', 'orders.order.paid']] }),
    description: Nullable(Text(500)),
    enabled: Type.Boolean(),
    disabledReason: Nullable(
      Type.Union([Type.Literal('manual'), Type.Literal('failures')], {
        description: 'Why deliveries stopped: disabled by staff, or after too many consecutive failed attempts',
      }),
    ),
    consecutiveFailures: Count({ description: 'Failed attempts since the last success' }),
    previousSecretExpiresAt: Nullable(
      DateTime({ description: 'Until then deliveries are signed with the previous secret too' }),
    ),
    createdAt: DateTime(),
    updatedAt: DateTime(),
  },
  { additionalProperties: false },
);

const Secret = Token(100, {
  description: 'The signing secret (Standard Webhooks `whsec_…`), shown only when created or rotated',
  examples: ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'],
});

/** One closed object: an allOf of the closed EndpointSchema and `{secret}` would accept no body with a secret. */
export const CreatedEndpointSchema = Type.Object(
  { ...EndpointSchema.properties, secret: Secret },
  { additionalProperties: false },
);

export const CreateEndpointBody = Type.Object(
  { url: TargetUrl, events: Events, description: Type.Optional(Description) },
  {
    additionalProperties: false,
    examples: [{ url: 'https://hooks.example.com/emporium', events: ['orders.order.placed'], description: 'ERP' }],
  },
);

export const UpdateEndpointBody = Type.Object(
  {
    url: Type.Optional(TargetUrl),
    events: Type.Optional(Events),
    description: Type.Optional(Nullable(Description)),
    enabled: Type.Optional(
      Type.Boolean({ description: 'false stops deliveries (pending ones are cancelled); true resumes them' }),
    ),
  },
  { additionalProperties: false, minProperties: 1, examples: [{ enabled: true }] },
);

export const EndpointParams = Type.Object({ id: IdParam() });
/** A delivery id is its webhook-id (`msg_` and 26 base32 characters); anything else is refused before routing on. */
export const DeliveryParams = Type.Object({
  deliveryId: IdParam({ maxLength: 30, pattern: '^msg_[0-9a-z]{26}$', examples: ['msg_01m946kewsre512mwdrmxpn92c'] }),
});

const Limit = Type.Optional(Int(1, 100, { default: 20 }));
const Cursor = Type.Optional(Type.String({ maxLength: 64, description: 'nextCursor of the previous page' }));
export const PageQuery = Type.Object({ limit: Limit, cursor: Cursor }, { additionalProperties: false });

const Status = Type.Union(
  [Type.Literal('pending'), Type.Literal('delivered'), Type.Literal('failed'), Type.Literal('cancelled')],
  { description: 'pending (waiting for an attempt), delivered (2xx), failed (no attempt left), cancelled' },
);
export const DeliveriesQuery = Type.Object(
  { status: Type.Optional(Status), limit: Limit, cursor: Cursor },
  { additionalProperties: false },
);

export const EndpointListSchema = Type.Object({
  items: List(EndpointSchema, 100),
  nextCursor: Nullable(Text(64)),
});

export const RotatedSecretSchema = Type.Object({
  secret: Secret,
  previousSecretExpiresAt: Nullable(DateTime({ description: 'null when WEBHOOKS_SECRET_OVERLAP_HOURS is 0' })),
});

export const DeliverySchema = Type.Object({
  id: Id({
    description: 'The webhook-id header: the same on every attempt',
    examples: ['msg_01j9x3k5q8m2v7c4t6b0n1p3r5'],
  }),
  endpointId: Id(),
  eventId: Id(),
  eventType: Text(100, { examples: ['orders.order.placed'] }),
  status: Status,
  attempts: Int(0, INT4_MAX),
  lastStatusCode: Nullable(Int(0, 999)),
  lastError: Nullable(Text(1000)),
  lastLatencyMs: Nullable(Int(0, INT4_MAX)),
  nextAttemptAt: Nullable(DateTime()),
  deliveredAt: Nullable(DateTime()),
  createdAt: DateTime(),
});

export const DeliveryListSchema = Type.Object({
  items: List(DeliverySchema, 100),
  nextCursor: Nullable(Text(64)),
});

export const DeliveryDetailSchema = Type.Intersect([
  DeliverySchema,
  Type.Object({
    attemptLog: List(
      Type.Object({
        attempt: Int(1, INT4_MAX),
        startedAt: DateTime(),
        statusCode: Nullable(Int(0, 999)),
        error: Nullable(Text(1000)),
        latencyMs: Int(0, INT4_MAX),
        succeeded: Type.Boolean(),
      }),
      1000,
    ),
  }),
]);

export const EventTypeListSchema = List(
  Type.Object({
    type: Text(100, { examples: ['orders.order.placed'] }),
    description: Text(1000),
    schema: Type.Object({}, { additionalProperties: true, description: 'JSON Schema of the payload (`data`)' }),
  }),
  500,
);
