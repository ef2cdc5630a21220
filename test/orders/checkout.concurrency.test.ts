// Checkout invariants under concurrency, on real PostgreSQL (skipped with the reason on PGlite).
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inventoryViolations } from '../support/inventory.ts';
import {
  guestCart,
  level,
  type OrdersHarness,
  paymentOf,
  placeOrder,
  q,
  snapshot,
  startOrdersHarness,
  stock,
  uid,
  waitFor,
} from '../support/orders-harness.ts';
import { needsPostgres, TEST_DATABASE_URL } from '../support/services.ts';

let h: OrdersHarness;
beforeAll(async () => {
  if (TEST_DATABASE_URL) h = await startOrdersHarness();
});
afterAll(async () => {
  await h?.close();
});

const count = async (query: ReturnType<typeof sql>) => Number((await q<{ n: number }>(h, query))[0]?.n);

describe.skipIf(!TEST_DATABASE_URL)(`checkout invariants ${needsPostgres}`, () => {
  it('[REQ-CHK-020] 200 shoppers racing for 5 units: exactly 5 orders, 195 × 409, stock never negative, nothing left authorized', async () => {
    const v = uid('var');
    await stock(h, v, 5);
    const carts = Array.from({ length: 200 }, () => guestCart(h, snapshot({ variantId: v })));
    const res = await Promise.all(carts.map((c) => placeOrder(h, c.cartId, { token: c.token })));
    const codes = res.map((r) => (r.statusCode === 201 ? 201 : `${r.statusCode} ${r.json().code}`));
    expect(codes.filter((c) => c === 201).length).toBe(5);
    expect(codes.filter((c) => c === '409 inventory.insufficient_stock').length).toBe(195);
    const ids = res.filter((r) => r.statusCode === 201).map((r) => r.json().id as string);
    expect(await count(sql`select count(*)::int as n from orders.orders where id = any(${ids})`)).toBe(5);
    expect(await inventoryViolations(h.t.kernel.db)).toEqual([]);
    // Every failed attempt: no payment, or none left authorized.
    const failed = await q<{ id: string }>(
      h,
      sql`select id from orders.checkout_attempts where cart_id = any(${carts.map((c) => c.cartId)}) and status = 'failed'`,
    );
    expect(failed.length).toBe(195);
    const leftAuthorized = await count(
      sql`select count(*)::int as n from payments.payments where order_id = any(${failed.map((f) => f.id)})
        and status in ('authorized', 'pending', 'requires_action')`,
    );
    expect(leftAuthorized).toBe(0);
    await waitFor(async () => (await level(h, v))?.onHand === 0, 15_000);
    expect(await level(h, v)).toEqual({ onHand: 0, reserved: 0 });
  }, 60_000);

  it('[REQ-CHK-021] one cart, 10 POSTs with one key + 5 with other keys + the webhook 5 times: one order, one payment, one capture', async () => {
    const v = uid('var');
    await stock(h, v, 5);
    const { cartId, token } = guestCart(h, snapshot({ variantId: v }));
    const key = uid('key');
    const first = await Promise.all([
      ...Array.from({ length: 10 }, () => placeOrder(h, cartId, { token, key })),
      ...Array.from({ length: 5 }, () => placeOrder(h, cartId, { token })),
    ]);
    for (const r of first) expect([201, 409]).toContain(r.statusCode);
    const inProgress = first.filter((r) => r.statusCode === 409);
    for (const r of inProgress) {
      expect(r.json().code).toBe('orders.checkout_in_progress');
      expect(r.headers['retry-after']).toBe('1');
    }
    const orderId = first.find((r) => r.statusCode === 201)?.json().id as string;
    expect(orderId).toBeDefined();
    const payment = await paymentOf(h, orderId);
    const pspId = payment?.providerPaymentId as string;
    const second = await Promise.all([
      ...Array.from({ length: 5 }, async () => {
        h.psp.update(pspId, {}, 'payment.authorized');
      }),
      ...Array.from({ length: 5 }, () => placeOrder(h, cartId, { token, key })),
      ...Array.from({ length: 5 }, () => placeOrder(h, cartId, { token })),
    ]);
    const successes = [...first, ...second].filter((r) => r && r.statusCode === 201);
    expect(new Set(successes.map((r) => r?.json().id))).toEqual(new Set([orderId]));
    await waitFor(async () => (await paymentOf(h, orderId))?.status === 'captured');
    await new Promise((r) => setTimeout(r, 500)); // let the duplicated webhooks settle
    expect(await count(sql`select count(*)::int as n from orders.orders where cart_id = ${cartId}`)).toBe(1);
    expect(await count(sql`select count(*)::int as n from payments.payments where order_id = ${orderId}`)).toBe(1);
    expect(
      await count(
        sql`select count(*)::int as n from platform.outbox where type = 'payments.payment.captured' and aggregate_id = ${payment?.id}`,
      ),
    ).toBe(1);
    expect((await paymentOf(h, orderId))?.capturedAmount).toBe(payment?.amount);
  }, 60_000);

  it('[REQ-CHK-022] a coupon limited to 3 with 50 parallel checkouts: exactly 3 discounted orders, the rest refused before payment', async () => {
    const v = uid('var');
    const promo = uid('promo');
    await stock(h, v, 100);
    h.pricing.setLimit(promo, 3);
    const carts = Array.from({ length: 50 }, () => guestCart(h, snapshot({ variantId: v, promotionId: promo })));
    const res = await Promise.all(carts.map((c) => placeOrder(h, c.cartId, { token: c.token })));
    const ok = res.filter((r) => r.statusCode === 201);
    expect(ok.length).toBe(3);
    expect(res.filter((r) => r.statusCode === 409 && r.json().code === 'promotions.limit_reached').length).toBe(47);
    for (const r of ok) expect(r.json().totals.discount.amount).toBe(100);
    const refused = await q<{ id: string }>(
      h,
      sql`select id from orders.checkout_attempts where cart_id = any(${carts.map((c) => c.cartId)}) and status = 'failed'`,
    );
    expect(
      await count(
        sql`select count(*)::int as n from payments.payments where order_id = any(${refused.map((x) => x.id)})`,
      ),
    ).toBe(0);
    await waitFor(async () => h.pricing.used(promo).committed === 3);
    expect(h.pricing.used(promo)).toEqual({ reserved: 0, committed: 3 });
    await waitFor(async () => (await level(h, v))?.onHand === 97, 15_000);
    expect(await level(h, v)).toEqual({ onHand: 97, reserved: 0 });
  }, 60_000);

  it('[REQ-CHK-010] for every order: amount authorized = order total = lines + shipping − discount + tax', async () => {
    const rows = await q<{ id: string; total: string; computed: string; amount: string }>(
      h,
      sql`select o.id, o.total, p.amount,
          (select sum(l.line_total) from orders.order_lines l where l.order_id = o.id) + o.shipping - o.discount + o.tax as computed
        from orders.orders o join payments.payments p on p.order_id = o.id`,
    );
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) {
      expect(Number(r.amount)).toBe(Number(r.total));
      expect(Number(r.computed)).toBe(Number(r.total));
    }
  });
});
