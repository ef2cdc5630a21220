// SQL for orders, their lines and their append-only event log (shipments and returns: their own sub-folders' repos).
import { sql } from 'kysely';
import type { Tx } from '../../../platform/db/db.ts';
import { type Executor, type Row, typed } from '../../../platform/db/typed.ts';
import type { StatementEvents } from '../../../platform/events/outbox.ts';
import type { CheckoutSnapshot, OrderStatus, OrderView } from '../contract.ts';
import type { OrdersDb, OrdersOrderLines, OrdersOrders } from '../db.generated.ts';
import type { OrderPersonal, SealedOrderFields } from '../personal.ts';

/** A transaction or the root builder. */
export type Q = Executor;
/** `q` seen through orders' generated table types. */
export const ordersTables = (q: Q) => typed<OrdersDb>(q);

/** An order row as `select *` reads it (its personal columns: personal.ts). */
export type OrderRow = Row<OrdersOrders, { status: OrderStatus }>;

type LineColumns = Row<OrdersOrderLines>;
/** An order line: what a snapshot line becomes, and what reading one adds (its fulfilment counters). */
export type LineRow = Pick<
  LineColumns,
  'variant_id' | 'product_id' | 'sku' | 'name' | 'quantity' | 'unit_price' | 'line_total' | 'discount' | 'tax'
> &
  Partial<Pick<LineColumns, 'shipped_quantity' | 'returned_quantity' | 'return_received_quantity'>>;

export const parse = <T>(v: T | string): T => (typeof v === 'string' ? (JSON.parse(v) as T) : v);

/** The columns of an order its view shows (besides the personal ones). */
export type OrderViewRow = Pick<
  OrderRow,
  | 'id'
  | 'number'
  | 'status'
  | 'user_id'
  | 'currency'
  | 'subtotal'
  | 'discount'
  | 'shipping'
  | 'tax'
  | 'total'
  | 'payment_status'
  | 'created_at'
>;

/** The order as its customer and staff see it; `personal` is its opened personal fields (personal.ts). */
export function toView(o: OrderViewRow, lines: LineRow[], personal: OrderPersonal): OrderView {
  const m = (amount: number) => ({ amount: Number(amount), currency: o.currency });
  return {
    id: o.id,
    number: String(o.number),
    status: o.status,
    email: personal.email,
    userId: o.user_id,
    items: lines.map((l) => ({
      variantId: l.variant_id,
      productId: l.product_id,
      sku: l.sku,
      name: l.name,
      quantity: Number(l.quantity),
      shippedQuantity: Number(l.shipped_quantity ?? 0),
      returnedQuantity: Number(l.returned_quantity ?? 0),
      unitPrice: m(l.unit_price),
      lineTotal: m(l.line_total),
      discount: m(l.discount),
      tax: m(l.tax),
    })),
    totals: {
      subtotal: m(o.subtotal),
      discount: m(o.discount),
      shipping: m(o.shipping),
      tax: m(o.tax),
      total: m(o.total),
    },
    shippingAddress: personal.shippingAddress,
    customerErased: personal.erased,
    payment: { status: o.payment_status },
    createdAt: new Date(o.created_at).toISOString(),
  };
}

/** The point of no return as ONE statement (see `ordersRepo.placeFromAttempt`). */
export interface PlaceInput {
  attemptId: string;
  owner: string;
  snapshot: CheckoutSnapshot;
  paymentId: string;
  tokenHash: string | null;
  actor: string;
  /** The order's creation time (what the answer shows and the row stores). */
  createdAt: string;
  /** The customer's fields, sealed under the order's data key (personal.ts). */
  personal: SealedOrderFields;
  /** The 201 answer body without `number` (the statement stores the number beside it), sealed. */
  answerSealed: string;
  events: StatementEvents;
  /** The language of the emails about the order (`en`, `de`), null for the shop's default. */
  locale: string | null;
}

/** The order lines a snapshot becomes, in its order (the placing statement numbers them from 1). */
export function lineRows(s: CheckoutSnapshot): LineRow[] {
  return s.lines.map((l) => ({
    variant_id: l.variantId,
    product_id: l.productId,
    sku: l.sku,
    name: l.name,
    quantity: l.quantity,
    unit_price: l.unitPrice.amount,
    line_total: l.lineTotal.amount,
    discount: l.discount.amount,
    tax: l.tax.amount,
  }));
}

