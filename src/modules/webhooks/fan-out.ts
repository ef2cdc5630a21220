// Fan-out: the one subscriber to every public event. It inserts one delivery per enabled endpoint subscribed to
// the event's type, unique per (endpoint, event), so an event the relay delivers again adds nothing. The
// delivery's id is the webhook-id every attempt carries.
import type { Db } from '../../platform/db/db.ts';
import type { EventEnvelope } from '../../platform/events/envelope.ts';
import type { Subscriber } from '../../platform/events/subscriber.ts';
import { newId } from '../../platform/ids.ts';
import { currentTraceparent } from '../../platform/observability/tracing-context.ts';
import * as deliveries from './deliveries.repo.ts';
import * as endpoints from './endpoints.repo.ts';
import { PUBLIC_EVENT_TYPES } from './event-catalog.ts';

/** The body integrators receive (Standard Webhooks' recommended shape, plus the event's id). */
export function webhookBody(event: EventEnvelope): string {
  return JSON.stringify({ type: event.type, timestamp: event.occurredAt, eventId: event.id, data: event.payload });
}

export function fanOutSubscriber(deps: { db: Db; wake: () => void }): Subscriber {
  return {
    name: 'webhooks.fan_out',
    eventTypes: [...PUBLIC_EVENT_TYPES],
    async handle(event) {
      const targets = await endpoints.subscribersOf(deps.db.k, event.type);
      if (!targets.length) return;
      const body = webhookBody(event);
      const inserted = await deliveries.insertDeliveries(
        deps.db.k,
        targets.map((t) => ({
          id: newId('msg'),
          endpointId: t.id,
          eventId: event.id,
          eventType: event.type,
          body,
          traceparent: currentTraceparent(event.traceparent ?? undefined),
        })),
      );
      if (inserted) deps.wake();
    },
  };
}
