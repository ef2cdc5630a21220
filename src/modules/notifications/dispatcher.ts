// The dispatcher: claims due messages (FOR UPDATE SKIP LOCKED, a lease: status `sending` until lease_until),
// renders them, sends them with no transaction open, then marks them sent with an update conditional on the lease.
// A failed attempt waits min(retryBaseMs * 2^(attempts-1), retryMaxDelayMs); after maxAttempts the message is dead.
// Without SMTP_URL the "transport" is the local mail outbox: the rendered message is written (sealed, a single-use
// secret redacted) and the message marked sent in one statement. It runs as a scheduled job (every second, any process) and in-process
// when a subscriber or a staff retry wakes it, and again when the next retry falls due.
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { SpanKind, type Tracer } from '@opentelemetry/api';
import type nodemailer from 'nodemailer';
import type SMTPPool from 'nodemailer/lib/smtp-pool/index.js';
import { Counter } from 'prom-client';
import type { MailConfig, ShopConfig } from '../../platform/config-messaging.ts';
import type { Db } from '../../platform/db/db.ts';
import { createPump } from '../../platform/events/pump.ts';
import { newId } from '../../platform/ids.ts';
import type { Logger } from '../../platform/observability/logger.ts';
import type { Metrics } from '../../platform/observability/metrics.ts';
import { inSpan, parentFrom } from '../../platform/observability/tracing.ts';
import type { Privacy } from '../../platform/privacy/privacy.ts';
import { claimDue, type MessageRow, markFailed, markSent, nextDueInMs, storeInOutbox } from './messages.repo.ts';
import { redactMail, secretLinkOf } from './redaction.ts';
import type { Renderer } from './render.ts';
import { SEALED } from './sealed-fields.ts';

const requireCjs = createRequire(import.meta.url);

export interface DispatcherDeps {
  db: Db;
  privacy: Privacy;
  mail: MailConfig;
  shop: ShopConfig;
  logger: Logger;
  metrics: Metrics;
  renderer: Renderer;
  /** A CLIENT span per SMTP send when tracing is on (docs/tracing.md). */
  tracer?: Tracer | undefined;
  /**
   * Development without SMTP_URL: log the single-use link of a reset or verification mail written to the local
   * outbox (whose copy has it redacted), for the developer trying the flow locally. Never in production or tests.
   */
  logSecretLinks?: boolean | undefined;
}

export interface Dispatcher {
  /** Sends everything due now; returns how many messages it handled. */
  runOnce(): Promise<number>;
  wake(): void;
  stop(): Promise<void>;
}

/** The delay before attempt `attempts + 1` after `attempts` failed ones. */
export function retryDelayMs(mail: Pick<MailConfig, 'retryBaseMs' | 'retryMaxDelayMs'>, attempts: number): number {
  return Math.min(mail.retryBaseMs * 2 ** Math.max(0, attempts - 1), mail.retryMaxDelayMs);
}

