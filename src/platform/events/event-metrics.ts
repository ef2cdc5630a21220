import { Counter, Histogram, type Registry } from 'prom-client';

export interface EventMetrics {
  published: Counter<'transport'>;
  delivered: Counter<'subscriber'>;
  failures: Counter<'subscriber'>;
  deadLettered: Counter<'subscriber'>;
  lag: Histogram<'subscriber'>;
}

const cache = new WeakMap<Registry, EventMetrics>();

/** The relay's metrics on the app's registry (one set per registry). */
export function eventMetrics(registry: Registry): EventMetrics {
  const known = cache.get(registry);
  if (known) return known;
  const m: EventMetrics = {
    published: new Counter({
      name: 'events_published_total',
      help: 'Outbox events handed to the transport (in-process fan-out or NATS JetStream)',
      labelNames: ['transport'] as const,
      registers: [registry],
    }),
    delivered: new Counter({
      name: 'events_delivered_total',
      help: 'Events handled successfully, by subscriber',
      labelNames: ['subscriber'] as const,
      registers: [registry],
    }),
    failures: new Counter({
      name: 'events_delivery_failures_total',
      help: 'Handler failures (each is retried with backoff), by subscriber',
      labelNames: ['subscriber'] as const,
      registers: [registry],
    }),
    deadLettered: new Counter({
      name: 'events_dead_lettered_total',
      help: 'Deliveries moved to the dead-letter table after the maximum number of attempts',
      labelNames: ['subscriber'] as const,
      registers: [registry],
    }),
    lag: new Histogram({
      name: 'events_delivery_lag_seconds',
      help: 'Time from the event being recorded to its handler finishing',
      labelNames: ['subscriber'] as const,
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
  };
  cache.set(registry, m);
  return m;
}
