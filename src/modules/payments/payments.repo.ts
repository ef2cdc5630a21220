// SQL of the payments schema. Every function takes the transaction (or the builder) it runs in.
import { sql, type UpdateObject } from 'kysely';
import { type Executor, type Row as TableRow, typed } from '../../platform/db/typed.ts';
import type { StatementEvents } from '../../platform/events/outbox.ts';
import type { Payment, PaymentStatus, ProviderName, Refund } from './contract.ts';
import type { PaymentsDb, PaymentsPayments, PaymentsRefunds } from './db.generated.ts';

/** A transaction or the root builder. */
export type Q = Executor;
/** `q` seen through payments' generated table types. */
const paymentsTables = (q: Q) => typed<PaymentsDb>(q);
type PaymentRow = TableRow<PaymentsPayments>;
type RefundRow = TableRow<PaymentsRefunds, { status: Refund['status'] }>;

const iso = (d: Date | string) => (d instanceof Date ? d.toISOString() : new Date(d).toISOString());

export function toPayment(r: PaymentRow): Payment {
  return {
    id: r.id,
    orderId: r.order_id,
    amount: Number(r.amount),
    currency: r.currency,
    provider: r.provider as ProviderName,
    providerPaymentId: r.provider_payment_id,
    idempotencyKey: r.idempotency_key,
    status: r.status as PaymentStatus,
    capturedAmount: Number(r.captured_amount),
    refundedAmount: Number(r.refunded_amount),
    nextActionUrl: r.next_action_url,
    failureCode: r.failure_code,
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
  };
}

export function toRefund(r: RefundRow, p: Pick<Payment, 'orderId' | 'currency'>): Refund {
  return {
    id: r.id,
    paymentId: r.payment_id,
    orderId: p.orderId,
    amount: Number(r.amount),
    currency: p.currency,
    reason: r.reason,
    status: r.status,
    createdAt: iso(r.created_at),
  };
}

/**
 * Inserts the order's payment, or finds the one it has (one payment per order): one statement. `on conflict` names
 * no target: a concurrent insert for the same order may be caught on the idempotency-key index before the order-id
 * one, and either means the payment exists.
 */
export async function insertOrFindPayment(
  q: Q,
  p: { id: string; orderId: string; amount: number; currency: string; provider: ProviderName; idempotencyKey: string },
): Promise<Payment> {
  const r = await sql<PaymentRow>`with ins as (
      insert into payments.payments (id, order_id, amount, currency, provider, idempotency_key, status)
      values (${p.id}, ${p.orderId}, ${p.amount}, ${p.currency}, ${p.provider}, ${p.idempotencyKey}, 'pending')
      on conflict do nothing returning *
    )
    select * from ins union all select * from payments.payments where order_id = ${p.orderId}
    limit 1`.execute(q);
  // A concurrent insert that committed after this statement's snapshot is found by a fresh one.
  const row = r.rows[0];
  if (row) return toPayment(row);
  const found = await findByOrderId(q, p.orderId);
  if (!found) throw new Error(`payment of order ${p.orderId} neither inserted nor found`);
  return found;
}

export async function findPayment(q: Q, id: string): Promise<Payment | undefined> {
  const r = await paymentsTables(q).selectFrom('payments.payments').selectAll().where('id', '=', id).executeTakeFirst();
  return r ? toPayment(r) : undefined;
}

export async function findByOrderId(q: Q, orderId: string): Promise<Payment | undefined> {
  const r = await paymentsTables(q)
    .selectFrom('payments.payments')
    .selectAll()
    .where('order_id', '=', orderId)
    .executeTakeFirst();
  return r ? toPayment(r) : undefined;
}

export async function listCreatedBetween(q: Q, from: Date, to: Date): Promise<Payment[]> {
  const rows = await paymentsTables(q)
    .selectFrom('payments.payments')
    .selectAll()
    .where('created_at', '>=', from)
    .where('created_at', '<', to)
    .orderBy('created_at')
    .execute();
  return rows.map(toPayment);
}

/** Records the provider's id for a pending payment (first writer wins). */
export async function setProviderId(q: Q, id: string, providerPaymentId: string): Promise<void> {
  await paymentsTables(q)
    .updateTable('payments.payments')
    .set({ provider_payment_id: providerPaymentId, updated_at: sql`now()` })
    .where('id', '=', id)
    .where('provider_payment_id', 'is', null)
    .execute();
}

/** The guarded transition: one conditional UPDATE; undefined when the payment was not in `from`. */
export async function transition(
  q: Q,
  id: string,
  from: readonly PaymentStatus[],
  to: PaymentStatus,
  set: {
    capturedAmount?: number;
    providerPaymentId?: string | null;
    nextActionUrl?: string | null;
    failureCode?: string | null;
  },
): Promise<Payment | undefined> {
  const values: UpdateObject<PaymentsDb, 'payments.payments'> = { status: to, updated_at: sql`now()` };
  if (set.capturedAmount !== undefined) values.captured_amount = set.capturedAmount;
  if (set.providerPaymentId) values.provider_payment_id = sql`coalesce(provider_payment_id, ${set.providerPaymentId})`;
  if (set.nextActionUrl !== undefined) values.next_action_url = set.nextActionUrl;
  if (set.failureCode !== undefined) values.failure_code = set.failureCode;
  const r = await paymentsTables(q)
    .updateTable('payments.payments')
    .set(values)
    .where('id', '=', id)
    .where('status', 'in', from)
    .returningAll()
    .executeTakeFirst();
  return r ? toPayment(r) : undefined;
}

