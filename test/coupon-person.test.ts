// Per-person coupon limits through the real modules (cart, pricing, inventory, payments, orders): a coupon
// limited to one use per customer; a signed-in account and guest carts with its email (another case, a +tag)
// check out → exactly one discounted order, the others are refused with 409 promotions.limit_reached before
// payment. Sequential on any database; concurrent on real PostgreSQL.
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStaff, registerCustomer, type TestIdentity } from './support/auth.ts';
import { address, createVariant, type TestVariant } from './support/cart.ts';
import { createTestApp, type TestApp } from './support/create-test-app.ts';
import { needsPostgres, TEST_DATABASE_URL } from './support/services.ts';

let t: TestApp;
let staff: TestIdentity;
let v: TestVariant;

beforeAll(async () => {
  t = await createTestApp();
  staff = await createStaff(t, 'admin');
  v = await createVariant(t, staff, { price: 5000, stock: 100 });
});
afterAll(async () => {
  await t?.close();
});

async function oncePerCustomer(code: string): Promise<string> {
  const res = await t.http.inject({
    method: 'POST',
    url: '/v1/admin/promotions',
    headers: staff.headers,
    payload: { name: 'Once each', kind: 'fixed', value: 500, currency: 'EUR', perCustomerLimit: 1, codes: [code] },
  });
  expect(res.statusCode).toBe(201);
  return (res.json() as { id: string }).id;
}

/** A cart ready for checkout with the coupon and this email; a customer's cart when `auth` is given. */
async function cartWith(email: string, code: string, auth: Record<string, string> = {}) {
  const created = await t.http.inject({
    method: 'POST',
    url: '/v1/carts',
    headers: auth,
    payload: { currency: 'EUR' },
  });
  const c = created.json() as { id: string; token: string };
  const headers = { ...auth, 'x-cart-token': c.token };
  const call = async (method: 'POST' | 'PATCH' | 'GET', url: string, payload?: object) => {
    const res = await t.http.inject({ method, url, headers, ...(payload ? { payload } : {}) });
    if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
    return res.json();
  };
  await call('POST', `/v1/carts/${c.id}/items`, { variantId: v.variantId, quantity: 1 });
  await call('PATCH', `/v1/carts/${c.id}`, { email, shippingAddress: address('DE'), couponCode: code });
  const options = await call('GET', `/v1/carts/${c.id}/shipping-options`);
  const cart = await call('PATCH', `/v1/carts/${c.id}`, { shippingMethodId: options.items[0].id });
  expect(cart.totals.discount.amount).toBe(500);
  return { id: c.id, headers };
}

const checkout = (c: { id: string; headers: Record<string, string> }) =>
  t.http.inject({
    method: 'POST',
    url: '/v1/orders',
    headers: { ...c.headers, 'idempotency-key': randomUUID() },
    payload: { cartId: c.id, payment: { provider: 'sandbox', token: 'tok_visa' } },
  });

/** The account's own email, the same in capitals, and with a +tag: one person. */
function samePerson(email: string): string[] {
  const [local, domain] = email.split('@');
  return [email, email.toUpperCase(), `${local}+deals@${domain}`, ` ${local}+x@${domain?.toUpperCase()}`.trim()];
}

/** Orders placed from these carts, and payments attempted for their checkouts. */
async function ordersAndPayments(cartIds: string[]): Promise<{ orders: number; payments: number }> {
  const r = await sql<{ orders: number; payments: number }>`select
      (select count(*) from orders.orders where cart_id = any(${cartIds}::text[]))::int as orders,
      (select count(*) from payments.payments p join orders.checkout_attempts a on a.id = p.order_id
        where a.cart_id = any(${cartIds}::text[]))::int as payments`.execute(t.kernel.db.k);
  return r.rows[0] ?? { orders: -1, payments: -1 };
}

async function keysHoldNoEmail(promotionId: string): Promise<void> {
  const r = await sql<{ customer_key: string; redemptions: number }>`select customer_key, redemptions
    from pricing.customer_usage where promotion_id = ${promotionId}`.execute(t.kernel.db.k);
  for (const u of r.rows) expect(u.customer_key).not.toContain('@');
  expect(r.rows.every((u) => u.redemptions <= 1)).toBe(true);
}

describe('per-person coupon limits at checkout', () => {
  it('[REQ-PRV-110] the account uses the code; then a guest cart with its email in capitals or with a +tag is refused', async () => {
    const code = `ONCE${randomUUID().slice(0, 8).toUpperCase()}`;
    const promotionId = await oncePerCustomer(code);
    const ann = await registerCustomer(t);
    const [own, upper, tagged] = samePerson(ann.email);
    const mine = await cartWith(own ?? '', code, ann.headers);
    const placed = await checkout(mine);
    expect(placed.statusCode).toBe(201);
    expect(placed.json().totals.discount.amount).toBe(500);
    for (const email of [upper, tagged]) {
      const guest = await cartWith(email ?? '', code);
      const refused = await checkout(guest);
      expect(refused.statusCode).toBe(409);
      expect(refused.json().code).toBe('promotions.limit_reached');
      expect(await ordersAndPayments([guest.id])).toEqual({ orders: 0, payments: 0 });
    }
    await keysHoldNoEmail(promotionId);
  });

  it.skipIf(!TEST_DATABASE_URL)(
    `[REQ-PRV-112] an account and guest carts with its email check out at once: exactly one discounted order ${needsPostgres}`,
    async () => {
      const code = `RACE${randomUUID().slice(0, 8).toUpperCase()}`;
      const promotionId = await oncePerCustomer(code);
      const bea = await registerCustomer(t);
      const emails = samePerson(bea.email);
      const carts = [
        await cartWith(emails[0] ?? '', code, bea.headers),
        ...(await Promise.all([...emails, ...emails].map((e) => cartWith(e, code)))),
      ];
      const results = await Promise.all(carts.map(checkout));
      const statuses = results.map((r) => r.statusCode);
      expect(statuses.filter((s) => s === 201)).toHaveLength(1);
      expect(statuses.filter((s) => s === 409)).toHaveLength(carts.length - 1);
      for (const r of results.filter((x) => x.statusCode === 409)) {
        expect(r.json().code).toBe('promotions.limit_reached');
      }
      expect(results.find((x) => x.statusCode === 201)?.json().totals.discount.amount).toBe(500);
      // Only the placed order exists (and was paid); the counters hold one use, under no email.
      expect(await ordersAndPayments(carts.map((c) => c.id))).toEqual({ orders: 1, payments: 1 });
      const promo = await sql<{ redemptions: number }>`select redemptions from pricing.promotions
        where id = ${promotionId}`.execute(t.kernel.db.k);
      expect(promo.rows[0]?.redemptions).toBe(1);
      await keysHoldNoEmail(promotionId);
    },
  );
});
