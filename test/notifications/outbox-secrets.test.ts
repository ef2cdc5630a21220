// Single-use secrets never leave through the local mail outbox (no SMTP_URL, the embedded default): a support agent
// — or an admin — reading a password reset mail sees the link with its token [redacted], so holding
// notifications:read no longer lets anyone take over the account it was sent to. The copy at rest has no token
// either; a copy stored before the rule is redacted when read. In development the link is logged for the developer.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MESSAGE_KINDS } from '../../src/modules/notifications/kinds.ts';
import { carriesSecret, redactMail } from '../../src/modules/notifications/redaction.ts';
import { createRenderer } from '../../src/modules/notifications/render.ts';
import { sampleParams } from '../../src/modules/notifications/samples.ts';
import { SEALED } from '../../src/modules/notifications/sealed-fields.ts';
import { createStaff, registerCustomer, TEST_PASSWORD, type TestIdentity } from '../support/auth.ts';
import { createTestApp, type TestApp } from '../support/create-test-app.ts';
import { MAIL_ENV } from './helpers.ts';
import { waitFor } from './smtp.ts';

let t: TestApp;
let admin: TestIdentity;
let support: TestIdentity;
const logs: string[] = [];

beforeAll(async () => {
  t = await createTestApp({ env: MAIL_ENV, logStream: { write: (line: string) => void logs.push(line) } });
  admin = await createStaff(t, 'admin');
  support = await createStaff(t, 'support');
}, 60_000);
afterAll(async () => {
  await t?.close();
});

interface OutboxItem {
  id: string;
  messageId: string;
  kind: string;
  to: string | null;
  subject: string | null;
  redacted: boolean;
}
interface OutboxMail extends OutboxItem {
  text: string | null;
  html: string | null;
}

const get = (url: string, headers: Record<string, string>) => t.http.inject({ method: 'GET', url, headers });
const post = (url: string, payload: object, headers: Record<string, string> = {}) =>
  t.http.inject({ method: 'POST', url, payload, headers });

/** The outbox entry of the latest mail of `kind` to `email`, as `who` lists it. */
async function outboxEntry(who: TestIdentity, email: string, kind: string): Promise<OutboxItem> {
  return waitFor(async () => {
    const list = await get('/v1/admin/notifications/outbox?limit=100', who.headers);
    expect(list.statusCode).toBe(200);
    return (list.json().items as OutboxItem[]).find((i) => i.to === email && i.kind === kind);
  });
}

/** The real link of a message, from its sealed parameters (what the recipient's mail holds). */
async function realLink(messageId: string): Promise<string> {
  const row = await sql<{ params_sealed: string }>`select params_sealed from notifications.messages
    where id = ${messageId}`.execute(t.kernel.db.k);
  const params = await t.kernel.privacy.dataKeys.openJson<{ link: string }>(
    SEALED.params,
    row.rows[0]?.params_sealed as string,
  );
  return params?.link as string;
}
const tokenOf = (link: string) => new URL(link).searchParams.get('token') as string;

async function userState(userId: string) {
  const r = await sql<{ password_hash: string; sessions: number }>`select u.password_hash,
      (select count(*)::int from identity.sessions s where s.user_id = u.id and s.revoked_at is null) as sessions
    from identity.users u where u.id = ${userId}`.execute(t.kernel.db.k);
  return r.rows[0];
}

