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

/** The deliveries of these events to these endpoints: one per (endpoint, event) whose type the endpoint takes. */
function deliveriesOf(events: EventEnvelope[], targets: endpoints.Target[]): deliveries.NewDelivery[] {
  const rows: deliveries.NewDelivery[] = [];
  for (const event of events) {
    const body = webhookBody(event);
    const traceparent = currentTraceparent(event.traceparent ?? undefined);
    for (const t of targets) {
      if (!t.eventTypes.includes(event.type) && !t.eventTypes.includes('*')) continue;
      rows.push({ id: newId('msg'), endpointId: t.id, eventId: event.id, eventType: event.type, body, traceparent });
    }
  }
  return rows;
}

export function fanOutSubscriber(deps: { db: Db; wake: () => void }): Subscriber {
  const fanOut = async (events: EventEnvelope[]) => {
    const targets = await endpoints.subscribersOfAny(deps.db.k, [...new Set(events.map((e) => e.type))]);
    if (!targets.length) return;
    const inserted = await deliveries.insertDeliveries(deps.db.k, deliveriesOf(events, targets));
    if (inserted) deps.wake();
  };
  return {
    name: 'webhooks.fan_out',
    eventTypes: [...PUBLIC_EVENT_TYPES],
    handle: (event) => fanOut([event]),
    // One endpoint lookup for a whole claim's public events: under load, most of an order's events share it.
    handleMany: fanOut,
  };
}
