import type { EventEnvelope } from './envelope.ts';

/** An event handler. Delivery is at least once: make the effect idempotent (see inbox). */
export interface Subscriber {
  /** Unique, `<module>.<handler>`; also the durable consumer name. */
  name: string;
  eventTypes: string[];
  /** Deliver events of one aggregate in order to this subscriber. */
  ordered?: boolean;
  handle(event: EventEnvelope): Promise<void>;
}