export type TransitionSet = Parameters<typeof transition>[4];

/** The row a guarded transition of `cur` writes (what `transitionWithEvents` guarantees it holds). */
export function transitioned(cur: Payment, to: PaymentStatus, set: TransitionSet): Payment {
  return {
    ...cur,
    status: to,
    capturedAmount: set.capturedAmount ?? cur.capturedAmount,
    providerPaymentId: cur.providerPaymentId ?? set.providerPaymentId ?? null,
    nextActionUrl: set.nextActionUrl !== undefined ? set.nextActionUrl : cur.nextActionUrl,
    failureCode: set.failureCode !== undefined ? set.failureCode : cur.failureCode,
  };
}

/**
 * The guarded transition and its events in one statement (autocommit: one round trip instead of begin, update,
 * outbox insert, commit). Guarded on every field the events carry, so a payload computed beforehand from
 * `transitioned(cur, …)` is exactly what the row now holds; undefined (and no events) when the row moved meanwhile.
 */
export async function transitionWithEvents(
  q: Q,
  cur: Payment,
  to: PaymentStatus,
  set: TransitionSet,
  events: StatementEvents,
): Promise<Payment | undefined> {
  const keep = (column: string) => sql.ref(column);
  const r = await sql<PaymentRow>`with u as (
      update payments.payments set status = ${to}, updated_at = now(),
        captured_amount = ${set.capturedAmount ?? keep('captured_amount')},
        provider_payment_id = coalesce(provider_payment_id, ${set.providerPaymentId ?? null}),
        next_action_url = ${set.nextActionUrl !== undefined ? set.nextActionUrl : keep('next_action_url')},
        failure_code = ${set.failureCode !== undefined ? set.failureCode : keep('failure_code')}
      where id = ${cur.id} and status = ${cur.status} and captured_amount = ${cur.capturedAmount}
        and refunded_amount = ${cur.refundedAmount}
        and provider_payment_id is not distinct from ${cur.providerPaymentId}
      returning *
    ), events as (${events.cte('u')})
    select * from u`.execute(q);
  const row = r.rows[0];
  return row ? toPayment(row) : undefined;
}

/** Reserves a refund amount: refunded + amount may never exceed captured (conditional update). */
export async function reserveRefund(q: Q, id: string, amount: number): Promise<Payment | undefined> {
  const r = await paymentsTables(q)
    .updateTable('payments.payments')
    .set({ refunded_amount: sql`refunded_amount + ${amount}`, updated_at: sql`now()` })
    .where('id', '=', id)
    .where('status', 'in', ['captured', 'partially_refunded'])
    .where(sql<boolean>`refunded_amount + ${amount} <= captured_amount`)
    .returningAll()
    .executeTakeFirst();
  return r ? toPayment(r) : undefined;
}

export async function releaseRefund(q: Q, id: string, amount: number): Promise<void> {
  await paymentsTables(q)
    .updateTable('payments.payments')
    .set({ refunded_amount: sql`refunded_amount - ${amount}`, updated_at: sql`now()` })
    .where('id', '=', id)
    .execute();
}

export async function insertRefund(
  q: Q,
  r: { id: string; paymentId: string; key: string; amount: number; reason: string },
): Promise<RefundRow | undefined> {
  return paymentsTables(q)
    .insertInto('payments.refunds')
    .values({
      id: r.id,
      payment_id: r.paymentId,
      idempotency_key: r.key,
      amount: r.amount,
      reason: r.reason,
      status: 'pending',
    })
    .onConflict((oc) => oc.columns(['payment_id', 'idempotency_key']).doNothing())
    .returningAll()
    .executeTakeFirst() as Promise<RefundRow | undefined>;
}

export async function findRefundByKey(q: Q, paymentId: string, key: string): Promise<RefundRow | undefined> {
  return paymentsTables(q)
    .selectFrom('payments.refunds')
    .selectAll()
    .where('payment_id', '=', paymentId)
    .where('idempotency_key', '=', key)
    .executeTakeFirst() as Promise<RefundRow | undefined>;
}

/** The refund a conflict has just shown to exist (its insert or settle lost to another); throws when it does not. */
export async function existingRefund(q: Q, paymentId: string, key: string): Promise<RefundRow> {
  const row = await findRefundByKey(q, paymentId, key);
  if (!row) throw new Error(`refund ${key} of payment ${paymentId} conflicted but is not there`);
  return row;
}

export async function settleRefund(
  q: Q,
  id: string,
  status: 'succeeded' | 'failed',
  providerRefundId: string | null,
): Promise<RefundRow | undefined> {
  return paymentsTables(q)
    .updateTable('payments.refunds')
    .set({ status, provider_refund_id: providerRefundId, updated_at: sql`now()` })
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .returningAll()
    .executeTakeFirst() as Promise<RefundRow | undefined>;
}

