// The relay's SQL: claiming outbox rows (FOR UPDATE SKIP LOCKED), fanning them out to in-process
// deliveries, leasing deliveries, and moving deliveries that keep failing to the dead-letter table.
import { sql } from 'kysely';
import { type Db, retryingStatement, type Tx } from '../db/db.ts';
import { newId } from '../ids.ts';
import type { EventEnvelope } from './envelope.ts';
import type { Subscriber } from './subscriber.ts';

type Exec = Tx | Db['k'];

export interface OutboxRow {
  seq: number;
  id: string;
  type: string;
  version: number;
  aggregate_id: string;
  occurred_at: Date | string;
  correlation_id: string | null;
  causation_id: string | null;
  traceparent: string | null;
  payload: Record<string, unknown>;
}

export function toEnvelope(r: OutboxRow): EventEnvelope {
  return {
    id: r.id,
    type: r.type,
    version: r.version,
    aggregateId: r.aggregate_id,
    occurredAt: r.occurred_at instanceof Date ? r.occurred_at.toISOString() : String(r.occurred_at),
    correlationId: r.correlation_id,
    causationId: r.causation_id,
    traceparent: r.traceparent,
    payload: r.payload,
  };
}

/**
 * The candidate rows of one claim: the oldest unpublished, unleased rows this relay could lock
 * (SKIP LOCKED: other relays take other rows), keeping only those whose aggregate has no earlier
 * unpublished row outside the batch, so per-aggregate order survives any number of relays.
 */
const claimable = (batch: number) => sql`
  c as (
    select seq, aggregate_id from platform.outbox
    where published_at is null and (claimed_until is null or claimed_until < now())
    order by seq limit ${batch} for update skip locked
  ),
  ok as (
    select c.seq from c where not exists (
      select 1 from platform.outbox p
      where p.aggregate_id = c.aggregate_id and p.seq < c.seq and p.published_at is null
        and p.seq not in (select seq from c)
    )
  )`;

/** In-process mode: turns a batch of outbox rows into one delivery row per matching subscriber. */
export async function fanOut(db: Db, subscribers: Subscriber[], batch: number): Promise<number> {
  const names: string[] = [];
  const types: string[] = [];
  const ordered: boolean[] = [];
  for (const s of subscribers) {
    for (const t of s.eventTypes) {
      names.push(s.name);
      types.push(t);
      ordered.push(s.ordered === true);
    }
  }
  const r = await retryingStatement(() =>
    sql<{ seq: number }>`
      with ${claimable(batch)},
      ins as (
        insert into platform.event_deliveries (seq, event_id, subscriber, aggregate_id, ordered)
        select o.seq, o.id, s.name, o.aggregate_id, s.ordered
        from platform.outbox o
        join ok on ok.seq = o.seq
        join unnest(${names}::text[], ${types}::text[], ${ordered}::bool[]) as s(name, type, ordered) on s.type = o.type
        on conflict do nothing
      )
      update platform.outbox set published_at = now(), claimed_until = null
      where seq in (select seq from ok) returning seq`.execute(db.k),
  );
  return r.rows.length;
}

/** NATS mode: leases a batch of rows to publish outside any transaction. */
export async function claimForPublish(db: Db, batch: number, leaseMs: number): Promise<OutboxRow[]> {
  const r = await retryingStatement(() =>
    sql<OutboxRow>`
      with ${claimable(batch)}
      update platform.outbox o
      set claimed_until = now() + ${leaseMs} * interval '1 millisecond', publish_attempts = o.publish_attempts + 1
      from ok where o.seq = ok.seq
      returning o.seq, o.id, o.type, o.version, o.aggregate_id, o.occurred_at, o.correlation_id, o.causation_id,
        o.traceparent, o.payload`.execute(db.k),
  );
  return r.rows.sort((a, b) => a.seq - b.seq);
}

export async function markPublished(k: Exec, seqs: number[]): Promise<void> {
  if (seqs.length === 0) return;
  await sql`update platform.outbox set published_at = now(), claimed_until = null
    where seq = any(${seqs}::bigint[])`.execute(k);
}

export async function releaseClaims(k: Exec, seqs: number[], retryInMs: number): Promise<void> {
  if (seqs.length === 0) return;
  await sql`update platform.outbox set claimed_until = now() + ${retryInMs} * interval '1 millisecond'
    where seq = any(${seqs}::bigint[]) and published_at is null`.execute(k);
}

export interface ClaimedDelivery {
  subscriber: string;
  attempts: number;
  row: OutboxRow;
}

/**
 * Leases due deliveries of these subscribers. An ordered subscriber's delivery is only due when
 * no earlier delivery of the same aggregate is still pending for it (head of line).
 */