export const ordersRepo = {
  /**
   * The pivot in one statement: marks the attempt placed (guarded by its lease: nothing at all is written when the
   * guard fails) and inserts the order with the next number, its lines, the `placed` log entry and the events
   * (payloads get the number). Returns the number, or undefined when the attempt was not ours to place.
   */
  async placeFromAttempt(q: Q, p: PlaceInput): Promise<string | undefined> {
    const s = p.snapshot;
    const lines = lineRows(s).map(
      (l, i) => sql`(${i + 1}::int, ${l.variant_id}::text, ${l.product_id}::text, ${l.sku}::text, ${l.name}::text,
        ${l.quantity}::int, ${l.unit_price}::bigint, ${l.line_total}::bigint, ${l.discount}::bigint, ${l.tax}::bigint)`,
    );
    const r = await sql<{ number: string }>`with n as (
        select nextval('orders.order_number_seq') as number
      ), a as (
        update orders.checkout_attempts set status = 'placed', payment_id = ${p.paymentId},
          steps = array_append(case when 'authorized' = any(steps) then steps else array_append(steps, 'authorized') end,
            'placed'),
          answer_status = 201, answer = jsonb_build_object('number', n.number::text), answer_sealed = ${p.answerSealed},
          claimed_by = null, claimed_until = now(), updated_at = now()
        from n
        where id = ${p.attemptId} and claimed_by = ${p.owner} and status = 'running' and claimed_until > now()
        returning n.number
      ), o as (
        insert into orders.orders (id, number, cart_id, user_id, status, currency,
          subtotal, discount, shipping, tax, total, email_sealed, shipping_address_sealed, billing_address_sealed,
          email_index, data_subject, shipping_method, promotions, payment_id, payment_status, order_token_hash, created_at,
          locale)
        select ${p.attemptId}, a.number, ${s.cartId}, ${s.userId}, 'pending', ${s.currency},
          ${s.totals.subtotal.amount}, ${s.totals.discount.amount}, ${s.totals.shipping.amount}, ${s.totals.tax.amount},
          ${s.totals.total.amount}, ${p.personal.email}, ${p.personal.shippingAddress}, ${p.personal.billingAddress},
          ${p.personal.emailIndex}, ${p.personal.subject},
          ${JSON.stringify(s.shippingMethod)}, ${JSON.stringify(s.promotions)}, ${p.paymentId}, 'authorized',
          ${p.tokenHash}, ${p.createdAt}::timestamptz, ${p.locale}
        from a
        returning id, number
      ), l as (
        insert into orders.order_lines (order_id, line_no, variant_id, product_id, sku, name, quantity, unit_price,
          line_total, discount, tax)
        select o.id, v.* from o cross join (values ${sql.join(lines)})
          as v(line_no, variant_id, product_id, sku, name, quantity, unit_price, line_total, discount, tax)
      ), logged as (
        insert into orders.order_events (order_id, type, from_status, to_status, actor, reason, data)
        select o.id, 'placed', null, 'pending', ${p.actor}, null, ${JSON.stringify({ cartId: s.cartId })}::jsonb from o
      ), events as (${p.events.cte('o', sql`jsonb_build_object('number', o.number::text)`)})
      select number::text as number from o`.execute(q);
    return r.rows[0]?.number;
  },
  async log(
    tx: Tx,
    orderId: string,
    type: string,
    from: OrderStatus | null,
    to: OrderStatus | null,
    actor: string,
    reason: string | null,
    data: Record<string, unknown> = {},
  ): Promise<void> {
    await ordersTables(tx)
      .insertInto('orders.order_events')
      .values({ order_id: orderId, type, from_status: from, to_status: to, actor, reason, data: JSON.stringify(data) })
      .execute();
  },
  async get(q: Q, id: string): Promise<OrderRow | undefined> {
    return ordersTables(q)
      .selectFrom('orders.orders')
      .selectAll()
      .where('id', '=', id)
      .$narrowType<{ status: OrderStatus }>()
      .executeTakeFirst();
  },
  /** The order with its lines in line order, in one statement (an order's page, its mails). */
  async withLines(q: Q, id: string): Promise<{ order: OrderRow; lines: LineRow[] } | undefined> {
    const r = await sql<OrderRow & { lines_json: LineRow[] }>`select o.*, coalesce(
        (select json_agg(l order by l.line_no) from orders.order_lines l where l.order_id = o.id), '[]') as lines_json
      from orders.orders o where o.id = ${id}`.execute(q);
    const found = r.rows[0];
    if (!found) return undefined;
    const { lines_json, ...order } = found;
    return { order, lines: lines_json };
  },
  async lines(q: Q, id: string): Promise<LineRow[]> {
    return ordersTables(q)
      .selectFrom('orders.order_lines')
      .selectAll()
      .where('order_id', '=', id)
      .orderBy('line_no')
      .execute();
  },

  /** The lines of several orders in one statement (a page of the list), by order id. */
  async linesOf(q: Q, ids: string[]): Promise<Map<string, LineRow[]>> {
    const byOrder = new Map<string, LineRow[]>(ids.map((id) => [id, []]));
    if (ids.length === 0) return byOrder;
    const r = await sql<Row<OrdersOrderLines>>`select * from orders.order_lines where order_id = any(${ids}::text[])
      order by order_id, line_no`.execute(q);
    for (const line of r.rows) byOrder.get(line.order_id)?.push(line);
    return byOrder;
  },

  /**
   * The guarded transition, its log entry and its events in one statement (autocommit). Returns the previous status,
   * or undefined (nothing written) when the order is not in one of `from`.
   */
  async transitionLogged(
    q: Q,
    id: string,
    from: OrderStatus[],
    to: OrderStatus,
    opts: { paymentStatus?: string | undefined; actor: string; reason: string | null },
    events: StatementEvents,
  ): Promise<OrderStatus | undefined> {
    const r = await sql<{ prev: OrderStatus }>`with p as (
        select id, status as prev from orders.orders where id = ${id} for update
      ), u as (
        update orders.orders o set status = ${to}, payment_status = coalesce(${opts.paymentStatus ?? null}, o.payment_status),
          version = o.version + 1, updated_at = now()
        from p where o.id = p.id and o.status = any(${from}::text[]) returning p.prev
      ), logged as (
        insert into orders.order_events (order_id, type, from_status, to_status, actor, reason, data)
        select ${id}, ${to}, u.prev, ${to}, ${opts.actor}, ${opts.reason}, '{}'::jsonb from u
      ), events as (${events.cte('u', sql`jsonb_build_object('from', u.prev)`)})
      select prev from u`.execute(q);
    return r.rows[0]?.prev;
  },
  /**
   * The payment's status on an order whose status does not move with it (a cancelled order refunded or voided after
   * the fact). Never downgrades `refunded`; true when a row changed.
   */
  async setPaymentStatus(q: Q, id: string, paymentStatus: string): Promise<boolean> {
    const r = await sql`update orders.orders set payment_status = ${paymentStatus}, version = version + 1,
        updated_at = now()
      where id = ${id} and payment_status <> ${paymentStatus} and payment_status <> 'refunded'`.execute(q);
    return Number(r.numAffectedRows ?? 0) > 0;
  },
  /** Locks the order row (first in the lock order: order, then its lines) and returns its status. */
  async lockStatus(tx: Tx, id: string): Promise<OrderStatus | undefined> {
    const r = await ordersTables(tx)
      .selectFrom('orders.orders')
      .select('status')
      .where('id', '=', id)
      .forUpdate()
      .$narrowType<{ status: OrderStatus }>()
      .executeTakeFirst();
    return r?.status;
  },
  async setStatus(tx: Tx, id: string, status: OrderStatus): Promise<void> {
    await ordersTables(tx)
      .updateTable('orders.orders')
      .set((eb) => ({ status, version: eb('version', '+', 1), updated_at: sql`now()` }))
      .where('id', '=', id)
      .execute();
  },
  /** The currency of each order. */
  async currencies(q: Q, ids: string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const r = await sql<Pick<OrderRow, 'id' | 'currency'>>`select id, currency from orders.orders
      where id = any(${ids}::text[])`.execute(q);
    return new Map(r.rows.map((row) => [row.id, row.currency]));
  },
  async list(
    q: Q,
    f: {
      userId?: string | undefined;
      status?: string | undefined;
      cursor?: string | undefined;
      placedFrom?: string | undefined;
      placedBefore?: string | undefined;
      limit: number;
    },
  ): Promise<OrderRow[]> {
    const r = await sql<OrderRow>`select * from orders.orders
      where (${f.userId ?? null}::text is null or user_id = ${f.userId ?? null})
        and (${f.status ?? null}::text is null or status = ${f.status ?? null})
        and (${f.placedFrom ?? null}::timestamptz is null or created_at >= ${f.placedFrom ?? null}::timestamptz)
        and (${f.placedBefore ?? null}::timestamptz is null or created_at < ${f.placedBefore ?? null}::timestamptz)
        and (${f.cursor ?? null}::text is null or id < ${f.cursor ?? null})
      order by id desc limit ${f.limit}`.execute(q);
    return r.rows;
  },
  /** The order's log, oldest first; with `page`, the entries after seq `after`, at most `limit`. */
  async events(q: Q, id: string, page?: { after: string | null; limit: number }) {
    let query = ordersTables(q)
      .selectFrom('orders.order_events')
      .select(['seq', 'type', 'from_status', 'to_status', 'actor', 'reason', 'created_at'])
      .where('order_id', '=', id)
      .orderBy('seq');
    if (page?.after) query = query.where('seq', '>', Number(page.after));
    if (page) query = query.limit(page.limit);
    return query.execute();
  },
};
