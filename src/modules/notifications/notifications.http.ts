// Staff endpoints of the notifications module: the templates and their preview, the delivery log with a retry for
// failed and dead messages, and the local mail outbox (where mail goes without SMTP_URL), which never shows a
// single-use secret (a reset or verification link's token) to anyone: redaction.ts.
import { MAIL_LOCALES, type ShopConfig } from '../../platform/config-messaging.ts';
import type { Db } from '../../platform/db/db.ts';
import { errors } from '../../platform/errors.ts';
import { access } from '../../platform/http/auth.ts';
import { idCursor } from '../../platform/http/cursor.ts';
import { problemResponse } from '../../platform/http/problem.ts';
import type { App } from '../../platform/http/server.ts';
import type { Privacy } from '../../platform/privacy/privacy.ts';
import { isMessageKind, MESSAGE_KINDS, NOTIFICATION_ERRORS } from './kinds.ts';
import { listMessages, listOutbox, outboxById, requeue } from './messages.repo.ts';
import {
  IdParams,
  KindParams,
  MessageListQuery,
  MessageListSchema,
  OutboxListSchema,
  OutboxMessageSchema,
  OutboxQuery,
  PreviewQuery,
  PreviewSchema,
  RetriedSchema,
  TemplateListSchema,
} from './notifications.schemas.ts';
import { carriesSecret, redactText } from './redaction.ts';
import type { Renderer } from './render.ts';
import { sampleParams } from './samples.ts';
import { SEALED } from './sealed-fields.ts';

const tags = ['notifications'];
const auth = (permission: string) => ({
  401: problemResponse('Not authenticated'),
  403: problemResponse(`Needs the permission ${permission}`),
});
const READ = 'notifications:read';
const MANAGE = 'notifications:manage';
const iso = (d: Date | string | null) => (d ? new Date(d).toISOString() : null);
/** A stored part as the API shows it: a single-use secret redacted, also in a copy stored before redaction. */
const shown = (kind: string, part: string | undefined) =>
  part === undefined ? null : carriesSecret(kind) ? redactText(part) : part;

interface OutboxContent {
  to: string;
  subject: string;
  text: string;
  html: string;
}

