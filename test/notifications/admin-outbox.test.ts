// Without SMTP_URL (PGlite, or PostgreSQL in CI): mail lands in the local outbox, readable by staff; the templates and
// their preview; the admin endpoints' errors, which change nothing; a person's export and erasure.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MESSAGE_KINDS } from '../../src/modules/notifications/kinds.ts';
import { createStaff, registerCustomer, type TestIdentity } from '../support/auth.ts';
import { createTestApp, type TestApp } from '../support/create-test-app.ts';
import { MAIL_ENV, messagesTo } from './helpers.ts';
import { waitFor } from './smtp.ts';

let t: TestApp;
let admin: TestIdentity;
let support: TestIdentity;
let catalogManager: TestIdentity;
let customer: TestIdentity;

beforeAll(async () => {
  t = await createTestApp({ env: MAIL_ENV });
  admin = await createStaff(t, 'admin');
  support = await createStaff(t, 'support');
  catalogManager = await createStaff(t, 'catalog_manager');
  customer = await registerCustomer(t, { name: 'Katherine Johnson' });
}, 60_000);
afterAll(async () => {
  await t?.close();
});

const get = (url: string, headers: Record<string, string> = admin.headers) =>
  t.http.inject({ method: 'GET', url, headers });
const sentTo = (email: string) =>
  waitFor(async () => {
    const rows = await messagesTo(t, email);
    return rows.length >= 2 && rows.every((r) => r.status === 'sent') ? rows : undefined;
  });
const messageState = async () =>
  (
    await sql<{ id: string; status: string; attempts: number }>`select id, status, attempts
      from notifications.messages order by id`.execute(t.kernel.db.k)
  ).rows;