describe('single-use secrets and the local mail outbox', () => {
  it('[REQ-NTF-014] [REQ-IDN-007] support reads that a reset mail went to the admin, never its token: no takeover', async () => {
    const victim = await createStaff(t, 'admin');
    expect((await post('/v1/auth/password-reset', { email: victim.email })).statusCode).toBe(202);
    const entry = await outboxEntry(support, victim.email, 'password_reset');
    expect(entry).toMatchObject({ subject: 'Reset your password – Emporium Demo Shop', redacted: true });
    const token = tokenOf(await realLink(entry.messageId));
    expect(token).toMatch(/^pr_[A-Za-z0-9_-]{40,}$/);

    for (const who of [support, admin]) {
      const res = await get(`/v1/admin/notifications/outbox/${entry.id}`, who.headers);
      expect(res.statusCode).toBe(200);
      const mail = res.json() as OutboxMail;
      expect(mail).toMatchObject({ kind: 'password_reset', to: victim.email, redacted: true });
      expect(mail.text).toContain('Choose a new password: https://shop.example/reset-password?token=[redacted]');
      expect(mail.html).toContain('reset-password?token&#x3D;[redacted]');
      expect(res.body).not.toContain(token);
      expect(res.body).not.toMatch(/pr_[A-Za-z0-9_-]{20,}/);
    }

    // What the probe did with the link: the redacted one opens nothing, and nothing changes for the admin.
    const before = await userState(victim.userId);
    const attempt = await post('/v1/auth/password-reset/confirm', {
      token: '[redacted]',
      password: 'support-took-over-12345',
    });
    expect(attempt.statusCode).toBe(400);
    expect(attempt.json().code).toBe('identity.invalid_token');
    expect(await userState(victim.userId)).toEqual(before);
    const login = await post('/v1/auth/login', { email: victim.email, password: TEST_PASSWORD });
    expect(login.statusCode).toBe(200);

    // The recipient's own link still works: the token was redacted from the outbox, not spoiled.
    const own = await post('/v1/auth/password-reset/confirm', { token, password: 'the-owner-chose-this-42' });
    expect(own.statusCode).toBe(204);
  });

  it('[REQ-NTF-014] at rest: the outbox copy holds no token; the delivery log and the logs show none either', async () => {
    const customer = await registerCustomer(t, { name: 'Dorothy Vaughan' });
    const entry = await outboxEntry(admin, customer.email, 'email_verification');
    const token = tokenOf(await realLink(entry.messageId));
    expect(token).toMatch(/^ev_/);
    const row = await sql<{ content_sealed: string }>`select content_sealed from notifications.mail_outbox
      where id = ${entry.id}`.execute(t.kernel.db.k);
    const sealed = row.rows[0]?.content_sealed as string;
    expect(sealed).not.toContain(token);
    const stored = await t.kernel.privacy.dataKeys.openJson<{ text: string; html: string }>(SEALED.outbox, sealed);
    expect(stored?.text).toContain('verify-email?token=[redacted]');
    expect(JSON.stringify(stored)).not.toContain(token);

    const log = await get('/v1/admin/notifications/messages?limit=100', support.headers);
    expect(log.statusCode).toBe(200);
    expect(log.body).not.toContain(token);
    expect(logs.join('\n')).not.toContain(token);

    // A mail without a secret is shown as sent.
    const welcome = await outboxEntry(support, customer.email, 'welcome');
    expect(welcome.redacted).toBe(false);
    const shown = await get(`/v1/admin/notifications/outbox/${welcome.id}`, support.headers);
    expect(shown.json().text).toContain('Hello Dorothy Vaughan,');
  });

  it('[REQ-NTF-014] a copy stored before the rule, with the token in clear, is redacted when read', async () => {
    const customer = await registerCustomer(t);
    const entry = await outboxEntry(admin, customer.email, 'email_verification');
    const link = await realLink(entry.messageId);
    const m = await sql<{ data_subject: string }>`select data_subject from notifications.messages
      where id = ${entry.messageId}`.execute(t.kernel.db.k);
    const key = await t.kernel.privacy.dataKeys.forSubject(m.rows[0]?.data_subject as string);
    const old = {
      to: customer.email,
      subject: 'Confirm your email address – Emporium Demo Shop',
      text: `Confirm my email address: ${link}`,
      html: `<a href="${link.replace('=', '&#x3D;')}">${link}</a>`,
    };
    await sql`update notifications.mail_outbox set content_sealed = ${t.kernel.privacy.dataKeys.sealJson(
      key,
      SEALED.outbox,
      old,
    )} where id = ${entry.id}`.execute(t.kernel.db.k);
    const res = await get(`/v1/admin/notifications/outbox/${entry.id}`, admin.headers);
    expect(res.statusCode).toBe(200);
    expect(res.body).not.toContain(tokenOf(link));
    expect(res.json().text).toBe('Confirm my email address: https://shop.example/verify-email?token=[redacted]');
    expect(res.json().html).toBe(
      '<a href="https://shop.example/verify-email?token&#x3D;[redacted]">https://shop.example/verify-email?token=[redacted]</a>',
    );
  });

  it('[REQ-NTF-014] every kind whose mail carries a token link is redacted, in every part and locale', async () => {
    const renderer = createRenderer(t.config.shop);
    for (const kind of MESSAGE_KINDS) {
      const params = sampleParams(kind, t.config.shop);
      const hasToken = Object.values(params).some((v) => typeof v === 'string' && /[?&]token=/.test(v));
      expect(carriesSecret(kind), kind).toBe(hasToken);
      for (const locale of ['en', 'de'] as const) {
        const mail = await renderer.render(kind, locale, params);
        const shown = JSON.stringify(redactMail(kind, mail, params.link as string | undefined));
        expect(shown, `${kind} ${locale}`).not.toContain('sampletoken');
        if (hasToken) expect(shown).toContain('[redacted]');
        else expect(shown).toBe(JSON.stringify(mail));
      }
    }
  });
});

describe('development without SMTP_URL', () => {
  it('[REQ-NTF-014] the developer finds the single-use link in the log; the outbox still shows it redacted', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'emporium-dev-'));
    const devLogs: { msg?: string; kind?: string; link?: string }[] = [];
    const dev = await createTestApp({
      env: { ...MAIL_ENV, NODE_ENV: 'development', DATA_DIR: dataDir, DEMO_DATA: 'off' },
      logStream: { write: (line: string) => void devLogs.push(JSON.parse(line)) },
    });
    try {
      const res = await dev.http.inject({
        method: 'POST',
        url: '/v1/auth/register',
        payload: { email: 'dev@example.com', password: TEST_PASSWORD },
      });
      expect(res.statusCode).toBe(201);
      const line = await waitFor(() => devLogs.find((l) => l.kind === 'email_verification' && l.link));
      expect(line.msg).toBe('development: the single-use link of this mail');
      const token = tokenOf(line.link as string);
      expect(token).toMatch(/^ev_/);
      const copy = await sql<{ content_sealed: string }>`select content_sealed from notifications.mail_outbox
        where kind = 'email_verification'`.execute(dev.kernel.db.k);
      const stored = await dev.kernel.privacy.dataKeys.openJson<{ text: string }>(
        SEALED.outbox,
        copy.rows[0]?.content_sealed as string,
      );
      expect(stored?.text).toContain('token=[redacted]');
      const verified = await dev.http.inject({ method: 'POST', url: '/v1/auth/verify-email', payload: { token } });
      expect(verified.statusCode).toBe(204);
    } finally {
      await dev.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});
