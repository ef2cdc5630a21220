// SQL of webhooks.deliveries and webhooks.delivery_attempts: fan-out inserts, claiming due work under a lease,
// recording attempts, the delivery log.
import { sql } from 'kysely';
import type { Row } from '../../platform/db/typed.ts';
import type { DeliveryStatus } from './contract.ts';
import type { WebhooksDeliveries, WebhooksDeliveryAttempts } from './db.generated.ts';
import { now, type Q, webhookTables } from './tables.ts';

export type DeliveryRow = Row<WebhooksDeliveries, { status: DeliveryStatus }>;
export type AttemptRow = Row<WebhooksDeliveryAttempts>;

export interface NewDelivery {
  id: string;
  endpointId: string;
  eventId: string;
  eventType: string;
  body: string;
  /** The traceparent of the event handling that made it: attempts continue that trace (docs/tracing.md). */
  traceparent: string | null;
}

/** One delivery per (endpoint, event): a redelivered event inserts nothing. Answers how many were new. */
export async function insertDeliveries(q: Q, rows: NewDelivery[]): Promise<number> {
  if (!rows.length) return 0;
  const inserted = await webhookTables(q)
    .insertInto('webhooks.deliveries')
    .values(
      rows.map((d) => ({
        id: d.id,
        endpoint_id: d.endpointId,
        event_id: d.eventId,
        event_type: d.eventType,
        body: d.body,
        traceparent: d.traceparent,
        next_attempt_at: now,
      })),
    )
    .onConflict((oc) => oc.columns(['endpoint_id', 'event_id']).doNothing())
    .returning('id')
    .execute();
  return inserted.length;
}

export interface ClaimedDelivery {
  id: string;
  endpoint_id: string;
  body: string;
  attempts: number;
  run_failures: number;
  url: string;
  secret_sealed: string;
  /** The previous secret while the rotation overlap lasts, else null. */
  previous_secret_sealed: string | null;
  traceparent: string | null;
}

/**
 * Claims up to `limit` due deliveries of enabled endpoints under a lease (`token`, `leaseMs`): the attempt count
 * goes up now, so an attempt whose process died is numbered anew when the lease has run out and it is retried.
 */
export async function claimDue(q: Q, token: string, leaseMs: number, limit: number): Promise<ClaimedDelivery[]> {
  const r = await sql<ClaimedDelivery>`
    with due as (
      select d.id from webhooks.deliveries d
      join webhooks.endpoints e on e.id = d.endpoint_id
      where d.status = 'pending' and d.next_attempt_at <= now()
        and (d.lease_until is null or d.lease_until < now())
        and e.enabled and e.deleted_at is null
      order by d.next_attempt_at
      limit ${limit}
      for update of d skip locked
    ), claimed as (
      update webhooks.deliveries d
      set lease_token = ${token}, lease_until = now() + make_interval(secs => ${leaseMs / 1000}),
        attempts = d.attempts + 1, updated_at = now()
      from due where d.id = due.id
      returning d.id, d.endpoint_id, d.body, d.attempts, d.run_failures, d.traceparent
    )
    select c.*, e.url, e.secret_sealed,
      case when e.previous_secret_expires_at > now() then e.previous_secret_sealed end as previous_secret_sealed
    from claimed c join webhooks.endpoints e on e.id = c.endpoint_id`.execute(q);
  return r.rows;
}

export interface AttemptRecord {
  deliveryId: string;
  token: string;
  attempt: number;
  startedAt: Date;
  statusCode: number | null;
  error: string | null;
  latencyMs: number;
  ok: boolean;
}

export async function insertAttempt(q: Q, a: AttemptRecord): Promise<void> {
  await webhookTables(q)
    .insertInto('webhooks.delivery_attempts')
    .values({
      delivery_id: a.deliveryId,
      attempt: a.attempt,
      started_at: a.startedAt,
      status_code: a.statusCode,
      error: a.error,
      latency_ms: a.latencyMs,
      succeeded: a.ok,
    })
    .onConflict((oc) => oc.columns(['delivery_id', 'attempt']).doNothing())
    .execute();
}