describe('local mail outbox and admin endpoints', () => {
  it('[REQ-NTF-009] without SMTP_URL the mails appear in the outbox endpoint, newest first, with text and HTML', async () => {
    await sentTo(customer.email);
    const list = await get('/v1/admin/notifications/outbox?limit=100', support.headers);
    expect(list.statusCode).toBe(200);
    const mine = (list.json().items as { id: string; to: string; subject: string; kind: string }[]).filter(
      (i) => i.to === customer.email,
    );
    expect(mine.map((m) => m.kind).sort()).toEqual(['email_verification', 'welcome']);
    const ids = (list.json().items as { id: string }[]).map((i) => i.id);
    expect(ids).toEqual([...ids].sort().reverse());
    const welcome = mine.find((m) => m.kind === 'welcome');
    expect(welcome?.subject).toBe('Welcome to Emporium Demo Shop');
    const one = await get(`/v1/admin/notifications/outbox/${welcome?.id}`, support.headers);
    expect(one.statusCode).toBe(200);
    expect(one.json().text).toContain('Hello Katherine Johnson,');
    expect(one.json().html).toContain('<title>Welcome to Emporium Demo Shop</title>');

    const page = await get('/v1/admin/notifications/outbox?limit=1');
    expect(page.json().items).toHaveLength(1);
    const next = await get(`/v1/admin/notifications/outbox?limit=1&cursor=${page.json().nextCursor}`);
    expect(next.json().items[0].id < page.json().items[0].id).toBe(true);
  });

  it('[REQ-NTF-010] templates: every kind with its subject per locale; a preview in en and de', async () => {
    const list = await get('/v1/admin/notifications/templates', support.headers);
    expect(list.statusCode).toBe(200);
    expect(list.json().locales).toEqual(['en', 'de']);
    expect(list.json().items.map((i: { kind: string }) => i.kind)).toEqual([...MESSAGE_KINDS]);
    expect(list.json().items[0].subjects).toEqual({
      en: 'Order 100042 confirmed – Emporium Demo Shop',
      de: 'Bestellung 100042 bestätigt – Emporium Demo Shop',
    });
    const de = await get('/v1/admin/notifications/templates/order_shipped/preview?locale=de', support.headers);
    expect(de.statusCode).toBe(200);
    expect(de.json()).toMatchObject({ kind: 'order_shipped', locale: 'de' });
    expect(de.json().subject).toBe('Bestellung 100042 ist unterwegs – Emporium Demo Shop');
    expect(de.json().text).toContain('Sendungsnummer: 00340434161094042557');
    expect(de.json().html).toContain('lang="de"');
    const en = await get('/v1/admin/notifications/templates/password_reset/preview');
    expect(en.json().locale).toBe('en');
    expect(en.json().text).toContain('Choose a new password: https://shop.example/reset-password?token=pr_sampletoken');
  });

  it('[REQ-NTF-011] errors: 401, 403, 404 unknown kind or id, 400 bad locale or status — and nothing changes', async () => {
    await sentTo(customer.email);
    const before = await messageState();
    const [anyMessage] = before;
    const cases: [string, string, Record<string, string>, number, string?][] = [
      ['GET', '/v1/admin/notifications/templates', {}, 401],
      ['GET', '/v1/admin/notifications/messages', customer.headers, 403],
      ['GET', '/v1/admin/notifications/outbox', catalogManager.headers, 403],
      ['POST', `/v1/admin/notifications/messages/${anyMessage?.id}/retry`, {}, 401],
      ['POST', `/v1/admin/notifications/messages/${anyMessage?.id}/retry`, support.headers, 403],
      [
        'GET',
        '/v1/admin/notifications/templates/no_such_kind/preview',
        admin.headers,
        404,
        'notifications.unknown_kind',
      ],
      ['GET', '/v1/admin/notifications/templates/welcome/preview?locale=fr', admin.headers, 400],
      ['GET', '/v1/admin/notifications/messages?status=lost', admin.headers, 400],
      ['GET', '/v1/admin/notifications/messages?limit=1000', admin.headers, 400],
      [
        'POST',
        '/v1/admin/notifications/messages/msg_unknown/retry',
        admin.headers,
        404,
        'notifications.message_not_found',
      ],
      [
        'GET',
        '/v1/admin/notifications/outbox/mbx_unknown',
        admin.headers,
        404,
        'notifications.outbox_message_not_found',
      ],
      [
        'POST',
        `/v1/admin/notifications/messages/${anyMessage?.id}/retry`,
        admin.headers,
        409,
        'notifications.already_sent',
      ],
    ];
    for (const [method, url, headers, status, code] of cases) {
      const res = await t.http.inject({ method: method as 'GET' | 'POST', url, headers });
      expect(res.statusCode, `${method} ${url}`).toBe(status);
      expect(res.headers['content-type']).toContain('application/problem+json');
      if (code) expect(res.json().code).toBe(code);
    }
    expect(await messageState()).toEqual(before);
  });

  it('[REQ-NTF-012] export lists the messages written to the person; erasure deletes them and their outbox copies', async () => {
    const person = await registerCustomer(t, { name: 'Mary Jackson' });
    await sentTo(person.email);
    const exported = await get('/v1/me/export', person.headers);
    expect(exported.statusCode).toBe(200);
    const messages = exported.json().modules.notifications.messages as { kind: string; subject: string }[];
    expect(messages.map((m) => m.kind).sort()).toEqual(['email_verification', 'welcome']);
    expect(messages.find((m) => m.kind === 'welcome')?.subject).toBe('Welcome to Emporium Demo Shop');

    const ids = (await messagesTo(t, person.email)).map((m) => m.id);
    const erased = await t.http.inject({ method: 'DELETE', url: '/v1/me', headers: person.headers });
    expect(erased.statusCode).toBe(204);
    await waitFor(async () => (await messagesTo(t, person.email)).length === 0);
    const left = await sql`select 1 from notifications.mail_outbox where message_id in (${sql.join(ids)})`.execute(
      t.kernel.db.k,
    );
    expect(left.rows).toHaveLength(0);
    expect((await messagesTo(t, customer.email)).length).toBeGreaterThan(0);
  });
});