/** Refunded status from the succeeded refunds' sum (a pending reservation does not count yet). */
export async function markRefunded(q: Q, id: string): Promise<Payment | undefined> {
  const r = await paymentsTables(q)
    .updateTable('payments.payments')
    .set({
      status: sql`case when (select coalesce(sum(amount), 0) from payments.refunds
        where payment_id = ${id} and status = 'succeeded') >= captured_amount then 'refunded' else 'partially_refunded' end`,
      updated_at: sql`now()`,
    })
    .where('id', '=', id)
    .where('status', 'in', ['captured', 'partially_refunded'])
    .returningAll()
    .executeTakeFirst();
  return r ? toPayment(r) : undefined;
}

/** True when this provider event id was not seen before (the row commits with its transition). */
export async function recordWebhookEvent(
  q: Q,
  e: { provider: string; eventId: string; type: string; providerPaymentId: string | null },
): Promise<boolean> {
  const r = await paymentsTables(q)
    .insertInto('payments.webhook_events')
    .values({ provider: e.provider, event_id: e.eventId, type: e.type, provider_payment_id: e.providerPaymentId })
    .onConflict((oc) => oc.columns(['provider', 'event_id']).doNothing())
    .returning('event_id')
    .executeTakeFirst();
  return r !== undefined;
}

/**
 * A webhook's first look in one statement: whether its event id was processed already, and the payment it names: by
 * the provider's payment id, else by our own id when the event carries it (an event that came before we recorded the
 * provider's id). In the same statement the event id is recorded when there is nothing to apply: the payment carries
 * the event's provider payment id and is in one of `inSync`, the statuses the event's report leaves unchanged
 * (state.ts `planSync`). `recorded` is false when it was not, or when a concurrent delivery recorded it first.
 */
export async function webhookFirstLook(
  q: Q,
  e: { provider: string; eventId: string; type: string; providerPaymentId: string | null },
  paymentId: string | null,
  inSync: readonly PaymentStatus[],
): Promise<{ seen: boolean; recorded: boolean; payment: Payment | undefined }> {
  const r = await sql<PaymentRow & { webhook_seen: boolean; recorded: boolean }>`with p as (
      select * from payments.payments x
      where (x.provider = ${e.provider} and x.provider_payment_id = ${e.providerPaymentId}) or x.id = ${paymentId}
      order by coalesce(x.provider = ${e.provider} and x.provider_payment_id = ${e.providerPaymentId}, false) desc
      limit 1),
    seen as (select exists (
      select 1 from payments.webhook_events w where w.provider = ${e.provider} and w.event_id = ${e.eventId}) as seen),
    ins as (
      insert into payments.webhook_events (provider, event_id, type, provider_payment_id)
      select ${e.provider}, ${e.eventId}, ${e.type}, ${e.providerPaymentId} from p
      where not (select seen from seen) and p.provider_payment_id = ${e.providerPaymentId}
        and p.status = any(${[...inSync]}::text[])
      on conflict (provider, event_id) do nothing
      returning event_id)
    select (select seen from seen) as webhook_seen, exists (select 1 from ins) as recorded, p.*
    from (select 1) one left join p on true`.execute(q);
  const row = r.rows[0];
  return {
    seen: row?.webhook_seen === true,
    recorded: row?.recorded === true,
    payment: row?.id ? toPayment(row) : undefined,
  };
}

/** The statuses in which the provider may still hold money for a payment (an authorization to void). */
export const HOLDING: readonly PaymentStatus[] = ['pending', 'requires_action', 'authorized'];

/** Records that the payment must be voided (kept from the first request); the payment as it now is. */
export async function requestVoid(q: Q, id: string): Promise<Payment | undefined> {
  const r = await paymentsTables(q)
    .updateTable('payments.payments')
    .set({ void_requested_at: sql`coalesce(void_requested_at, now())`, updated_at: sql`now()` })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
  return r ? toPayment(r) : undefined;
}

export async function isVoidRequested(q: Q, id: string): Promise<boolean> {
  const r = await paymentsTables(q)
    .selectFrom('payments.payments')
    .select(sql<boolean>`void_requested_at is not null`.as('requested'))
    .where('id', '=', id)
    .executeTakeFirst();
  return r?.requested === true;
}

/** Payments whose void was asked for and is not done yet, oldest request first. */
export async function dueVoids(q: Q, limit: number): Promise<string[]> {
  const rows = await paymentsTables(q)
    .selectFrom('payments.payments')
    .select('id')
    .where('void_requested_at', 'is not', null)
    .where('status', 'in', HOLDING)
    .orderBy('void_requested_at')
    .limit(limit)
    .execute();
  return rows.map((r) => r.id);
}

export async function countDueVoids(q: Q): Promise<number> {
  const r = await paymentsTables(q)
    .selectFrom('payments.payments')
    .select(sql<number>`count(*)::int`.as('n'))
    .where('void_requested_at', 'is not', null)
    .where('status', 'in', HOLDING)
    .executeTakeFirst();
  return Number(r?.n ?? 0);
}
