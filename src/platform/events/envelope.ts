// The event envelope written to the outbox and delivered to subscribers.
import type { Ctx } from '../context.ts';
import { currentTraceparent } from '../observability/tracing-context.ts';

export interface EventEnvelope<P = Record<string, unknown>> {
  /** Unique event id (`evt_…`); also the NATS message id for de-duplication. */
  id: string;
  /** `<module>.<entity>.<past-tense>`, e.g. `inventory.stock.changed`. */
  type: string;
  version: number;
  aggregateId: string;
  occurredAt: string;
  correlationId: string | null;
  causationId: string | null;
  /**
   * W3C traceparent of the span that appended the event (tracing on), else the one the request came with: the
   * consumer's span continues that trace. Internal: never part of a public webhook payload.
   */
  traceparent: string | null;
  /** Ids plus the fields consumers need. */
  payload: P;
}

export interface NewEvent<P = Record<string, unknown>> {
  type: string;
  aggregateId: string;
  payload: P;
  version?: number;
  /** Give a deterministic id to make an append idempotent (e.g. derived from an order id). */
  id?: string;
}

export interface EventMeta {
  correlationId: string | null;
  causationId: string | null;
  traceparent: string | null;
}

export function metaFromCtx(ctx: Ctx | undefined, causationId?: string): EventMeta {
  return {
    correlationId: ctx?.requestId ?? null,
    causationId: causationId ?? null,
    traceparent: currentTraceparent(ctx?.traceparent),
  };
}

const TYPE_RE = /^[a-z]+\.[a-z_]+\.[a-z_]+$/;
export function assertEventType(type: string): void {
  if (!TYPE_RE.test(type)) throw new Error(`event type ${type} must be <module>.<entity>.<past-tense>`);
}
