// SQL of the orders' personal data lifecycle: a person's orders and attempts (export, erasure), removing an order's
// personal fields (erasure, retention), and finished attempts past their retention.
import { sql } from 'kysely';
import type { Row } from '../../../platform/db/typed.ts';
import { subjects } from '../../../platform/privacy/data-keys.ts';
import { personIndex } from '../../../platform/privacy/email.ts';
import type { DataSubject } from '../../../platform/privacy/privacy.ts';
import type { OrdersOrderLines, OrdersReturns, OrdersShipments } from '../db.generated.ts';
import { type OrderRow, ordersTables, type Q } from '../lifecycle/orders.repo.ts';
import type { OrdersPrivacy } from '../personal.ts';

/** Log entries whose reason is a person's words (a cancel's reason, a return's reason, staff's note on it). */
export const WRITTEN_LOG_TYPES = ['cancelled', 'return_requested', 'return_received', 'return_rejected'];

/** The data key subjects of a person: their account's and their email's under every key of the ring. */
export const subjectKeys = (s: DataSubject): string[] => [
  ...(s.userId ? [subjects.user(s.userId)] : []),
  ...s.emailIndexes.map(subjects.guest),
];

/**
 * Ids of the person's orders: by account, by the email's blind index, by the subject sealed under; and rows written
 * before sealing (plaintext email, no index yet) whose email is the person's — a scan of those rows only, which the
 * orders key rotation part empties.
 */
export async function orderIdsOf(q: Q, p: OrdersPrivacy, s: DataSubject): Promise<string[]> {
  // An email finds guest orders only (no account): another account's orders are never the person's by email.
  const r = await sql<Pick<OrderRow, 'id' | 'email'> & { guest: boolean; direct: boolean }>`
    select id, email, guest, direct from (
      select id, email, created_at, user_id is null as guest, coalesce(user_id = ${s.userId}, false)
        or (user_id is null and email_index = any(${s.emailIndexes}::text[]))
        or data_subject = any(${subjectKeys(s)}::text[]) as direct
      from orders.orders
      where user_id = ${s.userId} or (user_id is null and email_index = any(${s.emailIndexes}::text[]))
        or data_subject = any(${subjectKeys(s)}::text[])
        or (user_id is null and email is not null and email_sealed is null and email_index is null)
    ) m order by created_at, id`.execute(q);
  const mine = new Set(s.emailIndexes);
  return r.rows
    .filter((o) => o.direct || (o.guest && o.email !== null && mine.has(personIndex(p.pii, o.email))))
    .map((o) => o.id);
}

export async function ordersByIds(q: Q, ids: string[]): Promise<OrderRow[]> {
  if (!ids.length) return [];
  const r = await sql<OrderRow>`select * from orders.orders where id = any(${ids}::text[])
    order by created_at, id`.execute(q);
  return r.rows;
}

export async function linesOf(q: Q, ids: string[]): Promise<Row<OrdersOrderLines>[]> {
  if (!ids.length) return [];
  const r = await sql<Row<OrdersOrderLines>>`select * from orders.order_lines
    where order_id = any(${ids}::text[]) order by order_id, line_no`.execute(q);
  return r.rows;
}

export async function shipmentsOf(q: Q, ids: string[]) {
  if (!ids.length) return [];
  const r = await sql<
    Pick<Row<OrdersShipments>, 'order_id' | 'id' | 'carrier' | 'tracking_number' | 'status' | 'items' | 'created_at'>
  >`select order_id, id, carrier, tracking_number, status, items, created_at from orders.shipments
    where order_id = any(${ids}::text[]) order by created_at, id`.execute(q);
  return r.rows;
}

export async function returnsOf(q: Q, ids: string[]) {
  if (!ids.length) return [];
  const r = await sql<
    Pick<
      Row<OrdersReturns>,
      'order_id' | 'id' | 'status' | 'items' | 'reason' | 'note' | 'refund_amount' | 'created_at'
    >
  >`select order_id, id, status, items, reason, note, refund_amount, created_at from orders.returns
    where order_id = any(${ids}::text[]) order by created_at, id`.execute(q);
  return r.rows;
}

/**
 * Removes the personal fields of these orders, in one statement: email, addresses, index and subject; the free text
 * of their returns and of their log. Totals, lines, payments, shipments and statuses stay (financial records). Only
 * orders not already erased count; running it again changes nothing.
 */
export async function erasePersonalFields(q: Q, ids: string[]): Promise<number> {
  if (!ids.length) return 0;
  const r = await sql<{ orders: number; texts: number }>`with o as (
      update orders.orders set email = null, shipping_address = null, billing_address = null, email_sealed = null,
        shipping_address_sealed = null, billing_address_sealed = null, email_index = null, data_subject = null,
        customer_erased_at = now(), updated_at = now()
      where id = any(${ids}::text[]) and customer_erased_at is null returning id
    ), r as (
      update orders.returns set reason = null, note = null
      where order_id = any(${ids}::text[]) and (reason is not null or note is not null) returning id
    ), l as (
      update orders.order_events set reason = null
      where order_id = any(${ids}::text[]) and reason is not null
        and (reason like 's1.%' or type = any(${WRITTEN_LOG_TYPES}::text[])) returning seq
    )
    select (select count(*)::int from o) as orders, (select count(*)::int from r) + (select count(*)::int from l) as texts`.execute(
    q,
  );
  return r.rows[0]?.orders ?? 0;
}

/**
 * The person's checkout attempts: finished ones (placed, failed) are deleted; a live one loses its snapshot, payment
 * token and answer (it can then only be compensated, which the sweeper does). Returns how many changed.
 */
export async function eraseAttempts(q: Q, s: DataSubject, orderIds: string[]): Promise<number> {
  const keys = subjectKeys(s);
  const r = await sql<{ n: number }>`with d as (
      delete from orders.checkout_attempts
      where (data_subject = any(${keys}::text[]) or id = any(${orderIds}::text[])) and status in ('placed', 'failed')
      returning id
    ), u as (
      update orders.checkout_attempts set snapshot = null, snapshot_sealed = null, payment_token = null,
        payment_token_sealed = null, answer_sealed = null, updated_at = now()
      where data_subject = any(${keys}::text[]) and status not in ('placed', 'failed')
        and (snapshot is not null or snapshot_sealed is not null)
      returning id
    )
    select (select count(*)::int from d) + (select count(*)::int from u) as n`.execute(q);
  return r.rows[0]?.n ?? 0;
}

/** Orders whose personal fields outlived their retention (oldest first, a batch). */
export async function ordersPastRetention(q: Q, days: number, limit: number): Promise<string[]> {
  const r = await ordersTables(q)
    .selectFrom('orders.orders')
    .select('id')
    .where('customer_erased_at', 'is', null)
    .where('created_at', '<', sql<Date>`now() - ${days} * interval '1 day'`)
    .orderBy('created_at')
    .limit(limit)
    .execute();
  return r.map((o) => o.id);
}

/** Deletes finished attempts (placed, failed) last changed more than `days` ago, a batch at a time. */
export async function deleteFinishedAttempts(q: Q, days: number, limit: number): Promise<number> {
  const r = await sql`delete from orders.checkout_attempts where id in (
      select id from orders.checkout_attempts
      where status in ('placed', 'failed') and updated_at < now() - ${days} * interval '1 day'
      order by updated_at limit ${limit})`.execute(q);
  return Number(r.numAffectedRows ?? 0);
}