export function registerNotificationRoutes(
  http: App,
  deps: { db: Db; privacy: Privacy; shop: ShopConfig; renderer: Renderer; wake: () => void },
): void {
  const { db, privacy, shop, renderer } = deps;
  const openOutbox = (sealed: string) => privacy.dataKeys.openJson<OutboxContent>(SEALED.outbox, sealed);

  http.get(
    '/v1/admin/notifications/templates',
    {
      config: { access: access.permission(READ) },
      schema: {
        tags,
        summary: 'List the message kinds with their subject line in every locale',
        response: { 200: TemplateListSchema, ...auth(READ) },
      },
    },
    async () => ({
      locales: [...MAIL_LOCALES],
      defaultLocale: shop.defaultLocale,
      items: await Promise.all(
        MESSAGE_KINDS.map(async (kind) => ({
          kind,
          subjects: Object.fromEntries(
            await Promise.all(
              MAIL_LOCALES.map(async (l) => [l, await renderer.subject(kind, l, sampleParams(kind, shop))]),
            ),
          ),
        })),
      ),
    }),
  );

  http.get(
    '/v1/admin/notifications/templates/:kind/preview',
    {
      config: { access: access.permission(READ) },
      schema: {
        tags,
        summary: 'Render a message kind with sample data',
        description: 'The subject, HTML and text part as a customer would receive them, filled with sample data.',
        params: KindParams,
        querystring: PreviewQuery,
        response: {
          200: PreviewSchema,
          ...auth(READ),
          404: problemResponse(NOTIFICATION_ERRORS.unknownKind),
        },
      },
    },
    async (req) => {
      const { kind } = req.params;
      if (!isMessageKind(kind)) throw errors.notFound(NOTIFICATION_ERRORS.unknownKind, `No message kind ${kind}.`);
      const locale = req.query.locale ?? shop.defaultLocale;
      return { kind, locale, ...(await renderer.render(kind, locale, sampleParams(kind, shop))) };
    },
  );

  http.get(
    '/v1/admin/notifications/messages',
    {
      config: { access: access.permission(READ) },
      schema: {
        tags,
        summary: 'The delivery log: messages newest first',
        querystring: MessageListQuery,
        response: {
          200: MessageListSchema,
          ...auth(READ),
          400: problemResponse('notifications.invalid_cursor or request.validation_failed'),
        },
      },
    },
    async (req) => {
      const { limit = 20, status } = req.query;
      const cursor = idCursor(req.query.cursor, 'msg', NOTIFICATION_ERRORS.invalidCursor);
      const rows = await listMessages(db.k, { status, cursor, limit: limit + 1 });
      const page = rows.slice(0, limit);
      await privacy.dataKeys.preload(page.map((r) => r.recipient_sealed));
      return {
        items: await Promise.all(
          page.map(async (r) => ({
            id: r.id,
            kind: r.kind,
            locale: r.locale,
            status: r.status,
            attempts: r.attempts,
            lastError: r.last_error,
            nextAttemptAt: r.status === 'pending' || r.status === 'failed' ? iso(r.next_attempt_at) : null,
            sentAt: iso(r.sent_at),
            createdAt: iso(r.created_at) as string,
            recipient: await privacy.dataKeys.open(SEALED.recipient, r.recipient_sealed),
          })),
        ),
        nextCursor: rows.length > limit ? (page.at(-1)?.id ?? null) : null,
      };
    },
  );

  http.post(
    '/v1/admin/notifications/messages/:id/retry',
    {
      config: { access: access.permission(MANAGE) },
      schema: {
        tags,
        summary: 'Send a failed or dead message again now',
        description: 'The message goes back to pending with a fresh budget of attempts. A sent message is a 409.',
        params: IdParams,
        response: {
          202: RetriedSchema,
          ...auth(MANAGE),
          404: problemResponse(NOTIFICATION_ERRORS.messageNotFound),
          409: problemResponse(`${NOTIFICATION_ERRORS.alreadySent} or ${NOTIFICATION_ERRORS.inFlight}`),
        },
      },
    },
    async (req, reply) => {
      const { id } = req.params;
      const r = await requeue(db.k, id);
      if (!r.requeued) {
        if (!r.status) throw errors.notFound(NOTIFICATION_ERRORS.messageNotFound, `No message ${id}.`);
        if (r.status === 'sent') throw errors.conflict(NOTIFICATION_ERRORS.alreadySent, `Message ${id} was sent.`);
        throw errors.conflict(NOTIFICATION_ERRORS.inFlight, `Message ${id} is being sent right now.`);
      }
      deps.wake();
      return reply.code(202).send({ id, status: 'pending' as const });
    },
  );

  http.get(
    '/v1/admin/notifications/outbox',
    {
      config: { access: access.permission(READ) },
      schema: {
        tags,
        summary: 'The local mail outbox (mail written while no SMTP_URL is set), newest first',
        querystring: OutboxQuery,
        response: { 200: OutboxListSchema, ...auth(READ) },
      },
    },
    async (req) => {
      const { limit = 20, cursor } = req.query;
      const rows = await listOutbox(db.k, { cursor, limit: limit + 1 });
      const page = rows.slice(0, limit);
      await privacy.dataKeys.preload(page.map((r) => r.content_sealed));
      return {
        items: await Promise.all(
          page.map(async (r) => {
            const c = await openOutbox(r.content_sealed);
            return {
              id: r.id,
              messageId: r.message_id,
              kind: r.kind as (typeof MESSAGE_KINDS)[number],
              createdAt: iso(r.created_at) as string,
              to: c?.to ?? null,
              subject: shown(r.kind, c?.subject),
              redacted: carriesSecret(r.kind),
            };
          }),
        ),
        nextCursor: rows.length > limit ? (page.at(-1)?.id ?? null) : null,
      };
    },
  );

  http.get(
    '/v1/admin/notifications/outbox/:id',
    {
      config: { access: access.permission(READ) },
      schema: {
        tags,
        summary: 'One message of the local mail outbox with its text and HTML',
        description:
          'A password reset or email verification mail shows its link with the token as [redacted] (`redacted: true`), ' +
          'whoever asks: the single-use secret is for the recipient only.',
        params: IdParams,
        response: {
          200: OutboxMessageSchema,
          ...auth(READ),
          404: problemResponse(NOTIFICATION_ERRORS.outboxMessageNotFound),
        },
      },
    },
    async (req) => {
      const r = await outboxById(db.k, req.params.id);
      if (!r) throw errors.notFound(NOTIFICATION_ERRORS.outboxMessageNotFound, `No outbox message ${req.params.id}.`);
      const c = await openOutbox(r.content_sealed);
      return {
        id: r.id,
        messageId: r.message_id,
        kind: r.kind as (typeof MESSAGE_KINDS)[number],
        createdAt: iso(r.created_at) as string,
        to: c?.to ?? null,
        subject: shown(r.kind, c?.subject),
        text: shown(r.kind, c?.text),
        html: shown(r.kind, c?.html),
        redacted: carriesSecret(r.kind),
      };
    },
  );
}
