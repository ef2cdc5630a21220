// Account emails over a real SMTP server (PGlite, or PostgreSQL in CI): the password reset journey end to end over
// HTTP, the email verification link, the welcome mail, the recipient's language, and nothing personal at rest.
import { sql } from 'kysely';
import type { ParsedMail } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStaff, uniqueEmail } from '../support/auth.ts';
import { createTestApp, type TestApp } from '../support/create-test-app.ts';
import { MAIL_ENV, messagesTo, settled } from './helpers.ts';
import { mailsTo, startSmtp, type TestSmtp, waitFor } from './smtp.ts';

let smtp: TestSmtp;
let t: TestApp;
const PASSWORD = 'a-long-test-passphrase-42';
const NEW_PASSWORD = 'another-long-passphrase-77';
const seen = { emails: [] as string[], tokens: [] as string[] };

beforeAll(async () => {
  smtp = await startSmtp();
  t = await createTestApp({ env: { ...MAIL_ENV, SMTP_URL: smtp.url } });
}, 60_000);
afterAll(async () => {
  await t?.close();
  await smtp?.close();
});

const post = (url: string, payload: object, headers: Record<string, string> = {}) =>
  t.http.inject({ method: 'POST', url, payload, headers });

async function register(email: string, headers: Record<string, string> = {}) {
  const res = await post('/v1/auth/register', { email, password: PASSWORD, name: 'Grace Hopper' }, headers);
  expect(res.statusCode).toBe(201);
  seen.emails.push(email);
  return res.json() as { accessToken: string; user: { id: string } };
}

const mailWith = (email: string, subject: string) =>
  waitFor(() => mailsTo(smtp, email).find((m) => m.subject?.startsWith(subject)));

function linkToken(mail: ParsedMail, path: string): string {
  const m = new RegExp(`https://shop\\.example/${path}\\?token=([A-Za-z0-9%._~-]+)`).exec(mail.text ?? '');
  if (!m?.[1]) throw new Error(`no ${path} link in: ${mail.text}`);
  const token = decodeURIComponent(m[1]);
  seen.tokens.push(token);
  return token;
}

describe('account emails over SMTP', () => {
  it('[REQ-NTF-001] password reset: the mail carries a working link; the new password logs in, the old one not', async () => {
    const email = uniqueEmail('reset');
    await register(email);
    const asked = await post('/v1/auth/password-reset', { email });
    expect(asked.statusCode).toBe(202);

    const mail = await mailWith(email, 'Reset your password');
    expect(mail.to && !Array.isArray(mail.to) ? mail.to.value[0]?.address : undefined).toBe(email);
    expect(mail.subject).toBe('Reset your password – Emporium Demo Shop');
    expect(mail.from?.text).toContain('no-reply@localhost');
    expect(mail.messageId).toMatch(/^<msg_[0-9a-z]+@localhost>$/);
    expect(mail.text).toContain('Hello Grace Hopper,');
    const token = linkToken(mail, 'reset-password');
    expect(token).toMatch(/^pr_/);
    expect(mail.html).toContain(`https://shop.example/reset-password?token`);
    expect(mail.html).toContain(token);
    expect(mail.html).toContain('<title>Reset your password – Emporium Demo Shop</title>');

    const confirmed = await post('/v1/auth/password-reset/confirm', { token, password: NEW_PASSWORD });
    expect(confirmed.statusCode).toBe(204);
    expect((await post('/v1/auth/login', { email, password: NEW_PASSWORD })).statusCode).toBe(200);
    expect((await post('/v1/auth/login', { email, password: PASSWORD })).statusCode).toBe(401);
  });

  it('[REQ-NTF-001] an unknown email gets the same 202, and no message is queued or sent', async () => {
    const unknown = uniqueEmail('nobody');
    const asked = await post('/v1/auth/password-reset', { email: unknown });
    expect(asked.statusCode).toBe(202);
    expect(asked.json()).toEqual({ accepted: true });
    await settled(t);
    expect(mailsTo(smtp, unknown)).toHaveLength(0);
    expect(await messagesTo(t, unknown)).toHaveLength(0);
  });

  it('[REQ-NTF-002] registration sends a welcome and a verification mail; the link verifies the address', async () => {
    const email = uniqueEmail('verify');
    const session = await register(email);
    const welcome = await mailWith(email, 'Welcome to Emporium Demo Shop');
    expect(welcome.text).toContain('Your account at Emporium Demo Shop is ready.');
    const mail = await mailWith(email, 'Confirm your email address');
    const token = linkToken(mail, 'verify-email');
    expect(mail.html).toContain(token);

    expect((await post('/v1/auth/verify-email', { token })).statusCode).toBe(204);
    const me = await t.http.inject({
      method: 'GET',
      url: '/v1/me',
      headers: { authorization: `Bearer ${session.accessToken}` },
    });
    expect(me.json().emailVerified).toBe(true);
    await waitFor(async () => (await messagesTo(t, email)).every((m) => m.status === 'sent'));
    expect((await messagesTo(t, email)).map((m) => [m.kind, m.status]).sort()).toEqual([
      ['email_verification', 'sent'],
      ['welcome', 'sent'],
    ]);
  });

  it('[REQ-NTF-002] a staff account is not welcomed as a customer', async () => {
    const staff = await createStaff(t, 'support');
    const registered = await sql<{ n: number }>`select count(*)::int as n from platform.outbox
      where type = 'identity.user.registered' and aggregate_id = ${staff.userId}`.execute(t.kernel.db.k);
    expect(registered.rows[0]?.n).toBe(1);
    await settled(t);
    expect((await messagesTo(t, staff.email)).filter((m) => m.kind === 'welcome')).toEqual([]);
  });

  it('[REQ-NTF-003] an account registered with Accept-Language: de gets its mails in German', async () => {
    const email = uniqueEmail('de');
    await register(email, { 'accept-language': 'de-DE,de;q=0.9,en;q=0.5' });
    expect((await post('/v1/auth/password-reset', { email })).statusCode).toBe(202);
    const mail = await mailWith(email, 'Passwort zurücksetzen');
    expect(mail.subject).toBe('Passwort zurücksetzen – Emporium Demo Shop');
    expect(mail.text).toContain('Hallo Grace Hopper,');
    expect(mail.text).toContain('Neues Passwort wählen: https://shop.example/reset-password?token=');
    expect(mail.html).toContain('lang="de"');
    linkToken(mail, 'reset-password');
  });

  it('[REQ-NTF-008] no table of the notifications schema holds an address, a name or a token in clear', async () => {
    await settled(t);
    expect(seen.emails.length).toBeGreaterThanOrEqual(3);
    expect(seen.tokens.length).toBeGreaterThanOrEqual(3);
    const tables = await sql<{ t: string }>`select table_name as t from information_schema.tables
      where table_schema = 'notifications' and table_type = 'BASE TABLE'`.execute(t.kernel.db.k);
    let dump = '';
    for (const { t: table } of tables.rows) {
      const rows = await sql<{
        row: string;
      }>`select x::text as row from ${sql.table(`notifications.${table}`)} x`.execute(t.kernel.db.k);
      dump += rows.rows.map((r) => r.row).join('\n');
    }
    expect(dump.length).toBeGreaterThan(0);
    const lower = dump.toLowerCase();
    for (const needle of [...seen.emails, ...seen.tokens, 'Grace Hopper']) {
      expect(lower.includes(needle.toLowerCase()), needle).toBe(false);
    }
  });
});
