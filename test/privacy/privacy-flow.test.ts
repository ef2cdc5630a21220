// Personal data as an auditor sees it (PGlite, or PostgreSQL in CI): a realistic flow — register, address, a
// customer order and a guest order, a return, a password reset request — then a data-only dump of the whole
// database must not hold any of the flow's personal strings or tokens; the export holds every module's data;
// after erasure nothing that re-identifies either person remains readable, while orders keep their totals.
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { subjects } from '../../src/platform/privacy/data-keys.ts';
import { personIndexCandidates } from '../../src/platform/privacy/email.ts';
import { createStaff, registerCustomer, type TestIdentity } from '../support/auth.ts';
import { createVariant, type TestVariant } from '../support/cart.ts';
import { createTestApp, type TestApp } from '../support/create-test-app.ts';
import { leaks, pgDump, sqlDump } from './dump.ts';

let t: TestApp;
let staff: TestIdentity;
let lamp: TestVariant;
let customer: TestIdentity;

const CUSTOMER = {
  email: 'Zelda.Quartermain@privacy-test.example',
  name: 'Zelda Quartermain',
  phone: '+49 30 5550199',
  address: { name: 'Zelda Quartermain', line1: 'Wolkenkratzerweg 77', city: 'Quedlinburg', postalCode: '06484' },
};
const GUEST = {
  email: 'Xaver.Nachtigall+shop@guest-test.example',
  address: { name: 'Xaver Nachtigall', line1: 'Zypressenhof 13', city: 'Wunsiedel', postalCode: '95632' },
  returnReason: 'the lampshade smells of Xaverian smoke',
};
const PERSONAL = [
  'zelda.quartermain@privacy-test.example',
  'Zelda Quartermain',
  '5550199',
  'Wolkenkratzerweg',
  'Quedlinburg',
  'xaver.nachtigall',
  'Xaver Nachtigall',
  'Zypressenhof',
  'Wunsiedel',
  'Xaverian',
];

interface Placed {
  id: string;
  cartId: string;
  orderToken: string;
  idempotencyKey: string;
  headers: Record<string, string>;
}
const flow: { customerOrder?: Placed; guestOrder?: Placed; resetToken?: string; verifyTokens: string[] } = {
  verifyTokens: [],
};

async function call(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, headers: object, payload?: object) {
  const res = await t.http.inject({
    method,
    url,
    headers: headers as Record<string, string>,
    ...(payload ? { payload } : {}),
  });
  if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
  return res.statusCode === 204 ? undefined : res.json();
}

async function placeOrder(auth: Record<string, string>, email: string, address: object): Promise<Placed> {
  const c = await call('POST', '/v1/carts', auth, { currency: 'EUR', country: 'DE' });
  const headers = { ...auth, 'x-cart-token': c.token };
  await call('POST', `/v1/carts/${c.id}/items`, headers, { variantId: lamp.variantId, quantity: 2 });
  await call('PATCH', `/v1/carts/${c.id}`, headers, { email, shippingAddress: { ...address, country: 'DE' } });
  const options = await call('GET', `/v1/carts/${c.id}/shipping-options`, headers);
  await call('PATCH', `/v1/carts/${c.id}`, headers, { shippingMethodId: options.items[0].id });
  const idempotencyKey = randomUUID();
  const order = await call(
    'POST',
    '/v1/orders',
    { ...headers, 'idempotency-key': idempotencyKey },
    { cartId: c.id, payment: { provider: 'sandbox', token: 'tok_visa' } },
  );
  return { id: order.id, cartId: c.id, orderToken: order.orderToken, idempotencyKey, headers };
}

/** Single-use tokens as identity hands them to notifications: sealed inside its outbox events. */
async function tokensInEvents(userId: string): Promise<string[]> {
  const rows = await sql<{ payload: { tokenSealed?: string } }>`select payload from platform.outbox
    where type in ('identity.user.password_reset_requested', 'identity.user.email_verification_requested')
      and payload->>'userId' = ${userId}`.execute(t.kernel.db.k);
  const out: string[] = [];
  for (const r of rows.rows) {
    expect(r.payload).not.toHaveProperty('token');
    expect(r.payload).not.toHaveProperty('email');
    const sealed = r.payload.tokenSealed;
    expect(sealed).toMatch(/^s1\./);
    const token = await t.kernel.privacy.dataKeys.open('event.account_token', sealed ?? '');
    if (token) out.push(token);
  }
  return out;
}

