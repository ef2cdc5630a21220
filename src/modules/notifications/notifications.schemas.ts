// TypeBox schemas of the notifications admin API (OpenAPI at /openapi.json).
import { Type } from 'typebox';
import { MAIL_LOCALES } from '../../platform/config-messaging.ts';
import { Count, DateTime, Id, IdParam, Integer, List, Text, Token } from '../../platform/http/schema-helpers.ts';
import { MESSAGE_KINDS, MESSAGE_STATUSES } from './kinds.ts';

export const KindSchema = Type.Union(
  MESSAGE_KINDS.map((k) => Type.Literal(k)),
  { description: 'The message kind (its templates)' },
);
export const LocaleSchema = Type.Union(
  MAIL_LOCALES.map((l) => Type.Literal(l)),
  { description: 'A language the shop has templates for' },
);
export const StatusSchema = Type.Union(
  MESSAGE_STATUSES.map((s) => Type.Literal(s)),
  { description: 'pending → sending → sent; a failed attempt waits as failed; dead after the last attempt' },
);

export const TemplateListSchema = Type.Object({
  locales: List(LocaleSchema, 10),
  defaultLocale: LocaleSchema,
  items: List(
    Type.Object({
      kind: KindSchema,
      subjects: Type.Record(Text(10), Text(1000), {
        description: 'The subject line per locale, filled with sample data',
        examples: [{ en: 'Order 100042 confirmed – Emporium Demo Shop' }],
      }),
    }),
    100,
  ),
});

export const KindParams = Type.Object({ kind: IdParam({ maxLength: 100, examples: ['order_confirmation'] }) });
export const PreviewQuery = Type.Object({ locale: Type.Optional(LocaleSchema) });
export const PreviewSchema = Type.Object({
  kind: KindSchema,
  locale: LocaleSchema,
  subject: Text(1000),
  html: Text(1_000_000),
  text: Text(100_000),
});

export const MessageListQuery = Type.Object({
  status: Type.Optional(StatusSchema),
  cursor: Type.Optional(Token(64)),
  limit: Type.Optional(Integer({ minimum: 1, maximum: 100, default: 20 })),
});
export const MessageSchema = Type.Object({
  id: Id({ examples: ['msg_01jd3m5w4q0000000000000000'] }),
  kind: KindSchema,
  locale: LocaleSchema,
  status: StatusSchema,
  attempts: Count(),
  lastError: Type.Union([Text(2000), Type.Null()]),
  nextAttemptAt: Type.Union([DateTime(), Type.Null()], { description: 'When a pending or failed message is tried' }),
  sentAt: Type.Union([DateTime(), Type.Null()]),
  createdAt: DateTime(),
  recipient: Type.Union([Text(320), Type.Null()], {
    description: "The address; null once the person's data is erased",
  }),
});
export const MessageListSchema = Type.Object({
  items: List(MessageSchema, 100),
  nextCursor: Type.Union([Token(64), Type.Null()]),
});
export const IdParams = Type.Object({ id: IdParam({ maxLength: 64 }) });
export const RetriedSchema = Type.Object({ id: Id(), status: Type.Literal('pending') });

export const OutboxQuery = Type.Object({
  cursor: Type.Optional(Token(64)),
  limit: Type.Optional(Integer({ minimum: 1, maximum: 100, default: 20 })),
});
const OutboxBase = {
  id: Id({ examples: ['mbx_01jd3m5w4q0000000000000000'] }),
  messageId: Id(),
  kind: KindSchema,
  createdAt: DateTime(),
  to: Type.Union([Text(320), Type.Null()], { description: "Null once the person's data is erased" }),
  subject: Type.Union([Text(1000), Type.Null()]),
  redacted: Type.Boolean({
    description:
      'True for a mail that carried a single-use secret (password_reset, email_verification): its token reads ' +
      '[redacted] in the subject, text and HTML, for every caller. The recipient got the link; nobody reads it here.',
  }),
};
export const OutboxItemSchema = Type.Object(OutboxBase);
export const OutboxListSchema = Type.Object({
  items: List(OutboxItemSchema, 100),
  nextCursor: Type.Union([Token(64), Type.Null()]),
});
export const OutboxMessageSchema = Type.Object({
  ...OutboxBase,
  text: Type.Union([Text(100_000), Type.Null()]),
  html: Type.Union([Text(1_000_000), Type.Null()]),
});
