// NATS JetStream transport (nats-server 2.9 compatible): one stream per deployment, messages keyed
// by the event id (server-side de-duplication), one durable pull consumer per subscriber. Only
// 2.9 features are used: a single `filter_subject`, no `filter_subjects`, no consumer metadata.
import {
  AckPolicy,
  DeliverPolicy,
  type JetStreamClient,
  type JsMsg,
  jetstream,
  jetstreamManager,
  StorageType,
} from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Tracer } from '@opentelemetry/api';
import type { Logger } from '../observability/logger.ts';
import type { EventEnvelope } from './envelope.ts';
import { startPublishSpan } from './event-tracing.ts';
import type { OutboxRow } from './relay-store.ts';
import { toEnvelope } from './relay-store.ts';
import type { Subscriber } from './subscriber.ts';

const ns = (ms: number) => ms * 1_000_000;

export interface NatsTopology {
  stream: string;
  /** Subjects are `<prefix>.<event type>`. */
  prefix: string;
}

export function topology(stream: string): NatsTopology {
  return { stream, prefix: stream.toLowerCase() };
}

/** Consumer names may not contain dots, wildcards or spaces. */
export function durableName(subscriber: string): string {
  return subscriber.replace(/[^A-Za-z0-9_-]/g, '_');
}

/** Creates the stream (idempotent) and one durable consumer per subscriber. */
export async function ensureTopology(
  nc: NatsConnection,
  t: NatsTopology,
  subscribers: Subscriber[],
  ackWaitMs: number,
): Promise<void> {
  const jsm = await jetstreamManager(nc);
  try {
    await jsm.streams.info(t.stream);
  } catch {
    await jsm.streams.add({
      name: t.stream,
      subjects: [`${t.prefix}.>`],
      storage: StorageType.File,
      max_age: ns(7 * 24 * 3600 * 1000),
      duplicate_window: ns(2 * 60 * 1000),
    });
  }
  for (const s of subscribers) {
    const config = {
      durable_name: durableName(s.name),
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      filter_subject: `${t.prefix}.>`,
      ack_wait: ns(ackWaitMs),
      max_deliver: -1,
      // An ordered subscriber sees one message at a time: stream order, hence per-aggregate order.
      max_ack_pending: s.ordered ? 1 : 1000,
    };
    try {
      await jsm.consumers.info(t.stream, config.durable_name);
      await jsm.consumers.update(t.stream, config.durable_name, {
        ack_wait: config.ack_wait,
        max_ack_pending: config.max_ack_pending,
      });
    } catch {
      await jsm.consumers.add(t.stream, config);
    }
  }
}

/** Publishes rows in order on one connection; resolves with the seqs stored and those that failed. */
export async function publishRows(
  js: JetStreamClient,
  t: NatsTopology,
  rows: OutboxRow[],
  timeoutMs: number,
  tracer?: Tracer | undefined,
): Promise<{ ok: number[]; failed: number[] }> {
  const results = await Promise.allSettled(
    rows.map((r) => {
      const subject = `${t.prefix}.${r.type}`;
      const span = startPublishSpan(tracer, subject, r);
      const published = js.publish(subject, JSON.stringify(toEnvelope(r)), { msgID: r.id, timeout: timeoutMs });
      if (span)
        published.then(
          () => span.end(),
          (e: unknown) => span.end(e),
        );
      return published;
    }),
  );
  const ok: number[] = [];
  const failed: number[] = [];
  results.forEach((res, i) => {
    const seq = (rows[i] as OutboxRow).seq;
    (res.status === 'fulfilled' ? ok : failed).push(seq);
  });
  return { ok, failed };
}

export interface ConsumerLoop {
  stop(): Promise<void>;
}

export type MessageOutcome = { kind: 'ack' } | { kind: 'retry'; delayMs: number } | { kind: 'term' };

/**
 * Pulls from a subscriber's durable consumer and hands each event to `handle`, which decides
 * ack / nak with delay / term. Unordered subscribers process up to `concurrency` at once.
 */
export async function startConsumer(
  nc: NatsConnection,
  t: NatsTopology,
  subscriber: Subscriber,
  concurrency: number,
  handle: (event: EventEnvelope, deliveryCount: number) => Promise<MessageOutcome>,
  logger: Logger,
): Promise<ConsumerLoop> {
  const js = jetstream(nc);
  const consumer = await js.consumers.get(t.stream, durableName(subscriber.name));
  const limit = subscriber.ordered ? 1 : concurrency;
  const inflight = new Set<Promise<void>>();
  let stopped = false;

  const process = async (m: JsMsg) => {
    let event: EventEnvelope;
    try {
      event = JSON.parse(new TextDecoder().decode(m.data)) as EventEnvelope;
    } catch {
      logger.error({ subject: m.subject, subscriber: subscriber.name }, 'unparseable event message; terminated');
      m.term('unparseable');
      return;
    }
    if (!subscriber.eventTypes.includes(event.type)) {
      await m.ackAck().catch(() => false);
      return;
    }
    const outcome = await handle(event, m.info.deliveryCount);
    // Ordered: wait for the server to record the ack before pulling the next message, so the pull
    // is not refused with "exceeded max ack pending" (max_ack_pending is 1).
    if (outcome.kind === 'ack') await m.ackAck().catch(() => false);
    else if (outcome.kind === 'term') m.term('dead-lettered');
    else m.nak(outcome.delayMs);
  };
  const safely = (m: JsMsg) =>
    process(m).catch((e: unknown) => {
      logger.error({ err: (e as Error).message, subscriber: subscriber.name }, 'event handling crashed; nak');
      m.nak(1000);
    });

  let messages: Awaited<ReturnType<typeof consumer.consume>> | undefined;
  const loop = subscriber.ordered
    ? (async () => {
        // One message at a time, pulled only after the previous one is acknowledged.
        while (!stopped) {
          const m = await consumer.next({ expires: 1000 }).catch(async () => {
            await new Promise((r) => setTimeout(r, 500)); // NATS unreachable: do not spin
            return null;
          });
          if (m) await safely(m);
        }
      })()
    : (async () => {
        // The client resumes a pull consumer across reconnects; if the iterator still ends or fails (NATS restarted
        // without its store, consumer deleted), pull again after a pause instead of leaving the subscriber deaf.
        while (!stopped) {
          try {
            const current = await js.consumers.get(t.stream, durableName(subscriber.name));
            messages = await current.consume({ max_messages: limit });
            // A stop that came while this pull was being set up closed nothing. The close ends the iterator only once
            // it is iterated (the client queues it behind the messages), so close without waiting and iterate.
            if (stopped) messages.close().catch(() => {});
            for await (const m of messages) {
              if (stopped) continue; // not acknowledged: redelivered to a process that is not stopping
              const tracked: Promise<void> = safely(m).finally(() => inflight.delete(tracked));
              inflight.add(tracked);
              if (inflight.size >= limit) await Promise.race(inflight);
            }
          } catch (e) {
            if (!stopped)
              logger.warn({ err: (e as Error).message, subscriber: subscriber.name }, 'event consumer failed');
          }
          if (!stopped) await new Promise((r) => setTimeout(r, 1000));
        }
      })();

  return {
    async stop() {
      stopped = true;
      await messages?.close();
      await loop.catch(() => {});
      await Promise.allSettled([...inflight]);
    },
  };
}
