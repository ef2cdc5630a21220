// The coupon invariant through the real modules (cart, pricing, inventory, payments, orders) on real
// PostgreSQL: a coupon limited to 3, 30 parallel checkouts with it → exactly 3 discounted orders; the others are
// refused with 409 promotions.limit_reached before payment, and their stock is released.
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStaff, type TestIdentity } from './support/auth.ts';
import { createVariant, readyCart } from './support/cart.ts';
import { createTestApp, type TestApp } from './support/create-test-app.ts';
import { needsPostgres, TEST_DATABASE_URL } from './support/services.ts';

const SHOPPERS = 30;
let t: TestApp;
let staff: TestIdentity;

beforeAll(async () => {
  if (!TEST_DATABASE_URL) return;
  t = await createTestApp();
  staff = await createStaff(t, 'admin');
});
afterAll(async () => {
  await t?.close();
});

describe('coupon limits at checkout [REQ-CHK-091]', () => {
  it.skipIf(!TEST_DATABASE_URL)(
    `[REQ-CHK-091] limit 3, ${SHOPPERS} parallel checkouts: exactly 3 discounted orders, the rest 409 before payment ${needsPostgres}`,
    async () => {
      const v = await createVariant(t, staff, { price: 5000, stock: 100 });
      const promo = await t.http.inject({
        method: 'POST',
        url: '/v1/admin/promotions',
        headers: staff.headers,
        payload: { name: '5 off', kind: 'fixed', value: 500, currency: 'EUR', usageLimit: 3, codes: ['LIMIT3'] },
      });
      expect(promo.statusCode).toBe(201);
      const carts = await Promise.all(
        Array.from({ length: SHOPPERS }, () => readyCart(t, v.variantId, { couponCode: 'LIMIT3' })),
      );
      for (const c of carts) expect(c.totals.discount?.amount).toBe(500);
      const results = await Promise.all(
        carts.map((c) =>
          t.http.inject({
            method: 'POST',
            url: '/v1/orders',
            headers: { 'x-cart-token': c.token, 'idempotency-key': randomUUID() },
            payload: { cartId: c.id, payment: { provider: 'sandbox', token: 'tok_visa' } },
          }),
        ),
      );
      const statuses = results.map((r) => r.statusCode);
      expect(statuses.filter((s) => s === 201)).toHaveLength(3);
      expect(statuses.filter((s) => s === 409)).toHaveLength(SHOPPERS - 3);
      for (const r of results.filter((x) => x.statusCode === 409))
        expect(r.json().code).toBe('promotions.limit_reached');
      for (const r of results.filter((x) => x.statusCode === 201)) expect(r.json().totals.discount.amount).toBe(500);
      // No payment was attempted for a refused checkout, and their stock is back.
      const payments = await sql<{ n: number }>`select count(*)::int as n from payments.payments`.execute(
        t.kernel.db.k,
      );
      expect(payments.rows[0]?.n).toBe(3);
      const level = await t.http.inject({
        method: 'GET',
        url: `/v1/admin/inventory/${v.variantId}`,
        headers: staff.headers,
      });
      expect(level.json().levels[0].reserved).toBeLessThanOrEqual(3);
      expect(level.json().levels[0].onHand - level.json().levels[0].reserved).toBeGreaterThanOrEqual(97);
    },
  );
});
