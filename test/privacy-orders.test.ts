// Personal data in the orders and payments modules (PGlite, or PostgreSQL with TEST_DATABASE_URL): sealed at rest
// under the person's data key, absent from events, exported with every section, erased (orders kept, personal fields
// gone) idempotently, unreadable once the keys are shredded, removed by the retention jobs, and older plaintext rows
// moved into sealed columns by the key rotation parts.
import { sql } from 'kysely';
import { Value } from 'typebox/value';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { subjectKeys } from '../src/modules/orders/privacy/privacy.repo.ts';
import { personIndexCandidates } from '../src/platform/privacy/email.ts';
import type { DataSubject, PersonalDataContributor } from '../src/platform/privacy/privacy.ts';
import { asCustomer, asStaff } from './support/fake-auth.ts';
import {
  ctx,
  guestCart,
  type OrdersHarness,
  placeOrder,
  q,
  snapshot,
  startOrdersHarness,
  stock,
  uid,
  waitFor,
} from './support/orders-harness.ts';

let h: OrdersHarness;
beforeAll(async () => {
  h = await startOrdersHarness();
});
afterAll(async () => {
  await h?.close();
});

const STAFF = asStaff('orders:read', 'orders:manage');
const contributor = (name: string) =>
  h.t.kernel.privacy.contributors.find((c) => c.name === name) as PersonalDataContributor;
const guestSubject = (email: string): DataSubject => ({
  userId: null,
  emailIndexes: personIndexCandidates(h.t.kernel.privacy.pii, email),
});

interface Person {
  email: string;
  street: string;
  name: string;
  reason: string;
}
const person = (tag: string): Person => ({
  email: `Quilla.${tag}+shop@orders-privacy.example`,
  street: `Kastanienallee ${tag}`,
  name: `Quilla Vossberg ${tag}`,
  reason: `the zipper of ${tag} broke`,
});

/** A guest's order, paid and shipped; returns its id and token. */
async function guestOrder(p: Person, o: { ship?: boolean; userId?: string } = {}) {
  const v = uid('var');
  await stock(h, v, 5);
  const s = snapshot({
    variantId: v,
    qty: 2,
    email: p.email,
    userId: o.userId ?? null,
    shippingAddress: { name: p.name, line1: p.street, city: 'Görlitz', postalCode: '02826', country: 'DE' },
    billingAddress: {
      name: p.name,
      line1: `${p.street} (billing)`,
      city: 'Görlitz',
      postalCode: '02826',
      country: 'DE',
    },
  });
  const { cartId, token } = guestCart(h, s);
  const headers: Record<string, string> = o.userId ? asCustomer(o.userId) : {};
  const res = await placeOrder(h, cartId, { token, headers });
  expect(res.statusCode).toBe(201);
  const body = res.json() as { id: string; orderToken?: string; totals: unknown; items: unknown[] };
  await waitFor(async () => (await h.orders.orders.row(body.id))?.status === 'paid');
  if (o.ship !== false) {
    const shipped = await h.t.http.inject({
      method: 'POST',
      url: `/v1/admin/orders/${body.id}/shipments`,
      headers: STAFF,
      payload: { carrier: 'DHL', trackingNumber: `TRK${uid('t')}` },
    });
    expect(shipped.statusCode).toBe(201);
  }
  return { ...body, variantId: v, auth: o.userId ? headers : { 'x-order-token': body.orderToken as string } };
}

/** Every stored trace of one order, as text: its row, attempt, log, returns, shipments and outbox events. */
async function rawTraces(orderId: string): Promise<string> {
  const rows = await q<{ t: string }>(
    h,
    sql`select t::text as t from orders.orders t where id = ${orderId}
      union all select t::text from orders.checkout_attempts t where id = ${orderId}
      union all select t::text from orders.order_events t where order_id = ${orderId}
      union all select t::text from orders.returns t where order_id = ${orderId}
      union all select t::text from orders.shipments t where order_id = ${orderId}
      union all select t::text from payments.payments t where order_id = ${orderId}
      union all select t::text from platform.outbox t where aggregate_id = ${orderId}
      union all select t::text from platform.idempotency_keys t where response_body like ${`%${orderId}%`}`,
  );
  return rows.map((r) => r.t).join('\n');
}
const personalIn = (text: string, p: Person) =>
  [p.email, p.email.toLowerCase(), 'quilla.', p.street, p.name, p.reason].filter((s) => text.includes(s));

