// Every list that pages by id answers 400 `<module>.invalid_cursor` for a cursor it did not issue (garbage, or the id
// of another kind of row), before any query runs; the nextCursor it issued still pages on.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/platform/ids.ts';
import { createTestApp, type TestApp } from '../support/create-test-app.ts';
import { asStaff, fakeAuth } from '../support/fake-auth.ts';

let t: TestApp;
let webhook = '';
const STAFF = asStaff(
  'webhooks:manage',
  'audit:read',
  'users:manage',
  'inventory:read',
  'orders:read',
  'events:manage',
  'notifications:read',
  'privacy:manage',
);

beforeAll(async () => {
  t = await createTestApp({ authenticate: fakeAuth });
  const res = await t.http.inject({
    method: 'POST',
    url: '/v1/admin/webhooks',
    headers: STAFF,
    payload: { url: 'https://93.184.215.14/hook', events: ['*'] },
  });
  expect(res.statusCode).toBe(201);
  webhook = res.json().id;
});
afterAll(async () => {
  await t?.close();
});

/** Each list, the code it answers, and the id prefix of the cursors it issues. */
const LISTS: [string, () => string, string, string][] = [
  ['webhooks', () => '/v1/admin/webhooks', 'webhooks.invalid_cursor', 'whe'],
  ['webhook deliveries', () => `/v1/admin/webhooks/${webhook}/deliveries`, 'webhooks.invalid_cursor', 'msg'],
  ['audit log', () => '/v1/admin/audit-log', 'identity.invalid_cursor', 'aud'],
  ['users', () => '/v1/admin/users', 'identity.invalid_cursor', 'usr'],
  ['low stock', () => '/v1/admin/inventory/low-stock', 'inventory.invalid_cursor', 'var'],
  ['orders', () => '/v1/orders', 'orders.invalid_cursor', 'ord'],
  ['returns', () => '/v1/admin/returns', 'orders.invalid_cursor', 'ret'],
  ['dead letters', () => '/v1/admin/events/dead-letters', 'events.invalid_cursor', 'dlq'],
  ['notification messages', () => '/v1/admin/notifications/messages', 'notifications.invalid_cursor', 'msg'],
  ['erasures', () => '/v1/admin/privacy/erasures', 'privacy.invalid_cursor', 'era'],
];

describe('cursors a list did not issue [REQ-API-005]', () => {
  it.each(LISTS)(
    '[REQ-API-005] %s: garbage or another list’s id → 400 with its code; its own kind of id pages on',
    async (_name, url, code, prefix) => {
      const other = prefix === 'ord' ? 'usr' : 'ord';
      for (const cursor of ['garbage', newId(other), `${prefix}_short`, `${newId(prefix)}x`]) {
        const res = await t.http.inject({ method: 'GET', url: `${url()}?cursor=${cursor}`, headers: STAFF });
        expect([cursor, res.statusCode, res.json().code]).toEqual([cursor, 400, code]);
        expect(String(res.headers['content-type'])).toMatch(/^application\/problem\+json/);
      }
      const ok = await t.http.inject({ method: 'GET', url: `${url()}?cursor=${newId(prefix)}`, headers: STAFF });
      expect(ok.statusCode).toBe(200);
      expect(Array.isArray(ok.json().items)).toBe(true);
    },
  );

  it('[REQ-API-005] the nextCursor a list issued pages on (users, two pages without overlap)', async () => {
    for (let i = 0; i < 3; i++) {
      const res = await t.http.inject({
        method: 'POST',
        url: '/v1/admin/users',
        headers: STAFF,
        payload: { email: `cursor-${i}-${Date.now()}@example.com`, password: 'a-long-password-1', roles: ['support'] },
      });
      expect(res.statusCode).toBe(201);
    }
    const first = (await t.http.inject({ method: 'GET', url: '/v1/admin/users?limit=2', headers: STAFF })).json();
    expect(first.nextCursor).toMatch(/^usr_/);
    const second = await t.http.inject({
      method: 'GET',
      url: `/v1/admin/users?limit=2&cursor=${first.nextCursor}`,
      headers: STAFF,
    });
    expect(second.statusCode).toBe(200);
    const ids = (items: { id: string }[]) => items.map((u) => u.id);
    expect(ids(second.json().items).some((id) => ids(first.items).includes(id))).toBe(false);
  });
});
