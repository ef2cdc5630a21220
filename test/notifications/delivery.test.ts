// Delivery guarantees over a real SMTP server (PGlite, or PostgreSQL in CI): one message per (event, template,
// recipient) however often the event comes; delivered exactly once across an SMTP outage; retried with backoff, then
// dead-lettered, visible to staff and sent after a retry; two dispatchers never send a message twice.
import { sql } from 'kysely';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDispatcher } from '../../src/modules/notifications/dispatcher.ts';
import { createRenderer } from '../../src/modules/notifications/render.ts';
import { newId } from '../../src/platform/ids.ts';
import { createStaff, registerCustomer, type TestIdentity, uniqueEmail } from '../support/auth.ts';
import { createTestApp, type TestApp } from '../support/create-test-app.ts';
import { latestEvent, MAIL_ENV, messagesOfEvent, messagesTo, subscriber } from './helpers.ts';
import { mailsTo, startSmtp, type TestSmtp, waitFor } from './smtp.ts';

let smtp: TestSmtp;
let t: TestApp;
let staff: TestIdentity;
const MAX_ATTEMPTS = 3;
const STAFF = 'ops@shop.example';

beforeAll(async () => {
  smtp = await startSmtp();
  t = await createTestApp({
    env: { ...MAIL_ENV, SMTP_URL: smtp.url, MAIL_MAX_ATTEMPTS: String(MAX_ATTEMPTS), STAFF_NOTIFICATIONS_EMAIL: STAFF },
  });
  staff = await createStaff(t, 'admin');
}, 60_000);
afterAll(async () => {
  await t?.close();
  await smtp?.close();
});

const statusOf = async (id: string) =>
  (
    await sql<{ status: string; attempts: number }>`select status, attempts from notifications.messages
      where id = ${id}`.execute(t.kernel.db.k)
  ).rows[0];

const envelope = (type: string, aggregateId: string, payload: Record<string, unknown>) => ({
  id: newId('evt'),
  type,
  version: 1,
  aggregateId,
  occurredAt: new Date().toISOString(),
  correlationId: null,
  causationId: null,
  traceparent: null,
  payload,
});
const welcomeEnvelope = (userId: string) => envelope('identity.user.registered', userId, { userId });

