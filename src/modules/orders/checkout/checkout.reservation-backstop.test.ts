// A placed order's stock reservation is committed by an event (orders.commit_reservation). While the broker is down
// that event waits in the outbox; the reservation must not expire meanwhile, or its units would sell a second time.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  guestCart,
  type OrdersHarness,
  placeOrder,
  q,
  snapshot,
  startOrdersHarness,
  stock,
  uid,
} from '../../../../test/support/orders-harness.ts';
import { reservationKey } from '../lifecycle/order-keys.ts';
import { RESERVATION_BACKSTOP_MS } from './checkout.service.ts';

let h: OrdersHarness;
beforeAll(async () => {
  h = await startOrdersHarness({});
});
afterAll(async () => {
  await h?.close();
});

describe('reservation backstop [REQ-RES-040]', () => {
  it('[REQ-RES-040] a checkout reserves its stock for a day past the attempt deadline, not just until it', async () => {
    const v = uid('var');
    await stock(h, v, 5);
    const { cartId, token } = guestCart(h, snapshot({ variantId: v }));
    const res = await placeOrder(h, cartId, { token, key: uid('key') });
    expect(res.statusCode).toBe(201);
    const orderId = res.json().id as string;
    const [row] = await q<{ left_ms: number }>(
      h,
      sql`select extract(epoch from (r.expires_at - a.expires_at)) * 1000 as left_ms
        from inventory.reservations r, orders.checkout_attempts a
        where r.key = ${reservationKey(orderId)} and a.id = ${orderId}`,
    );
    expect(Number(row?.left_ms)).toBeGreaterThanOrEqual(RESERVATION_BACKSTOP_MS);
    expect(RESERVATION_BACKSTOP_MS).toBe(24 * 3_600_000);
  });
});
