// One Idempotency-Key sent concurrently with two different checkout requests for one cart (REQ-CHK-002): whichever
// request the attempt is made for, it is the only one; the other request's answers are 422 idempotency.key_reused
// or a retryable 409, never its own attempt, payment or order. Only invariants are asserted, not which body wins.
// Through the real modules on PGlite by default, or on PostgreSQL with TEST_DATABASE_URL.
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStaff } from '../support/auth.ts';
import { createVariant, placeOrder as placeOrderAs, poll, readyCart, type TestVariant } from '../support/cart.ts';
import { createTestApp, type TestApp } from '../support/create-test-app.ts';
import { listen } from '../support/listen.ts';

let t: TestApp;
let tee: TestVariant;

beforeAll(async () => {
  t = await createTestApp();
  await listen(t.http); // the embedded sandbox posts its webhooks here
  tee = await createVariant(t, await createStaff(t, 'admin'), { price: 2500, stock: 1000 });
}, 60_000);
afterAll(async () => {
  await t?.close();
});

type Cart = Awaited<ReturnType<typeof readyCart>>;
const TOKENS = ['tok_visa', 'tok_threeDSecureRequired'];
const other = (token: string) => (token === 'tok_visa' ? 'tok_threeDSecureRequired' : 'tok_visa');

const placeOrder = (c: Cart, key: string, token: string) => placeOrderAs(t, c, key, token);

const rows = async <T>(query: ReturnType<typeof sql>) => (await query.execute(t.kernel.db.k)).rows as T[];

describe('one key, two requests, at once', () => {
  // Sent in both orders (either body first), each on a cart of its own: the assertions hold whichever wins.
  it.each(TOKENS)(
    '[REQ-CHK-002] 10 concurrent POST /v1/orders with one key and two bodies (%s first): one attempt, one order; the other body gets 422 or 409',
    async (first) => {
      const c = await readyCart(t, tee.variantId);
      const key = randomUUID();
      const sent = Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? first : other(first)));
      const answers = await Promise.all(sent.map((token) => placeOrder(c, key, token)));

      const attempts = await rows<{ id: string }>(sql`select id from orders.checkout_attempts where cart_id = ${c.id}`);
      expect(attempts).toHaveLength(1);
      const attemptId = attempts[0]?.id;
      // The body some request got a 2xx for is the one the attempt was made for: exactly one such body.
      const winners = new Set(sent.filter((_, i) => (answers[i]?.statusCode ?? 0) < 300));
      expect(winners.size).toBe(1);
      const winner = [...winners][0] as string;
      for (const [i, r] of answers.entries()) {
        const seen = `${sent[i]}: ${r.statusCode} ${r.body}`;
        if (r.statusCode === 409) {
          expect(r.json().code, seen).toBe('orders.checkout_in_progress');
          expect(r.headers['retry-after'], seen).toBeDefined();
        } else if (sent[i] === winner) {
          expect([201, 202], seen).toContain(r.statusCode);
          expect(r.json().id, seen).toBe(attemptId);
        } else {
          expect(r.statusCode, seen).toBe(422);
          expect(r.json().code, seen).toBe('idempotency.key_reused');
        }
      }
      const orders = await rows(sql`select id from orders.orders where cart_id = ${c.id}`);
      expect(orders.length).toBeLessThanOrEqual(1);
      expect(await rows(sql`select id from payments.payments where order_id = ${attemptId}`)).toHaveLength(1);

      // Carried through to the order (the customer acts when the winner needed it), then each body once more.
      if (winner === 'tok_threeDSecureRequired') {
        const waiting = answers.find((r) => r.statusCode === 202)?.json();
        expect((await fetch(`${waiting.nextAction.url}?outcome=succeed`)).status).toBeLessThan(400);
      }
      const placed = await poll(async () => {
        const r = await placeOrder(c, key, winner);
        return r.statusCode === 201 ? r : undefined;
      });
      expect(placed.json().id).toBe(attemptId);
      expect((await placeOrder(c, key, other(winner))).json().code).toBe('idempotency.key_reused');
      expect(await rows(sql`select id from orders.orders where cart_id = ${c.id}`)).toEqual([{ id: attemptId }]);
      expect(await rows(sql`select id from payments.payments where order_id = ${attemptId}`)).toHaveLength(1);
      expect(await rows(sql`select id from orders.checkout_attempts where cart_id = ${c.id}`)).toHaveLength(1);
    },
    60_000,
  );
});
