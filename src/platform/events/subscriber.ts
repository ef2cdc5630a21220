import type { EventEnvelope } from './envelope.ts';

/** An event handler. Delivery is at least once: make the effect idempotent (see inbox). */
export interface Subscriber {
  /** Unique, `<module>.<handler>`; also the durable consumer name. */
  name: string;
  eventTypes: string[];
  /** Deliver events of one aggregate in order to this subscriber. */
  ordered?: boolean;
  handle(event: EventEnvelope): Promise<void>;
  /**
   * Optional: the same effect as `handle` on each of these events, in fewer statements. The in-process relay passes
   * the events of one claim that are due for this subscriber, in outbox order, when there are several and tracing is
   * off (with tracing on, each event keeps its own consumer span). If it throws, the relay handles the events one at
   * a time, so one bad event cannot hold back the others. Not for ordered subscribers.
   */
  handleMany?(events: EventEnvelope[]): Promise<void>;
}