describe('delivery', () => {
  it('[REQ-NTF-006] the same event handled twice makes one message and one mail', async () => {
    const customer = await registerCustomer(t);
    const envelope = welcomeEnvelope(customer.userId);
    const handler = subscriber(t, 'notifications.account_messages');
    await Promise.all([handler.handle(envelope), handler.handle(envelope)]);
    await handler.handle(envelope);
    const [row, ...more] = await messagesOfEvent(t, envelope.id);
    expect(more).toHaveLength(0);
    await waitFor(async () => (await statusOf(row?.id ?? ''))?.status === 'sent');
    expect(mailsTo(smtp, customer.email).filter((m) => m.messageId === `<${row?.id}@localhost>`)).toHaveLength(1);
  });

  it('[REQ-NTF-006] a real redelivery by the relay adds no message', async () => {
    const customer = await registerCustomer(t);
    const eventId = await latestEvent(t, 'identity.user.registered', customer.userId);
    const [first] = await waitFor(async () => {
      const rows = await messagesOfEvent(t, eventId ?? '');
      return rows.length && rows.every((r) => r.status === 'sent') ? rows : undefined;
    });
    // Deliver the stored event to the subscriber once more, as the relay does after a lost acknowledgement.
    await sql`insert into platform.event_deliveries (seq, event_id, subscriber, aggregate_id, ordered)
      select seq, id, 'notifications.account_messages', aggregate_id, false from platform.outbox
      where id = ${eventId}`.execute(t.kernel.db.k);
    t.relay.wake();
    await waitFor(
      async () =>
        (await sql`select 1 from platform.event_deliveries where event_id = ${eventId}`.execute(t.kernel.db.k)).rows
          .length === 0,
    );
    expect((await messagesOfEvent(t, eventId ?? '')).map((m) => m.id)).toEqual([first?.id]);
    expect(mailsTo(smtp, customer.email).filter((m) => m.subject?.startsWith('Welcome'))).toHaveLength(1);
  });

  it('[REQ-NTF-007] SMTP down, then back on the same port: the mail is retried and delivered exactly once', async () => {
    const customer = await registerCustomer(t);
    await waitFor(async () => (await messagesTo(t, customer.email)).every((m) => m.status === 'sent') || undefined);
    const port = smtp.port;
    const received = smtp.received;
    await smtp.close();
    try {
      const res = await t.http.inject({
        method: 'POST',
        url: '/v1/auth/password-reset',
        payload: { email: customer.email },
      });
      expect(res.statusCode).toBe(202);
      const failed = await waitFor(async () =>
        (await messagesTo(t, customer.email)).find((m) => m.kind === 'password_reset' && m.status === 'failed'),
      );
      expect(failed.attempts).toBeGreaterThanOrEqual(1);
      expect(failed.last_error).not.toContain(customer.email);
    } finally {
      smtp = await startSmtp(port, received);
    }
    const sent = await waitFor(async () =>
      (await messagesTo(t, customer.email)).find((m) => m.kind === 'password_reset' && m.status === 'sent'),
    );
    expect(sent.attempts).toBeGreaterThanOrEqual(2);
    expect(mailsTo(smtp, customer.email).filter((m) => m.subject?.startsWith('Reset your password'))).toHaveLength(1);
  });

  it('[REQ-NTF-007] refused on every attempt: dead after MAIL_MAX_ATTEMPTS, listed for staff, sent after a retry', async () => {
    const email = uniqueEmail('dead');
    smtp.failWith = 'mailbox busy, try later';
    let id: string;
    try {
      await registerCustomer(t, { email });
      const dead = await waitFor(async () =>
        (await messagesTo(t, email)).find((m) => m.kind === 'welcome' && m.status === 'dead'),
      );
      id = dead.id;
      expect(dead.attempts).toBe(MAX_ATTEMPTS);
      const list = await t.http.inject({
        method: 'GET',
        url: '/v1/admin/notifications/messages?status=dead&limit=100',
        headers: staff.headers,
      });
      expect(list.statusCode).toBe(200);
      const item = (list.json().items as { id: string; lastError: string }[]).find((m) => m.id === id);
      expect(item).toMatchObject({ kind: 'welcome', status: 'dead', attempts: MAX_ATTEMPTS, recipient: email });
      expect(item?.lastError).toContain('mailbox busy');
      expect(mailsTo(smtp, email)).toHaveLength(0);
    } finally {
      smtp.failWith = undefined;
    }
    const retried = await t.http.inject({
      method: 'POST',
      url: `/v1/admin/notifications/messages/${id}/retry`,
      headers: staff.headers,
    });
    expect(retried.statusCode).toBe(202);
    await waitFor(async () => (await statusOf(id))?.status === 'sent');
    expect(mailsTo(smtp, email).filter((m) => m.subject?.startsWith('Welcome'))).toHaveLength(1);
    const again = await t.http.inject({
      method: 'POST',
      url: `/v1/admin/notifications/messages/${id}/retry`,
      headers: staff.headers,
    });
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('notifications.already_sent');
  });

  it('[REQ-NTF-006] two dispatchers racing over the same messages send each exactly once', async () => {
    const customers = await Promise.all(Array.from({ length: 3 }, () => registerCustomer(t)));
    await waitFor(async () => {
      for (const c of customers) if ((await messagesTo(t, c.email)).some((m) => m.status !== 'sent')) return false;
      return true;
    });
    // Fresh events, queued by hand while two more dispatchers (another process's, in effect) race the app's own.
    const handler = subscriber(t, 'notifications.account_messages');
    const envelopes = customers.flatMap((c) => Array.from({ length: 4 }, () => welcomeEnvelope(c.userId)));
    const k = t.kernel;
    const others = [1, 2].map(() =>
      createDispatcher({
        db: k.db,
        privacy: k.privacy,
        mail: k.config.mail,
        shop: k.config.shop,
        logger: k.logger,
        metrics: { ...k.metrics, registry: new Registry() },
        renderer: createRenderer(k.config.shop),
      }),
    );
    try {
      await Promise.all([...envelopes.map((e) => handler.handle(e)), ...others.map((d) => d.runOnce())]);
      await Promise.all(others.map((d) => d.runOnce()));
      const ids = (await Promise.all(envelopes.map((e) => messagesOfEvent(t, e.id)))).flat().map((m) => m.id);
      expect(ids).toHaveLength(envelopes.length);
      await waitFor(async () => {
        for (const id of ids) if ((await statusOf(id))?.status !== 'sent') return false;
        return true;
      });
      for (const id of ids) {
        expect(
          smtp.received.filter((m) => m.messageId === `<${id}@localhost>`),
          id,
        ).toHaveLength(1);
      }
    } finally {
      await Promise.all(others.map((d) => d.stop()));
    }
  });

  it('[REQ-NTF-005] low stock and a disabled webhook endpoint are mailed to STAFF_NOTIFICATIONS_EMAIL', async () => {
    const handler = subscriber(t, 'notifications.staff_messages');
    const low = envelope('inventory.stock.low', 'var_lowstock', {
      variantId: 'var_lowstock',
      available: 2,
      threshold: 5,
    });
    const disabled = envelope('webhooks.endpoint.disabled', 'whe_1', {
      endpointId: 'whe_1',
      url: 'https://hooks.example/in',
      failures: 50,
    });
    await handler.handle(low);
    await handler.handle(disabled);
    const lowMail = await waitFor(() =>
      mailsTo(smtp, STAFF).find((m) => m.subject?.startsWith('Low stock: var_lowstock')),
    );
    expect(lowMail.text).toContain('Variant var_lowstock is down to 2 available units (threshold: 5).');
    const hookMail = await waitFor(() => mailsTo(smtp, STAFF).find((m) => m.subject?.startsWith('Webhook endpoint')));
    expect(hookMail.text).toContain('The endpoint https://hooks.example/in (whe_1) was disabled after 50 failed');
  });
});
