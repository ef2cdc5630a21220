import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asCustomer, asStaff } from '../../../../test/support/fake-auth.ts';
import {
  type OrdersHarness,
  placeOrder,
  snapshot,
  startOrdersHarness,
  stock,
  uid,
  waitFor,
} from '../../../../test/support/orders-harness.ts';

let h: OrdersHarness;
beforeAll(async () => {
  h = await startOrdersHarness();
});
afterAll(async () => {
  await h?.close();
});

const STAFF = asStaff('orders:read', 'orders:manage');
const get = (url: string, headers: Record<string, string> = STAFF) => h.t.http.inject({ method: 'GET', url, headers });

async function paidOrder(userId: string) {
  const v = uid('var');
  await stock(h, v, 5);
  const s = snapshot({ variantId: v, userId });
  h.cart.put(s);
  const res = await placeOrder(h, s.cartId, { headers: asCustomer(userId) });
  expect(res.statusCode).toBe(201);
  const id = res.json().id as string;
  await waitFor(async () => (await h.orders.orders.row(id))?.status === 'paid');
  return id;
}

describe('order event log for staff', () => {
  it('[REQ-ORD-017] lists every status change oldest first with actor and opened reason, in pages', async () => {
    const id = await paidOrder(uid('usr'));
    const cancel = await h.t.http.inject({
      method: 'POST',
      url: `/v1/orders/${id}/cancel`,
      headers: STAFF,
      payload: { reason: 'customer called' },
    });
    expect(cancel.statusCode).toBe(200);
    const res = await get(`/v1/admin/orders/${id}/events`);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.nextCursor).toBeNull();
    expect(
      body.items.map((e: Record<string, string | null>) => [e.type, e.fromStatus, e.toStatus, e.actor?.split(':')[0]]),
    ).toEqual([
      ['placed', null, 'pending', 'customer'],
      ['paid', 'pending', 'paid', 'system'],
      ['cancelled', 'paid', 'cancelled', 'staff'],
    ]);
    expect(body.items[2].reason).toBe('customer called');
    expect(Number.isNaN(Date.parse(body.items[0].createdAt))).toBe(false);

    const first = (await get(`/v1/admin/orders/${id}/events?limit=2`)).json();
    expect(first.items).toHaveLength(2);
    expect(first.nextCursor).toBe(first.items[1].seq);
    const rest = (await get(`/v1/admin/orders/${id}/events?limit=2&cursor=${first.nextCursor}`)).json();
    expect([rest.items.map((e: { type: string }) => e.type), rest.nextCursor]).toEqual([['cancelled'], null]);
  });

  it('[REQ-ORD-017] unknown order → 404; bad cursor or limit → 400; customers and staff without orders:read → 403', async () => {
    const user = uid('usr');
    const id = await paidOrder(user);
    const missing = await get('/v1/admin/orders/ord_missing/events');
    expect([missing.statusCode, missing.json().code]).toEqual([404, 'orders.not_found']);
    for (const q of ['cursor=abc', 'cursor=-1', 'limit=0', 'limit=101', 'other=1']) {
      const res = await get(`/v1/admin/orders/${id}/events?${q}`);
      expect([q, res.statusCode, res.json().code]).toEqual([q, 400, 'request.validation_failed']);
      expect(String(res.headers['content-type'])).toMatch(/^application\/problem\+json/);
    }
    expect((await get(`/v1/admin/orders/${id}/events`, {})).statusCode).toBe(401);
    for (const headers of [asCustomer(user), asStaff('catalog:read')]) {
      const res = await get(`/v1/admin/orders/${id}/events`, headers);
      expect([res.statusCode, res.json().code]).toEqual([403, 'auth.forbidden']);
    }
  });
});

describe('orders date filter', () => {
  it('[REQ-ORD-018] placedFrom (inclusive) and placedBefore (exclusive) filter by placing time, with paging', async () => {
    const user = uid('usr');
    const ids = [await paidOrder(user), await paidOrder(user), await paidOrder(user)];
    const at = ['2026-03-01T09:00:00Z', '2026-03-02T00:00:00Z', '2026-03-03T12:00:00Z'];
    for (const [i, id] of ids.entries()) {
      await sql`update orders.orders set created_at = ${at[i]}::timestamptz where id = ${id}`.execute(h.t.kernel.db.k);
    }
    const list = async (q: string, headers = STAFF) =>
      (await get(`/v1/orders?userId=${user}&${q}`, headers)).json().items.map((o: { id: string }) => o.id);
    expect(await list('placedFrom=2026-03-02T00:00:00Z')).toEqual([ids[2], ids[1]]);
    expect(await list('placedBefore=2026-03-02T00:00:00Z')).toEqual([ids[0]]);
    expect(await list('placedFrom=2026-03-01T00:00:00Z&placedBefore=2026-03-03T00:00:00Z')).toEqual([ids[1], ids[0]]);
    expect(await list('placedFrom=2026-03-04T00:00:00%2B01:00')).toEqual([]);
    // A customer's own list takes the same filter.
    expect(await list('placedBefore=2026-03-02T00:00:00Z', asCustomer(user))).toEqual([ids[0]]);
    const page1 = (await get(`/v1/orders?userId=${user}&placedFrom=2026-03-01T00:00:00Z&limit=2`)).json();
    expect(page1.items.map((o: { id: string }) => o.id)).toEqual([ids[2], ids[1]]);
    const page2 = (
      await get(`/v1/orders?userId=${user}&placedFrom=2026-03-01T00:00:00Z&limit=2&cursor=${page1.nextCursor}`)
    ).json();
    expect([page2.items.map((o: { id: string }) => o.id), page2.nextCursor]).toEqual([[ids[0]], null]);
  });

  it('[REQ-ORD-018] a bad date or an empty range is a 400 problem', async () => {
    const cases: [string, string][] = [
      ['placedFrom=yesterday', 'request.validation_failed'],
      ['placedBefore=2026-13-01T00:00:00Z', 'request.validation_failed'],
      ['placedFrom=2026-03-02T00:00:00Z&placedBefore=2026-03-02T00:00:00Z', 'orders.invalid_range'],
      ['placedFrom=2026-03-03T00:00:00Z&placedBefore=2026-03-02T00:00:00Z', 'orders.invalid_range'],
    ];
    for (const [q, code] of cases) {
      const res = await get(`/v1/orders?${q}`);
      expect([q, res.statusCode, res.json().code]).toEqual([q, 400, code]);
      expect(String(res.headers['content-type'])).toMatch(/^application\/problem\+json/);
    }
  });
});
