// The transactional outbox: events are written in the producer's own transaction, so a state
// change and its events commit (or roll back) together. The relay delivers them afterwards.
import type { Ctx } from '../context.ts';
import { afterCommit, type Tx } from '../db/db.ts';
import { newId } from '../ids.ts';
import { assertEventType, type EventEnvelope, metaFromCtx, type NewEvent } from './envelope.ts';
import { notifyOutboxAppended } from './wake.ts';

/**
 * Appends events in `tx`. An event with an explicit id that is already in the outbox is skipped
 * (idempotent producers). Returns the envelopes written.
 */
export async function appendEvents(
  tx: Tx,
  ctx: Ctx | undefined,
  events: NewEvent[],
  causationId?: string,
): Promise<EventEnvelope[]> {
  if (events.length === 0) return [];
  const meta = metaFromCtx(ctx, causationId);
  const occurredAt = new Date().toISOString();
  const envelopes: EventEnvelope[] = events.map((e) => {
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