/** Error text without addresses (an SMTP reply may quote the recipient): it is stored and logged. */
export const redactAddresses = (text: string) => text.replace(/[^\s<>@"',;:()[\]]+@[^\s<>@"',;:()[\]]+/g, '[address]');

const LEASE_FLOOR_MS = 60_000;
/** A wake-up further away than this is left to the scheduled job. */
const MAX_TIMER_MS = 60_000;

function counters(metrics: Metrics) {
  const make = (name: string, help: string) =>
    new Counter({ name, help, labelNames: ['template'] as const, registers: [metrics.registry] });
  return {
    sent: make('notifications_messages_sent_total', 'Messages delivered (SMTP or the local outbox), by template'),
    failed: make('notifications_messages_failed_total', 'Failed delivery attempts (to be retried), by template'),
    dead: make('notifications_messages_dead_total', 'Messages dead-lettered after the last attempt, by template'),
  };
}

export function createDispatcher(deps: DispatcherDeps): Dispatcher {
  const { db, privacy, mail, logger, renderer } = deps;
  const metrics = counters(deps.metrics);
  const leaseMs = Math.max(LEASE_FLOOR_MS, 3 * mail.timeoutMs);
  const batch = Math.max(4, mail.poolSize * 2);
  const domain = /@([^>\s]+)>?\s*$/.exec(mail.from)?.[1] ?? 'localhost';
  const smtpUrl = mail.smtpUrl ? new URL(mail.smtpUrl) : undefined;
  const smtpServer = smtpUrl
    ? {
        'server.address': smtpUrl.hostname,
        'server.port': Number(smtpUrl.port) || (smtpUrl.protocol === 'smtps:' ? 465 : 587),
      }
    : {};
  // nodemailer (about 65 ms to load) loads only when mail goes out over SMTP.
  const transport = mail.smtpUrl
    ? (requireCjs('nodemailer') as typeof nodemailer).createTransport(
        {
          url: mail.smtpUrl,
          pool: true as const,
          maxConnections: mail.poolSize,
          connectionTimeout: mail.timeoutMs,
          greetingTimeout: mail.timeoutMs,
          socketTimeout: mail.timeoutMs,
          // An unreachable server must fail the attempt, not wait for DNS or the OS's TCP timeout.
          dnsTimeout: mail.timeoutMs,
        } satisfies SMTPPool.Options,
        { from: mail.from },
      )
    : undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  async function deliver(row: MessageRow, leaseToken: string): Promise<void> {
    const to = await privacy.dataKeys.open(SEALED.recipient, row.recipient_sealed);
    const params = await privacy.dataKeys.openJson<Record<string, unknown>>(SEALED.params, row.params_sealed);
    if (to === null || params === null) {
      // The person was erased between the event and the sending: there is nobody to write to any more.
      await markFailed(db.k, row.id, leaseToken, 'recipient erased', { dead: true, delayMs: 0 });
      return;
    }
    const rendered = await renderer.render(row.kind, row.locale, params);
    const key = await privacy.dataKeys.forSubject(row.data_subject);
    const subjectSealed = privacy.dataKeys.seal(key, SEALED.subject, rendered.subject);
    if (transport) {
      const smtp = transport;
      await inSpan(
        deps.tracer,
        'smtp send',
        { kind: SpanKind.CLIENT, attributes: { ...smtpServer, 'emporium.mail.kind': row.kind } },
        () =>
          smtp.sendMail({
            to,
            subject: rendered.subject,
            text: rendered.text,
            html: rendered.html,
            // Deterministic: a message re-sent after a lost acknowledgement carries the same id (receivers de-duplicate).
            messageId: `<${row.id}@${domain}>`,
          }),
      );
      if (!(await markSent(db.k, row.id, leaseToken, subjectSealed))) {
        logger.warn({ messageId: row.id, kind: row.kind }, 'mail sent after its lease was lost');
      }
    } else {
      // The outbox copy never holds a single-use secret: only the recipient's mailbox would (redaction.ts).
      const link = secretLinkOf(row.kind, params);
      const mail = redactMail(row.kind, { to, ...rendered }, link);
      const content = privacy.dataKeys.sealJson(key, SEALED.outbox, mail);
      const stored = { id: newId('mbx'), messageId: row.id, kind: row.kind, contentSealed: content };
      if (!(await storeInOutbox(db.k, stored, leaseToken, subjectSealed))) throw new Error('lease lost');
      if (deps.logSecretLinks && link) {
        logger.info({ messageId: row.id, kind: row.kind, link }, 'development: the single-use link of this mail');
      }
    }
    metrics.sent.inc({ template: row.kind });
  }

  async function attempt(row: MessageRow, leaseToken: string): Promise<void> {
    try {
      if (row.attempts > mail.maxAttempts) throw new Error('attempts exhausted (a process died while sending)');
      // One span per attempt, continuing the trace of the event that queued the message (SMTP or the local outbox).
      await inSpan(
        deps.tracer,
        `send ${row.kind}`,
        {
          kind: SpanKind.INTERNAL,
          parent: parentFrom(row.traceparent),
          attributes: { 'emporium.mail.kind': row.kind, 'emporium.mail.attempt': row.attempts },
        },
        () => deliver(row, leaseToken),
      );
    } catch (e) {
      const error = redactAddresses((e as Error)?.message ?? String(e));
      const dead = row.attempts >= mail.maxAttempts;
      const delayMs = retryDelayMs(mail, row.attempts);
      await markFailed(db.k, row.id, leaseToken, error, { dead, delayMs });
      (dead ? metrics.dead : metrics.failed).inc({ template: row.kind });
      logger.warn(
        { messageId: row.id, kind: row.kind, attempt: row.attempts, dead, err: error },
        dead ? 'mail dead-lettered' : 'mail delivery failed; will retry',
      );
    }
  }

  async function runOnce(): Promise<number> {
    let handled = 0;
    for (;;) {
      const leaseToken = randomBytes(12).toString('base64url');
      const rows = await claimDue(db.k, batch, leaseToken, leaseMs);
      await Promise.all(rows.map((r) => attempt(r, leaseToken)));
      handled += rows.length;
      if (rows.length < batch || stopped) return handled;
    }
  }

  /** Wakes this process when the next retry falls due (the scheduled job covers the rest). */
  async function armTimer(): Promise<void> {
    const ms = await nextDueInMs(db.k);
    if (ms === undefined || ms > MAX_TIMER_MS || stopped) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => pump.wake(), ms + 5);
    timer.unref();
  }

  const pump = createPump(
    'notifications-dispatch',
    async () => {
      await runOnce();
      await armTimer();
      return false;
    },
    MAX_TIMER_MS,
    logger,
  );
  let started = false;

  return {
    runOnce,
    wake() {
      if (stopped) return;
      if (!started) {
        started = true;
        pump.start();
      } else pump.wake();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await pump.stop();
      transport?.close();
    },
  };
}