/**
 * Settles the attempt on the delivery, only while this claim still holds it (a lease that ran out may have been
 * taken over; a cancelled delivery stays cancelled). `retryInMs` null with a failure: no retry left, `failed`.
 */
export async function settleAttempt(q: Q, a: AttemptRecord, retryInMs: number | null): Promise<boolean> {
  const status: DeliveryStatus = a.ok ? 'delivered' : retryInMs === null ? 'failed' : 'pending';
  // What any settled attempt writes: its outcome, and the end of its lease.
  const outcome = {
    lease_token: null,
    lease_until: null,
    last_status_code: a.statusCode,
    last_error: a.error,
    last_latency_ms: a.latencyMs,
    updated_at: now,
  };
  const r = await webhookTables(q)
    .updateTable('webhooks.deliveries')
    .set((eb) => ({
      ...outcome,
      status,
      run_failures: a.ok ? eb.ref('run_failures') : eb('run_failures', '+', 1),
      delivered_at: a.ok ? now : eb.ref('delivered_at'),
      next_attempt_at:
        retryInMs === null || a.ok ? null : sql<Date>`now() + make_interval(secs => ${retryInMs / 1000})`,
    }))
    .where('id', '=', a.deliveryId)
    .where('lease_token', '=', a.token)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  if (Number(r.numUpdatedRows) > 0) return true;
  // Cancelled while this attempt was in flight (the endpoint was disabled or deleted): it stays cancelled, but its
  // lease goes with the attempt, so a replay after re-enabling is not refused as "in flight" until the lease expires.
  await webhookTables(q)
    .updateTable('webhooks.deliveries')
    .set(outcome)
    .where('id', '=', a.deliveryId)
    .where('lease_token', '=', a.token)
    .where('status', '=', 'cancelled')
    .execute();
  return false;
}

/** Stops an endpoint's pending deliveries (the endpoint was disabled or deleted); replay can resend them. */
export async function cancelPending(q: Q, endpointId: string, reason: string): Promise<number> {
  const r = await webhookTables(q)
    .updateTable('webhooks.deliveries')
    .set({ status: 'cancelled', next_attempt_at: null, last_error: reason, updated_at: now })
    .where('endpoint_id', '=', endpointId)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/**
 * Due now, with the same webhook-id, as the start of a new run of the retry schedule; refused (undefined) while an
 * attempt is in flight.
 */
export async function replay(q: Q, id: string): Promise<DeliveryRow | undefined> {
  return (await webhookTables(q)
    .updateTable('webhooks.deliveries')
    .set({ status: 'pending', next_attempt_at: now, run_failures: 0, lease_token: null, lease_until: null })
    .set({ updated_at: now })
    .where('id', '=', id)
    .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]))
    .returningAll()
    .executeTakeFirst()) as DeliveryRow | undefined;
}

export async function findDelivery(q: Q, id: string): Promise<DeliveryRow | undefined> {
  return (await webhookTables(q)
    .selectFrom('webhooks.deliveries')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst()) as DeliveryRow | undefined;
}

export async function attemptsOf(q: Q, id: string): Promise<AttemptRow[]> {
  return webhookTables(q)
    .selectFrom('webhooks.delivery_attempts')
    .selectAll()
    .where('delivery_id', '=', id)
    .orderBy('attempt')
    .execute();
}

/** An endpoint's deliveries, newest first; `before` is the last id of the previous page. */
export async function listDeliveries(
  q: Q,
  endpointId: string,
  f: { status?: DeliveryStatus | undefined; before?: string | undefined; limit: number },
): Promise<DeliveryRow[]> {
  let query = webhookTables(q)
    .selectFrom('webhooks.deliveries')
    .selectAll()
    .where('endpoint_id', '=', endpointId)
    .orderBy('id', 'desc')
    .limit(f.limit);
  if (f.status) query = query.where('status', '=', f.status);
  if (f.before) query = query.where('id', '<', f.before);
  return (await query.execute()) as DeliveryRow[];
}
