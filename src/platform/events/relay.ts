// The relay: moves committed outbox rows to subscribers, at least once.
// - In-process (no NATS): claims outbox rows (FOR UPDATE SKIP LOCKED), fans them out into one
//   delivery row per subscriber, then leases due deliveries and runs the handlers here.
// - NATS: leases outbox rows, publishes them to JetStream (msgID = event id), marks them published;
//   each subscriber reads its own durable consumer. Dead-letter retries still go through the
//   database delivery worker, in both modes.
// Failures retry with exponential backoff; after maxAttempts the delivery becomes a dead letter.
import { jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Db } from '../db/db.ts';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { Tracing } from '../observability/tracing.ts';
import { type BackoffOptions, backoffDelay } from './backoff.ts';
import type { EventEnvelope } from './envelope.ts';
import { eventMetrics } from './event-metrics.ts';
import { inConsumerSpan } from './event-tracing.ts';
import {
  type ConsumerLoop,
  ensureTopology,
  type MessageOutcome,
  publishRows,
  startConsumer,
  topology,
} from './nats-transport.ts';
import { createPump } from './pump.ts';
import {
  claimDeliveries,
  claimForPublish,
  completeDeliveries,
  deadLetter,
  fanOut,
  markPublished,
  releaseClaims,
  retryDeliveryLater,
  toEnvelope,
} from './relay-store.ts';
import type { Subscriber } from './subscriber.ts';
import { onOutboxAppended } from './wake.ts';

export interface RelayOptions {
  /** Outbox rows / deliveries per claim. */
  batchSize?: number;
  /** The safety-net poll when nothing wakes the relay. */
  pollMs?: number;
  /** Attempts per (event, subscriber) before it becomes a dead letter. */
  maxAttempts?: number;
  backoff?: BackoffOptions;
  /** How long a claimed delivery / outbox row is held before another relay may take it over. */
  leaseMs?: number;
  /** Handlers in flight at once (per subscriber with NATS). */
  concurrency?: number;
  /** Distributed mode. */
  nats?: { connection: NatsConnection; stream: string; publishTimeoutMs?: number };
}

export interface RelayDeps {
  db: Db;
  logger: Logger;
  metrics: Metrics;
  subscribers: Subscriber[];
  /** Consumer spans continuing each event's trace, when tracing is on. */
  tracing?: Tracing | undefined;
}

export interface Relay {
  readonly transport: 'in-process' | 'nats';
  start(): Promise<void>;
  /** Runs a claim/deliver round now (a no-op while stopped). */
  wake(): void;
  /** Stops claiming; waits at most `graceMs` for handlers in flight (their leases expire otherwise). */
  stop(graceMs?: number): Promise<void>;
}