async function requestReturn(
  o: { id: string; variantId: string; auth: Record<string, string> },
  p: Person,
  key = uid('ret'),
) {
  const r = await h.t.http.inject({
    method: 'POST',
    url: `/v1/orders/${o.id}/returns`,
    headers: { ...o.auth, 'idempotency-key': key },
    payload: { items: [{ variantId: o.variantId, quantity: 1 }], reason: p.reason },
  });
  expect(r.statusCode).toBe(201);
  return r.json() as { id: string; reason: string };
}

describe('orders personal data', () => {
  it('[REQ-PRV-200] the order, its attempt, return and log hold no plaintext; the owner and staff still read it', async () => {
    const p = person('a200');
    const o = await guestOrder(p);
    const ret = await requestReturn(o, p);
    expect(ret.reason).toBe(p.reason);
    const note = `staff saw ${p.name} at the counter`;
    const received = await h.t.http.inject({
      method: 'POST',
      url: `/v1/admin/returns/${ret.id}/receive`,
      headers: { ...STAFF, 'idempotency-key': uid('rcv') },
      payload: { note },
    });
    expect(received.json()).toMatchObject({ reason: p.reason, note, status: 'received' });

    const traces = await rawTraces(o.id);
    expect(traces).toContain(o.id);
    expect(personalIn(traces, p)).toEqual([]);
    expect(traces).not.toContain('staff saw');
    expect(traces).not.toContain(o.orderToken);
    const [row] = await q<Record<string, string | null>>(
      h,
      sql`select email, shipping_address::text as sa, email_sealed, email_index, data_subject
        from orders.orders where id = ${o.id}`,
    );
    expect(row).toMatchObject({ email: null, sa: null });
    expect(row?.email_sealed).toMatch(/^s1\./);
    expect(row?.data_subject).toBe(`email:${row?.email_index}`);

    for (const headers of [o.auth, STAFF]) {
      const seen = await h.t.http.inject({ method: 'GET', url: `/v1/orders/${o.id}`, headers });
      expect(seen.json()).toMatchObject({
        email: p.email,
        shippingAddress: { line1: p.street, name: p.name },
        customerErased: false,
      });
    }
    const returns = await h.t.http.inject({ method: 'GET', url: `/v1/orders/${o.id}/returns`, headers: o.auth });
    expect(returns.json().items[0]).toMatchObject({ reason: p.reason, note });
    const page = await h.t.http.inject({ method: 'GET', url: '/v1/admin/returns?limit=100', headers: STAFF });
    expect(page.json().items.find((r: { id: string }) => r.id === ret.id)).toMatchObject({ reason: p.reason, note });
  });

  it('[REQ-PRV-201] events carry ids, never the email, address or written text; the placed event has no snapshot', async () => {
    const p = person('a201');
    const o = await guestOrder(p);
    await requestReturn(o, p);
    const events = await q<{ type: string; payload: unknown }>(
      h,
      sql`select type, payload from platform.outbox where aggregate_id = ${o.id} order by id`,
    );
    expect(events.map((e) => e.type)).toContain('orders.order.placed');
    expect(personalIn(JSON.stringify(events), p)).toEqual([]);
    const placed = events.find((e) => e.type === 'orders.order.placed')?.payload as Record<string, unknown>;
    expect(Object.keys(typeof placed === 'string' ? JSON.parse(placed) : placed).sort()).toEqual(
      ['cartId', 'number', 'orderId', 'paymentId', 'redemptionKey', 'reservationKey', 'total', 'userId'].sort(),
    );
  });

  it('[REQ-PRV-202] a cancel reason is sealed in the log and read back opened', async () => {
    const p = person('a202');
    const o = await guestOrder(p, { ship: false });
    const cancelled = await h.t.http.inject({
      method: 'POST',
      url: `/v1/orders/${o.id}/cancel`,
      headers: o.auth,
      payload: { reason: p.reason },
    });
    expect(cancelled.statusCode).toBe(200);
    expect(personalIn(await rawTraces(o.id), p)).toEqual([]);
    const log = await h.orders.orders.events(o.id);
    expect(log.find((e) => e.type === 'cancelled')?.reason).toBe(p.reason);
  });

  it('[REQ-PRV-203] the export holds every order of the person (account and guest email) with every section', async () => {
    const p = person('a203');
    const userId = uid('usr');
    const asGuest = await guestOrder(p);
    await requestReturn(asGuest, p);
    const asCustomer = await guestOrder({ ...p, email: p.email.toUpperCase() }, { userId, ship: false });
    const other = await guestOrder(person('a203other'), { ship: false });
    const subject: DataSubject = { userId, emailIndexes: guestSubject(p.email).emailIndexes };

    const orders = (await contributor('orders').exportFor?.(ctx, subject)) as {
      orders: { id: string; [k: string]: unknown }[];
    };
    expect(Value.Check(contributor('orders').exportSchema as never, orders)).toBe(true);
    expect(orders.orders.map((o) => o.id).sort()).toEqual([asGuest.id, asCustomer.id].sort());
    expect(orders.orders.map((o) => o.id)).not.toContain(other.id);
    const g = orders.orders.find((o) => o.id === asGuest.id);
    expect(g).toMatchObject({
      email: p.email,
      shippingAddress: { line1: p.street },
      billingAddress: { line1: `${p.street} (billing)` },
      customerErased: false,
      currency: 'EUR',
      totals: asGuest.totals,
      lines: [{ variantId: asGuest.variantId, quantity: 2, unitPrice: { amount: 1000, currency: 'EUR' } }],
      shipments: [{ carrier: 'DHL', status: 'shipped' }],
      returns: [{ status: 'requested', reason: p.reason, items: [{ variantId: asGuest.variantId, quantity: 1 }] }],
    });

    const payments = (await contributor('payments').exportFor?.(ctx, subject)) as {
      payments: { orderId: string; [k: string]: unknown }[];
    };
    expect(Value.Check(contributor('payments').exportSchema as never, payments)).toBe(true);
    expect(payments.payments.map((x) => x.orderId).sort()).toEqual([asGuest.id, asCustomer.id].sort());
    expect(payments.payments.find((x) => x.orderId === asGuest.id)).toMatchObject({
      provider: 'sandbox',
      status: 'captured',
      amount: { amount: 2880, currency: 'EUR' },
      refunds: [],
    });
    expect(JSON.stringify(payments)).not.toMatch(/tok_|4242/);
  });

  it('[REQ-PRV-204] erasure keeps the order and its totals, removes every personal field, and is idempotent', async () => {
    const p = person('a204');
    const o = await guestOrder(p);
    const key = uid('ret');
    await requestReturn(o, p, key);
    const subject = guestSubject(p.email);
    // The return's stored answer (Idempotency-Key) is sealed under the person's data key.
    const stored = async () =>
      (
        await q<{ body: string }>(
          h,
          sql`select response_body as body from platform.idempotency_keys where key = ${key}`,
        )
      )[0]?.body ?? '';
    const storedKey = h.t.kernel.privacy.dataKeys.keyIdOf(await stored());
    const personKeys = await q<{ id: string }>(
      h,
      sql`select id from privacy.data_keys where subject = any(${subjectKeys(subject)}::text[])`,
    );
    expect(personKeys.map((k) => k.id)).toContain(storedKey);
    const before = (await h.t.http.inject({ method: 'GET', url: `/v1/orders/${o.id}`, headers: STAFF })).json();

    const erased = await contributor('orders').eraseFor?.(ctx, subject);
    expect(erased).toBeGreaterThanOrEqual(2); // the order, and its placed attempt
    await h.t.kernel.privacy.dataKeys.shred(h.t.kernel.db.k, subjectKeys(subject));

    const after = (await h.t.http.inject({ method: 'GET', url: `/v1/orders/${o.id}`, headers: STAFF })).json();
    expect(after).toMatchObject({ email: null, shippingAddress: null, customerErased: true });
    expect({ ...after, email: 0, shippingAddress: 0, customerErased: 0 }).toEqual({
      ...before,
      email: 0,
      shippingAddress: 0,
      customerErased: 0,
    });
    const guestView = await h.t.http.inject({ method: 'GET', url: `/v1/orders/${o.id}`, headers: o.auth });
    expect(guestView.json()).toMatchObject({ customerErased: true, email: null });
    const [row] = await q<Record<string, unknown>>(
      h,
      sql`select email_sealed, shipping_address_sealed, billing_address_sealed, email_index, data_subject,
          customer_erased_at is not null as erased, total::int as total from orders.orders where id = ${o.id}`,
    );
    expect(row).toEqual({
      email_sealed: null,
      shipping_address_sealed: null,
      billing_address_sealed: null,
      email_index: null,
      data_subject: null,
      erased: true,
      total: 2880,
    });
    const texts = await q<{ reason: string | null }>(
      h,
      sql`select reason from orders.returns where order_id = ${o.id}
        union all select reason from orders.order_events where order_id = ${o.id} and type like 'return%'`,
    );
    expect(texts.every((t) => t.reason === null)).toBe(true);
    expect(await q(h, sql`select id from orders.checkout_attempts where id = ${o.id}`)).toEqual([]);
    expect((await contributor('orders').exportFor?.(ctx, subject)) as unknown).toEqual({ orders: [] });
    expect(await contributor('orders').eraseFor?.(ctx, subject)).toBe(0);
    expect(await q(h, sql`select id from privacy.data_keys where id = ${storedKey}`)).toEqual([]);
  });

  it('[REQ-PRV-205] shredding the keys alone (before the fields are cleared) already shows an erased customer', async () => {
    const p = person('a205');
    const userId = uid('usr');
    const o = await guestOrder(p, { userId, ship: false });
    await h.t.kernel.privacy.dataKeys.shred(h.t.kernel.db.k, [`user:${userId}`]);
    const mine = await h.t.http.inject({ method: 'GET', url: '/v1/orders', headers: asCustomer(userId) });
    expect(mine.json().items).toEqual([
      expect.objectContaining({ id: o.id, email: null, shippingAddress: null, customerErased: true }),
    ]);
  });

  it('[REQ-PRV-206] retention: finished attempts and old orders lose their personal data; recent ones keep it', async () => {
    const old = await guestOrder(person('a206old'), { ship: false });
    const recent = await guestOrder(person('a206new'), { ship: false });
    await sql`update orders.checkout_attempts set updated_at = now() - interval '31 days' where id = ${old.id}`.execute(
      h.t.kernel.db.k,
    );
    await sql`update orders.orders set created_at = now() - interval '3651 days' where id = ${old.id}`.execute(
      h.t.kernel.db.k,
    );
    // The module's scheduled jobs, run once as the scheduler would.
    const jobs = h.orders.definition.jobs?.filter((j) => j.name.endsWith('_retention')) ?? [];
    expect(jobs.map((j) => j.name)).toEqual(['orders.checkout_attempt_retention', 'orders.personal_data_retention']);
    for (const job of jobs) await job.run(ctx, { scheduledAt: new Date(), attempt: 1 });
    expect(await q(h, sql`select id from orders.checkout_attempts where id = ${old.id}`)).toEqual([]);
    expect(await q(h, sql`select id from orders.checkout_attempts where id = ${recent.id}`)).toHaveLength(1);
    const oldView = (await h.t.http.inject({ method: 'GET', url: `/v1/orders/${old.id}`, headers: STAFF })).json();
    expect(oldView).toMatchObject({ customerErased: true, email: null, totals: old.totals });
    const newView = (await h.t.http.inject({ method: 'GET', url: `/v1/orders/${recent.id}`, headers: STAFF })).json();
    expect(newView.customerErased).toBe(false);
  });

  it('[REQ-PRV-207] rotation parts move plaintext left by older versions into sealed columns', async () => {
    const p = person('a207');
    const o = await guestOrder(p);
    const ret = await requestReturn(o, p);
    // What a version before sealing wrote: plaintext columns, no index, no subject.
    const db = h.t.kernel.db.k;
    await sql`update orders.orders set email = ${p.email}, email_sealed = null, email_index = null, data_subject = null,
        shipping_address = ${JSON.stringify({ name: p.name, line1: p.street, city: 'X', postalCode: '1', country: 'DE' })},
        shipping_address_sealed = null, billing_address_sealed = null where id = ${o.id}`.execute(db);
    await sql`update orders.returns set reason = ${p.reason} where id = ${ret.id}`.execute(db);
    await sql`update orders.checkout_attempts set snapshot = ${JSON.stringify({ email: p.email, userId: null })},
        snapshot_sealed = null where id = ${o.id}`.execute(db);
    expect(personalIn(await rawTraces(o.id), p).length).toBeGreaterThan(0);
    const legacy = (await h.t.http.inject({ method: 'GET', url: `/v1/orders/${o.id}`, headers: STAFF })).json();
    expect(legacy).toMatchObject({ email: p.email, shippingAddress: { line1: p.street } });
    // The erasure finds a legacy guest order by its plaintext email too.
    expect((await contributor('orders').exportFor?.(ctx, guestSubject(p.email))) as unknown).toMatchObject({
      orders: [{ id: o.id }],
    });

    const parts = contributor('orders').rotation ?? [];
    expect(parts.map((x) => x.name)).toHaveLength(3);
    for (const part of parts) {
      expect(await part.remaining()).toBeGreaterThan(0);
      for (let n = 1; n > 0; ) n = await part.batch(100);
      expect(await part.remaining()).toBe(0);
    }
    expect(personalIn(await rawTraces(o.id), p)).toEqual([]);
    const sealed = (await h.t.http.inject({ method: 'GET', url: `/v1/orders/${o.id}`, headers: STAFF })).json();
    expect(sealed).toMatchObject({ email: p.email, shippingAddress: { line1: p.street }, customerErased: false });
    const returns = await h.t.http.inject({ method: 'GET', url: `/v1/orders/${o.id}/returns`, headers: STAFF });
    expect(returns.json().items[0].reason).toBe(p.reason);
  });
});