beforeAll(async () => {
  t = await createTestApp();
  staff = await createStaff(t, 'admin');
  lamp = await createVariant(t, staff, { price: 2500, stock: 100 });
  customer = await registerCustomer(t, { email: CUSTOMER.email, name: CUSTOMER.name });
  await call('POST', '/v1/auth/login', {}, { email: CUSTOMER.email, password: customer.password });
  await call('PATCH', '/v1/me', customer.headers, { phone: CUSTOMER.phone });
  await call('POST', '/v1/me/addresses', customer.headers, { ...CUSTOMER.address, country: 'DE' });
  flow.customerOrder = await placeOrder(customer.headers, CUSTOMER.email, CUSTOMER.address);
  flow.guestOrder = await placeOrder({}, GUEST.email, GUEST.address);
  // A return needs shipped units: staff ship the guest's order, the guest asks to return one lamp.
  await call('POST', `/v1/admin/orders/${flow.guestOrder.id}/shipments`, staff.headers, {});
  await call(
    'POST',
    `/v1/orders/${flow.guestOrder.id}/returns`,
    { 'x-order-token': flow.guestOrder.orderToken },
    {
      items: [{ variantId: lamp.variantId, quantity: 1 }],
      reason: GUEST.returnReason,
    },
  );
  await call('POST', '/v1/auth/password-reset', {}, { email: CUSTOMER.email });
  const tokens = await tokensInEvents(customer.userId);
  expect(tokens.length).toBeGreaterThanOrEqual(1);
  flow.verifyTokens = tokens;
}, 120_000);
afterAll(async () => {
  await t?.close();
});

describe('personal data at rest [REQ-PRV-001]', () => {
  it('[REQ-PRV-001] a data-only dump of the whole database holds none of the flow’s personal strings or tokens', async () => {
    const needles = [...PERSONAL, ...flow.verifyTokens];
    expect(leaks(await sqlDump(t.kernel.db), needles)).toEqual([]);
    const dump = await pgDump(t.databaseUrl);
    if (dump !== undefined) {
      expect(dump).toContain('privacy.data_keys');
      expect(leaks(dump, needles)).toEqual([]);
    }
  });
});

describe('GDPR export [REQ-PRV-005]', () => {
  it('[REQ-PRV-005] the customer’s export holds identity, addresses, carts, orders with lines and totals, payments and audit', async () => {
    const doc = await call('GET', '/v1/me/export', customer.headers);
    expect(doc.profile).toMatchObject({
      email: CUSTOMER.email.toLowerCase(),
      name: CUSTOMER.name,
      phone: CUSTOMER.phone,
    });
    expect(doc.addresses).toEqual([expect.objectContaining({ line1: CUSTOMER.address.line1 })]);
    expect(doc.securityEvents.length).toBeGreaterThan(0);
    const text = JSON.stringify(doc.modules);
    expect(Object.keys(doc.modules)).toEqual(expect.arrayContaining(['cart', 'orders', 'payments']));
    expect(text).toContain(flow.customerOrder?.cartId);
    const orders = doc.modules.orders.orders as { id: string; lines: unknown[]; totals: unknown }[];
    const mine = orders.find((o) => o.id === flow.customerOrder?.id);
    expect(mine?.lines).toHaveLength(1);
    expect(JSON.stringify(mine)).toContain(CUSTOMER.address.line1);
    expect(text).not.toContain(flow.guestOrder?.id);
    expect(JSON.stringify(doc.modules.payments)).toContain(flow.customerOrder?.id);
    expect(text).not.toMatch(/tok_visa|cardNumber|cvc/);
  });

  it('[REQ-PRV-005] staff export a guest’s data by email (another case, without the +tag)', async () => {
    const res = await t.http.inject({
      method: 'POST',
      url: '/v1/admin/privacy/exports',
      headers: staff.headers,
      payload: { email: 'XAVER.nachtigall@guest-test.example' },
    });
    expect(res.statusCode).toBe(200);
    const text = JSON.stringify(res.json().modules);
    expect(text).toContain(flow.guestOrder?.id);
    expect(text).toContain(GUEST.returnReason);
    expect(text).toContain(GUEST.address.line1);
    expect(text).not.toContain(flow.customerOrder?.id);
  });
});