export async function claimDeliveries(
  db: Db,
  subscribers: string[],
  batch: number,
  leaseMs: number,
): Promise<ClaimedDelivery[]> {
  if (subscribers.length === 0) return [];
  const r = await retryingStatement(() =>
    sql<OutboxRow & { subscriber: string; attempts: number }>`
      with c as (
        select x.subscriber, x.event_id from platform.event_deliveries x
        where x.subscriber = any(${subscribers}::text[]) and x.next_attempt_at <= now()
          and (x.leased_until is null or x.leased_until < now())
          and (not x.ordered or not exists (
            select 1 from platform.event_deliveries y
            where y.subscriber = x.subscriber and y.aggregate_id = x.aggregate_id and y.seq < x.seq))
        order by x.seq limit ${batch} for update skip locked
      )
      update platform.event_deliveries d
      set leased_until = now() + ${leaseMs} * interval '1 millisecond', attempts = d.attempts + 1
      from c, platform.outbox o
      where d.subscriber = c.subscriber and d.event_id = c.event_id and o.id = d.event_id
      returning d.subscriber, d.attempts, o.seq, o.id, o.type, o.version, o.aggregate_id, o.occurred_at,
        o.correlation_id, o.causation_id, o.traceparent, o.payload`.execute(db.k),
  );
  return r.rows
    .sort((a, b) => a.seq - b.seq)
    .map(({ subscriber, attempts, ...row }) => ({ subscriber, attempts, row }));
}

export async function completeDeliveries(k: Exec, done: Array<{ subscriber: string; eventId: string }>) {
  if (done.length === 0) return;
  await sql`delete from platform.event_deliveries d
    using unnest(${done.map((d) => d.subscriber)}::text[], ${done.map((d) => d.eventId)}::text[]) as x(subscriber, event_id)
    where d.subscriber = x.subscriber and d.event_id = x.event_id`.execute(k);
}

export async function retryDeliveryLater(
  k: Exec,
  subscriber: string,
  eventId: string,
  delayMs: number,
  error: string,
): Promise<void> {
  await sql`update platform.event_deliveries
    set next_attempt_at = now() + ${delayMs} * interval '1 millisecond', leased_until = null, last_error = ${error}
    where subscriber = ${subscriber} and event_id = ${eventId}`.execute(k);
}

/** Records a dead letter and removes the pending delivery, in one transaction. */
export async function deadLetter(
  db: Db,
  subscriber: string,
  event: EventEnvelope,
  attempts: number,
  error: string,
): Promise<void> {
  await db.transaction(async (tx) => {
    await sql`insert into platform.event_dead_letters (id, event_id, subscriber, event, attempts, last_error)
      values (${newId('dlq')}, ${event.id}, ${subscriber}, ${JSON.stringify(event)}::jsonb, ${attempts}, ${error})
      on conflict (subscriber, event_id) do update
      set attempts = excluded.attempts, last_error = excluded.last_error, created_at = now()`.execute(tx);
    await sql`delete from platform.event_deliveries where subscriber = ${subscriber} and event_id = ${event.id}`.execute(
      tx,
    );
  });
}

export interface DeadLetterRow {
  id: string;
  event_id: string;
  subscriber: string;
  event: EventEnvelope;
  attempts: number;
  last_error: string;
  created_at: Date;
}

export async function listDeadLetters(k: Db['k'], limit: number, cursor?: string): Promise<DeadLetterRow[]> {
  const r = await sql<DeadLetterRow>`select id, event_id, subscriber, event, attempts, last_error, created_at
    from platform.event_dead_letters where ${cursor ?? null}::text is null or id > ${cursor ?? null}::text
    order by id limit ${limit}`.execute(k);
  return r.rows;
}

/**
 * Moves a dead letter back to a fresh in-process delivery (also in NATS mode: the relay's
 * database worker delivers retries). Returns false when there is no such dead letter.
 */
export async function retryDeadLetter(db: Db, id: string): Promise<boolean> {
  return db.transaction(async (tx) => {
    const r = await sql<{ event_id: string; subscriber: string; event: EventEnvelope }>`
      delete from platform.event_dead_letters where id = ${id} returning event_id, subscriber, event`.execute(tx);
    const dl = r.rows[0];
    if (!dl) return false;
    // The event row may have been cleaned up from the outbox: restore it (already published).
    await sql`insert into platform.outbox (id, type, version, aggregate_id, occurred_at, correlation_id, causation_id,
        traceparent, payload, published_at)
      values (${dl.event.id}, ${dl.event.type}, ${dl.event.version}, ${dl.event.aggregateId}, ${dl.event.occurredAt},
        ${dl.event.correlationId}, ${dl.event.causationId}, ${dl.event.traceparent}, ${JSON.stringify(dl.event.payload)}::jsonb, now())
      on conflict (id) do nothing`.execute(tx);
    await sql`insert into platform.event_deliveries (seq, event_id, subscriber, aggregate_id, ordered)
      select seq, id, ${dl.subscriber}, aggregate_id, false from platform.outbox where id = ${dl.event_id}
      on conflict (subscriber, event_id) do update set next_attempt_at = now(), leased_until = null, attempts = 0`.execute(
      tx,
    );
    return true;
  });
}