export function createRelay(deps: RelayDeps, options: RelayOptions = {}): Relay {
  const { db, logger, subscribers } = deps;
  const batch = options.batchSize ?? 200;
  const pollMs = options.pollMs ?? 500;
  const maxAttempts = options.maxAttempts ?? 8;
  const backoff = options.backoff ?? { baseMs: 1000, maxMs: 5 * 60_000 };
  const leaseMs = options.leaseMs ?? 30_000;
  const concurrency = options.concurrency ?? 16;
  const metrics = eventMetrics(deps.metrics.registry);
  const byName = new Map(subscribers.map((s) => [s.name, s]));
  if (byName.size !== subscribers.length) throw new Error('subscriber names must be unique');
  const names = [...byName.keys()];
  const nats = options.nats;
  const t = nats ? topology(nats.stream) : undefined;
  const js = nats ? jetstream(nats.connection) : undefined;
  const tracer = deps.tracing?.tracer;
  const transport = nats ? 'nats' : 'in-process';

  /** Runs one handler; returns what should happen to the delivery. */
  async function attempt(s: Subscriber, event: EventEnvelope, attempts: number): Promise<MessageOutcome> {
    try {
      await inConsumerSpan(tracer, transport, s.name, event, attempts, () => s.handle(event));
      metrics.delivered.inc({ subscriber: s.name });
      metrics.lag.observe({ subscriber: s.name }, Math.max(0, Date.now() - Date.parse(event.occurredAt)) / 1000);
      return { kind: 'ack' };
    } catch (e) {
      const error = (e as Error)?.stack ?? String(e);
      metrics.failures.inc({ subscriber: s.name });
      if (attempts >= maxAttempts) {
        await deadLetter(db, s.name, event, attempts, error.slice(0, 4000));
        metrics.deadLettered.inc({ subscriber: s.name });
        logger.error(
          { subscriber: s.name, eventId: event.id, type: event.type, attempts, err: (e as Error)?.message },
          'event dead-lettered after the maximum number of attempts',
        );
        return { kind: 'term' };
      }
      const delayMs = backoffDelay(attempts, backoff);
      logger.warn(
        { subscriber: s.name, eventId: event.id, attempts, delayMs, err: (e as Error)?.message },
        'event handler failed; will retry',
      );
      return { kind: 'retry', delayMs };
    }
  }

  async function deliverBatch(): Promise<number> {
    const claimed = await claimDeliveries(db, names, batch, leaseMs);
    if (claimed.length === 0) return 0;
    const done: Array<{ subscriber: string; eventId: string }> = [];
    let next = 0;
    const worker = async () => {
      while (next < claimed.length) {
        const d = claimed[next++];
        if (!d) break;
        const s = byName.get(d.subscriber);
        if (!s) continue;
        const event = toEnvelope(d.row);
        const outcome = await attempt(s, event, d.attempts);
        if (outcome.kind === 'ack') done.push({ subscriber: s.name, eventId: event.id });
        else if (outcome.kind === 'retry') {
          await retryDeliveryLater(db.k, s.name, event.id, outcome.delayMs, 'handler failed');
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, claimed.length) }, worker));
    await completeDeliveries(db.k, done);
    return claimed.length;
  }

  async function publishBatch(): Promise<number> {
    if (!js || !t || !nats) return 0;
    const rows = await claimForPublish(db, batch, leaseMs);
    if (rows.length === 0) return 0;
    const { ok, failed } = await publishRows(js, t, rows, nats.publishTimeoutMs ?? 5000, tracer);
    await markPublished(db.k, ok);
    metrics.published.inc({ transport: 'nats' }, ok.length);
    if (failed.length) {
      // NATS is unreachable: leave the rows in the outbox and try again after a pause.
      await releaseClaims(db.k, failed, Math.max(pollMs, 1000));
      logger.warn({ failed: failed.length }, 'publishing to NATS failed; events stay in the outbox');
      return 0;
    }
    return rows.length;
  }

  async function work(): Promise<boolean> {
    let n: number;
    if (nats) n = await publishBatch();
    else {
      n = await fanOut(db, subscribers, batch);
      if (n) metrics.published.inc({ transport: 'in-process' }, n);
    }
    const delivered = await deliverBatch();
    return n > 0 || delivered > 0;
  }

  const pump = createPump('event-relay', work, pollMs, logger);
  let unsubscribe: (() => void) | undefined;
  let consumers: ConsumerLoop[] = [];
  let started = false;

  return {
    transport: nats ? 'nats' : 'in-process',
    async start() {
      if (started) return;
      started = true;
      if (nats && t) {
        await ensureTopology(nats.connection, t, subscribers, leaseMs);
        const handle = (s: Subscriber) => (event: EventEnvelope, count: number) => attempt(s, event, count);
        consumers = await Promise.all(
          subscribers.map((s) => startConsumer(nats.connection, t, s, concurrency, handle(s), logger)),
        );
      }
      unsubscribe = onOutboxAppended(() => pump.wake());
      pump.start();
    },
    wake: () => pump.wake(),
    async stop(graceMs = 5_000) {
      if (!started) return;
      started = false;
      unsubscribe?.();
      await pump.stop(graceMs);
      await Promise.all(consumers.map((c) => c.stop()));
      consumers = [];
    },
  };
}
