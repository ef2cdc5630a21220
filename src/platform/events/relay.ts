// The relay: moves committed outbox rows to subscribers, at least once.
// - In-process (no NATS): claims outbox rows (FOR UPDATE SKIP LOCKED), fans them out into one
//   delivery row per subscriber, then leases due deliveries and runs the handlers here.
// - NATS: leases outbox rows, publishes them to JetStream (msgID = event id), marks them published;
//   each subscriber reads its own durable consumer. Dead-letter retries still go through the
//   database delivery worker, in both modes.
// Failures retry with exponential backoff; after maxAttempts the delivery becomes a dead letter.
import type { JetStreamClient } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Db } from '../db/db.ts';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { Tracing } from '../observability/tracing.ts';
import { type BackoffOptions, backoffDelay } from './backoff.ts';
import type { EventEnvelope } from './envelope.ts';
import { eventMetrics } from './event-metrics.ts';
import { inConsumerSpan } from './event-tracing.ts';
// NATS's client and the transport load when the relay attaches to NATS, not with this file.
import type { ConsumerLoop, MessageOutcome, NatsTopology } from './nats-transport.ts';
import { createPump } from './pump.ts';
import {
  type ClaimedDelivery,
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
  /**
   * Distributed mode. A connection still being made (NATS was down when the process started) is attached once it
   * resolves: until then the relay publishes nothing and events wait in the outbox.
   */
  nats?: { connection: NatsConnection | Promise<NatsConnection>; stream: string; publishTimeoutMs?: number };
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
  /** Resolves once the relay has no round going on. */
  idle(): Promise<void>;
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
  /** The connection, its JetStream client and the transport, once the relay has its topology there. */
  let live:
    | {
        connection: NatsConnection;
        js: JetStreamClient;
        t: NatsTopology;
        publishRows: typeof import('./nats-transport.ts')['publishRows'];
      }
    | undefined;
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

  /** Several events at once through `handleMany`: true when it took them all, false to handle them one by one. */
  async function attemptMany(s: Subscriber, claimed: ClaimedDelivery[]): Promise<boolean> {
    if (!s.handleMany) return false;
    const events = claimed.map((d) => toEnvelope(d.row));
    try {
      await s.handleMany(events);
    } catch (e) {
      logger.warn(
        { subscriber: s.name, events: events.length, err: (e as Error)?.message },
        'batch handling failed; handling the events one at a time',
      );
      return false;
    }
    const now = Date.now();
    metrics.delivered.inc({ subscriber: s.name }, events.length);
    for (const event of events) {
      metrics.lag.observe({ subscriber: s.name }, Math.max(0, now - Date.parse(event.occurredAt)) / 1000);
    }
    return true;
  }

  /**
   * The claim's work: a subscriber with `handleMany` gets its several deliveries as one unit (tracing off, not
   * ordered); every other delivery is a unit of its own.
   */
  function unitsOf(claimed: ClaimedDelivery[]): ClaimedDelivery[][] {
    const many = new Map<string, ClaimedDelivery[]>();
    const units: ClaimedDelivery[][] = [];
    for (const d of claimed) {
      const s = byName.get(d.subscriber);
      if (s?.handleMany && !s.ordered && !tracer) {
        let unit = many.get(s.name);
        if (!unit) {
          unit = [];
          many.set(s.name, unit);
          units.push(unit);
        }
        unit.push(d);
      } else units.push([d]);
    }
    return units;
  }

  /** Runs the due deliveries: how many were claimed, and whether one was an ordered subscriber's. */
  async function deliverBatch(): Promise<{ claimed: number; ordered: boolean }> {
    const claimed = await claimDeliveries(db, names, batch, leaseMs);
    if (claimed.length === 0) return { claimed: 0, ordered: false };
    const done: Array<{ subscriber: string; eventId: string }> = [];
    const units = unitsOf(claimed);
    const one = async (s: Subscriber, d: ClaimedDelivery) => {
      const event = toEnvelope(d.row);
      const outcome = await attempt(s, event, d.attempts);
      if (outcome.kind === 'ack') done.push({ subscriber: s.name, eventId: event.id });
      else if (outcome.kind === 'retry') {
        await retryDeliveryLater(db.k, s.name, event.id, outcome.delayMs, 'handler failed');
      }
    };
    let next = 0;
    const worker = async () => {
      while (next < units.length) {
        const unit = units[next++];
        const s = unit?.[0] && byName.get(unit[0].subscriber);
        if (!unit || !s) continue;
        if (unit.length > 1 && (await attemptMany(s, unit))) {
          for (const d of unit) done.push({ subscriber: s.name, eventId: d.row.id });
        } else for (const d of unit) await one(s, d);
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, units.length) }, worker));
    await completeDeliveries(db.k, done);
    return { claimed: claimed.length, ordered: claimed.some((d) => byName.get(d.subscriber)?.ordered === true) };
  }

  async function publishBatch(): Promise<number> {
    if (!live || !nats) return 0;
    const rows = await claimForPublish(db, batch, leaseMs);
    if (rows.length === 0) return 0;
    const { ok, failed } = await live.publishRows(live.js, live.t, rows, nats.publishTimeoutMs ?? 5000, tracer);
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

  /** Whether the last fan-out took a full batch, so outbox rows may be waiting still. */
  let fanOutFull = false;

  /**
   * One round: fan out (or publish) the outbox, then run the due deliveries. It asks for another round only when this
   * one may have left work: a full batch, or an ordered subscriber's delivery done (the next one of that aggregate is
   * due now). Events appended meanwhile wake the relay again, and the poll is the safety net; a round that runs again
   * only to pick up deliveries does not fan out again unless the last fan-out was full.
   */
  async function work(first: boolean): Promise<boolean> {
    let more = false;
    if (nats) more = (await publishBatch()) > 0;
    else if (first || fanOutFull) {
      const n = await fanOut(db, subscribers, batch);
      if (n) metrics.published.inc({ transport: 'in-process' }, n);
      fanOutFull = n >= batch;
      more = fanOutFull;
    }
    const delivered = await deliverBatch();
    return more || delivered.claimed >= batch || delivered.ordered;
  }

  const pump = createPump('event-relay', work, pollMs, logger);
  let unsubscribe: (() => void) | undefined;
  let consumers: ConsumerLoop[] = [];
  let started = false;

  /** The stream and consumers on this connection, then publishing through it. */
  async function attach(connection: NatsConnection): Promise<void> {
    if (!nats) return;
    const [{ jetstream }, transport] = await Promise.all([import('@nats-io/jetstream'), import('./nats-transport.ts')]);
    const t = transport.topology(nats.stream);
    await transport.ensureTopology(connection, t, subscribers, leaseMs);
    const handle = (s: Subscriber) => (event: EventEnvelope, count: number) => attempt(s, event, count);
    consumers = await Promise.all(
      subscribers.map((s) => transport.startConsumer(connection, t, s, concurrency, handle(s), logger)),
    );
    live = { connection, js: jetstream(connection), t, publishRows: transport.publishRows };
  }

  /** Stops the consumers and stops publishing through NATS (a stop, or a stop that came while attaching). */
  async function detach(): Promise<void> {
    await Promise.all(consumers.map((c) => c.stop()));
    consumers = [];
    live = undefined;
  }

  /** Waits for a connection made in the background, then attaches, retrying until it works or the relay stops. */
  async function attachLater(pending: Promise<NatsConnection>): Promise<void> {
    const connection = await pending;
    for (let tries = 1; started; tries++) {
      try {
        await attach(connection);
        if (!started) await detach();
        else logger.info('event relay attached to NATS: publishing the events that waited in the outbox');
        pump.wake();
        return;
      } catch (e) {
        const delayMs = backoffDelay(tries, { baseMs: 500, maxMs: 10_000 });
        logger.warn({ err: (e as Error)?.message, delayMs }, 'event relay could not set up NATS; will retry');
        await new Promise((r) => setTimeout(r, delayMs).unref());
      }
    }
  }

  return {
    transport: nats ? 'nats' : 'in-process',
    async start() {
      if (started) return;
      started = true;
      const connection = nats?.connection;
      if (connection instanceof Promise) {
        logger.warn('event relay started without NATS: events wait in the outbox until it is reachable');
        void attachLater(connection).catch((e: unknown) => {
          logger.warn({ err: (e as Error)?.message }, 'event relay stopped waiting for NATS');
        });
      } else if (connection) {
        await attach(connection);
        // Stopped while attaching: that stop found no consumers to stop.
        if (!started) return detach();
      }
      unsubscribe = onOutboxAppended(() => pump.wake());
      pump.start();
    },
    wake: () => pump.wake(),
    idle: () => pump.idle(),
    async stop(graceMs = 5_000) {
      if (!started) return;
      started = false;
      unsubscribe?.();
      await pump.stop(graceMs);
      await detach();
    },
  };
}