describe('erasure [REQ-PRV-003]', () => {
  it('[REQ-PRV-003] staff erasing an email erases guest data only, never an account’s order or cart with that email', async () => {
    const shared = 'Shared.Inbox@privacy-test.example';
    const account = await registerCustomer(t, { email: shared });
    const mine = await placeOrder(account.headers, shared, CUSTOMER.address);
    const openCart = await call('POST', '/v1/carts', account.headers, { currency: 'EUR', country: 'DE' });
    await call(
      'PATCH',
      `/v1/carts/${openCart.id}`,
      { ...account.headers, 'x-cart-token': openCart.token },
      { email: shared },
    );
    const guest = await placeOrder({}, shared, GUEST.address);
    const res = await t.http.inject({
      method: 'POST',
      url: '/v1/admin/privacy/erasures',
      headers: staff.headers,
      payload: { email: shared },
    });
    expect(res.json()).toMatchObject({ status: 'done', userId: null });
    expect(await call('GET', `/v1/orders/${guest.id}`, staff.headers)).toMatchObject({
      email: null,
      customerErased: true,
    });
    expect(await call('GET', `/v1/orders/${mine.id}`, account.headers)).toMatchObject({
      email: expect.stringMatching(/^shared\.inbox@privacy-test\.example$/i),
      customerErased: false,
    });
    expect(await call('GET', `/v1/carts/${openCart.id}`, account.headers)).toMatchObject({ id: openCart.id });
  });

  it('[REQ-PRV-003] after erasure nothing re-identifies either person; orders keep their financial record', async () => {
    const customerOrder = flow.customerOrder as Placed;
    const guestOrder = flow.guestOrder as Placed;
    const totalsBefore = await sql<{ id: string; total: string }>`select id, total from orders.orders
      where id in (${customerOrder.id}, ${guestOrder.id}) order by id`.execute(t.kernel.db.k);
    const guestIndexes = personIndexCandidates(t.kernel.privacy.pii, GUEST.email);
    const erasedSubjects = [subjects.user(customer.userId), ...guestIndexes.map(subjects.guest)];
    const keysBefore = await t.kernel.db.k
      .selectFrom('privacy.data_keys')
      .select(['id', 'subject'])
      .where('subject', 'in', erasedSubjects)
      .execute();
    expect(keysBefore.length).toBe(2);

    const del = await t.http.inject({ method: 'DELETE', url: '/v1/me', headers: customer.headers });
    expect(del.statusCode).toBe(204);
    const staffErase = await t.http.inject({
      method: 'POST',
      url: '/v1/admin/privacy/erasures',
      headers: staff.headers,
      payload: { email: 'xaver.NACHTIGALL@guest-test.example', reason: 'asked by letter' },
    });
    expect(staffErase.statusCode).toBe(201);
    expect(staffErase.json()).toMatchObject({ status: 'done', requestedBy: `staff:${staff.userId}` });
    expect(staffErase.json().stepsDone).toEqual(expect.arrayContaining(['cart', 'orders', 'data_keys']));

    // Every data key of both people is gone, so every sealed copy anywhere (events, answers, backups) is unreadable:
    // the password reset event still holds its sealed token, which no longer opens.
    const dump = await sqlDump(t.kernel.db);
    for (const k of keysBefore) {
      const still = await t.kernel.db.k.selectFrom('privacy.data_keys').select('id').where('id', '=', k.id).execute();
      expect(still).toEqual([]);
    }
    expect(dump).toContain(keysBefore.find((k) => k.subject === subjects.user(customer.userId))?.id);
    expect(await tokensInEvents(customer.userId)).toEqual([]);
    expect(leaks(dump, [...PERSONAL, ...flow.verifyTokens])).toEqual([]);
    // Carts are deleted; orders stay with the same totals and show an erased customer to staff.
    const carts = await sql<{ n: string }>`select count(*) as n from cart.carts
      where id in (${customerOrder.cartId}, ${guestOrder.cartId})`.execute(t.kernel.db.k);
    expect(Number(carts.rows[0]?.n)).toBe(0);
    const totalsAfter = await sql<{ id: string; total: string }>`select id, total from orders.orders
      where id in (${customerOrder.id}, ${guestOrder.id}) order by id`.execute(t.kernel.db.k);
    expect(totalsAfter.rows).toEqual(totalsBefore.rows);
    for (const id of [customerOrder.id, guestOrder.id]) {
      const view = await call('GET', `/v1/orders/${id}`, staff.headers);
      expect(view).toMatchObject({ email: null, customerErased: true });
      expect(JSON.stringify(view)).not.toMatch(/Wolkenkratzerweg|Zypressenhof|Xaverian/);
    }
    // The stored answer of the guest's POST /v1/orders was sealed under the guest's key: a retry cannot replay it.
    const retry = await t.http.inject({
      method: 'POST',
      url: '/v1/orders',
      headers: { ...guestOrder.headers, 'idempotency-key': guestOrder.idempotencyKey },
      payload: { cartId: guestOrder.cartId, payment: { provider: 'sandbox', token: 'tok_visa' } },
    });
    expect(retry.statusCode).toBe(404);
    expect(retry.json().code).toBe('cart.not_found');
    expect(retry.body).not.toMatch(/nachtigall|Zypressenhof/i);
    // The audit keeps who erased whom, and a second request changes nothing.
    const again = await t.http.inject({
      method: 'POST',
      url: '/v1/admin/privacy/erasures',
      headers: staff.headers,
      payload: { email: GUEST.email },
    });
    expect(again.json()).toMatchObject({ status: 'done', recordsErased: 0 });
    const audit = await call('GET', '/v1/admin/privacy/erasures', staff.headers);
    expect(audit.items.map((e: { userId: string | null }) => e.userId)).toEqual(
      expect.arrayContaining([customer.userId, null]),
    );
  });
});
