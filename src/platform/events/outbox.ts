// The transactional outbox: events are written in the producer's own transaction, so a state
// change and its events commit (or roll back) together. The relay delivers them afterwards.
import { type RawBuilder, sql } from 'kysely';
import type { Ctx } from '../context.ts';
import { afterCommit, type Tx } from '../db/db.ts';
import { newId } from '../ids.ts';
import { assertEventType, type EventEnvelope, metaFromCtx, type NewEvent } from './envelope.ts';
import { notifyOutboxAppended } from './wake.ts';

/**
 * Appends events in `tx`. An event with an explicit id that is already in the outbox is skipped
 * (idempotent producers). Returns the envelopes written.
 */
function envelopesOf(ctx: Ctx | undefined, events: NewEvent[], causationId?: string): EventEnvelope[] {
  const meta = metaFromCtx(ctx, causationId);
  const occurredAt = new Date().toISOString();
  return events.map((e) => {
    assertEventType(e.type);
    return {
      id: e.id ?? newId('evt'),
      type: e.type,
      version: e.version ?? 1,
      aggregateId: e.aggregateId,
      occurredAt,
      ...meta,
      payload: e.payload as Record<string, unknown>,
    };
  });
}

export async function appendEvents(
  tx: Tx,
  ctx: Ctx | undefined,
  events: NewEvent[],
  causationId?: string,
): Promise<EventEnvelope[]> {
  if (events.length === 0) return [];
  const envelopes = envelopesOf(ctx, events, causationId);
  await tx
    .insertInto('platform.outbox')
    .values(
      envelopes.map((e) => ({
        id: e.id,
        type: e.type,
        version: e.version,
        aggregate_id: e.aggregateId,
        occurred_at: e.occurredAt,
        correlation_id: e.correlationId,
        causation_id: e.causationId,
        traceparent: e.traceparent,
        payload: JSON.stringify(e.payload),
      })),
    )
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
  // Wake this process's relay right after commit (a no-op when nobody listens).
  afterCommit(tx, notifyOutboxAppended);
  return envelopes;
}

/**
 * For a producer that changes its state and appends its events in ONE statement (autocommit: no `begin`/`commit`
 * round trips; a single statement is atomic). `cte(source)` is the body of a data-modifying CTE that inserts the
 * events once for each row the CTE named `source` (of the same statement) returns: none when the guarded change
 * matched nothing. `payloadFromSource` (a jsonb expression over the source's columns, such as
 * `jsonb_build_object('from', prev)`) is merged into each payload. Call `notifyOutboxAppended()` after the statement.
 */
export interface StatementEvents {
  envelopes: EventEnvelope[];
  cte(source: string, payloadFromSource?: RawBuilder<unknown>): RawBuilder<unknown>;
}

export function eventsInStatement(ctx: Ctx | undefined, events: NewEvent[]): StatementEvents {
  const envelopes = envelopesOf(ctx, events);
  if (envelopes.length === 0) return { envelopes, cte: () => sql`select 1 where false` };
  const rows = envelopes.map(
    (e) =>
      sql`(${e.id}::text, ${e.type}::text, ${e.version}::int, ${e.aggregateId}::text, ${e.occurredAt}::timestamptz,
        ${e.correlationId}::text, ${e.causationId}::text, ${e.traceparent}::text, ${JSON.stringify(e.payload)}::jsonb)`,
  );
  return {
    envelopes,
    cte: (source, payloadFromSource) => sql`insert into platform.outbox
        (id, type, version, aggregate_id, occurred_at, correlation_id, causation_id, traceparent, payload)
      select e.id, e.type, e.version, e.aggregate_id, e.occurred_at, e.correlation_id, e.causation_id, e.traceparent,
        e.payload || ${payloadFromSource ?? sql`'{}'::jsonb`}
      from ${sql.table(source)} cross join (values ${sql.join(rows)})
        as e(id, type, version, aggregate_id, occurred_at, correlation_id, causation_id, traceparent, payload)
      on conflict (id) do nothing`,
  };
}
