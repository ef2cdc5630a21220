// The language of a person's emails is kept with what their request created: the account (registration) and the
// order (checkout), from Accept-Language; identity and orders hand it to notifications through their contracts.
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStaff, TEST_PASSWORD, type TestIdentity, uniqueEmail } from './support/auth.ts';
import { createVariant, readyCart } from './support/cart.ts';
import { createTestApp, type TestApp } from './support/create-test-app.ts';

let t: TestApp;
let staff: TestIdentity;

beforeAll(async () => {
  t = await createTestApp();
  staff = await createStaff(t, 'admin');
});
afterAll(async () => t?.close());

async function register(headers: Record<string, string>) {
  const email = uniqueEmail('locale');
  const res = await t.http.inject({
    method: 'POST',
    url: '/v1/auth/register',
    headers,
    payload: { email, password: TEST_PASSWORD },
  });
  expect(res.statusCode).toBe(201);
  return { id: (res.json() as { user: { id: string } }).user.id, email };
}

describe('recipient language [REQ-KER-021]', () => {
  it('[REQ-KER-021] an account keeps the language of its registration; contactOf reads it back', async () => {
    const de = await register({ 'accept-language': 'de-CH,de;q=0.9,en;q=0.5' });
    const none = await register({ 'accept-language': 'fr-FR' });
    const contact = await t.identity.api.contactOf(de.id);
    expect(contact).toEqual({
      userId: de.id,
      email: de.email,
      name: null,
      locale: 'de',
      emailVerified: false,
      staff: false,
      subject: `user:${de.id}`,
    });
    expect((await t.identity.api.contactOf(none.id))?.locale).toBeNull();
    expect(await t.identity.api.contactOf('usr_missing')).toBeUndefined();
  });

  it('[REQ-KER-021] an order keeps the language of its checkout request', async () => {
    const v = await createVariant(t, staff, { price: 1500 });
    const placed: Record<string, string> = {};
    for (const [label, lang] of [
      ['de', 'de'],
      ['en', 'en-US'],
      ['none', 'pt-BR'],
    ] as const) {
      const cart = await readyCart(t, v.variantId);
      const res = await t.http.inject({
        method: 'POST',
        url: '/v1/orders',
        headers: { ...cart.headers, 'idempotency-key': randomUUID(), 'accept-language': lang },
        payload: { cartId: cart.id, payment: { provider: 'sandbox', token: 'tok_visa' } },
      });
      expect(res.statusCode).toBe(201);
      placed[label] = (res.json() as { id: string }).id;
    }
    const rows = await sql<{ id: string; locale: string | null }>`select id, locale from orders.orders
      where id in (${sql.join(Object.values(placed))})`.execute(t.kernel.db.k);
    const byId = new Map(rows.rows.map((r) => [r.id, r.locale]));
    expect([byId.get(placed.de ?? ''), byId.get(placed.en ?? ''), byId.get(placed.none ?? '')]).toEqual([
      'de',
      'en',
      null,
    ]);
  });
});
