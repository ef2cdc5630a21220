// Trace context across the outbox: an event carries the traceparent of the span that appended it (envelope.ts), and
// each subscriber's handling of it runs in a CONSUMER span whose parent is that span, so a chain of events (payment
// captured → order paid → email) stays one trace with the request that started it. NATS publishing gets a PRODUCER
// span in the same trace. No spans while tracing is off (tracer undefined).
import { context, ROOT_CONTEXT, SpanKind, type Tracer, trace } from '@opentelemetry/api';
import { recordError } from '../observability/tracing.ts';
import { remoteSpanContext } from '../observability/tracing-context.ts';
import type { EventEnvelope } from './envelope.ts';

// The messaging semantic conventions are still in development: their names are copied here, as their package advises.
const ATTR_MESSAGING_SYSTEM = 'messaging.system';
const ATTR_MESSAGING_OPERATION_TYPE = 'messaging.operation.type';
const ATTR_MESSAGING_OPERATION_NAME = 'messaging.operation.name';
const ATTR_MESSAGING_DESTINATION_NAME = 'messaging.destination.name';
const ATTR_MESSAGING_MESSAGE_ID = 'messaging.message.id';
const ATTR_MESSAGING_CONSUMER_GROUP_NAME = 'messaging.consumer.group.name';

export type EventTransport = 'in-process' | 'nats';

const system = (transport: EventTransport) => (transport === 'nats' ? 'nats' : 'emporium.outbox');

function parentOf(event: EventEnvelope) {
  const sc = remoteSpanContext(event.traceparent);
  return sc ? trace.setSpanContext(ROOT_CONTEXT, sc) : ROOT_CONTEXT;
}

/**
 * Runs one subscriber's handling of an event in a CONSUMER span continuing the event's trace; the handler's SQL,
 * outgoing calls and the events it appends nest under it. A thrown error is recorded and rethrown.
 */
export async function inConsumerSpan<T>(
  tracer: Tracer | undefined,
  transport: EventTransport,
  subscriber: string,
  event: EventEnvelope,
  attempt: number,
  fn: () => Promise<T>,
): Promise<T> {
  if (!tracer) return fn();
  const parent = parentOf(event);
  const span = tracer.startSpan(
    `process ${event.type}`,
    {
      kind: SpanKind.CONSUMER,
      attributes: {
        [ATTR_MESSAGING_SYSTEM]: system(transport),
        [ATTR_MESSAGING_OPERATION_TYPE]: 'process',
        [ATTR_MESSAGING_OPERATION_NAME]: 'process',
        [ATTR_MESSAGING_DESTINATION_NAME]: event.type,
        [ATTR_MESSAGING_MESSAGE_ID]: event.id,
        [ATTR_MESSAGING_CONSUMER_GROUP_NAME]: subscriber,
        'emporium.event.attempt': attempt,
      },
    },
    parent,
  );
  try {
    return await context.with(trace.setSpan(parent, span), fn);
  } catch (e) {
    recordError(span, e);
    throw e;
  } finally {
    span.end();
  }
}

/** A PRODUCER span for publishing one event to NATS, in the event's trace; call `end` when the publish settles. */
export function startPublishSpan(
  tracer: Tracer | undefined,
  subject: string,
  event: { id: string; type: string; traceparent: string | null },
): { end(error?: unknown): void } | undefined {
  if (!tracer) return undefined;
  const span = tracer.startSpan(
    `send ${event.type}`,
    {
      kind: SpanKind.PRODUCER,
      attributes: {
        [ATTR_MESSAGING_SYSTEM]: 'nats',
        [ATTR_MESSAGING_OPERATION_TYPE]: 'send',
        [ATTR_MESSAGING_OPERATION_NAME]: 'publish',
        [ATTR_MESSAGING_DESTINATION_NAME]: subject,
        [ATTR_MESSAGING_MESSAGE_ID]: event.id,
      },
    },
    parentOf(event as EventEnvelope),
  );
  return {
    end(error) {
      if (error !== undefined) recordError(span, error);
      span.end();
    },
  };
}
