// The relay through NATS JetStream (nats-server 2.9): at-least-once to every subscriber across
// relay instances, de-duplication by event id, and events waiting in the outbox while NATS is down.
import { randomBytes } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureTopology, startConsumer, topology } from '../../src/platform/events/nats-transport.ts';
import { createRelay, type Relay } from '../../src/platform/events/relay.ts';
import {
  effectCounts,
  newMetrics,
  openEventsDb,
  produce,
  quietLogger,
  recordingSubscriber,
  waitFor,
} from '../support/events-harness.ts';
import { needsNats, TEST_NATS_URL } from '../support/services.ts';
import { tcpProxy } from '../support/tcp-proxy.ts';
import type { TestDb } from '../support/test-db.ts';

const natsHostPort = () => {
  const u = new URL(TEST_NATS_URL ?? 'nats://127.0.0.1:4222');
  return { host: u.hostname, port: Number(u.port || 4222) };
};

let t: TestDb | undefined;
const connections: NatsConnection[] = [];
const relays: Relay[] = [];
const streams: string[] = [];
beforeAll(async () => {
  if (TEST_NATS_URL) t = await openEventsDb();
});
afterAll(async () => {
  for (const r of relays) await r.stop(100);
  const admin = connections[0];
  if (admin) {
    const jsm = await jetstreamManager(admin);
    for (const s of streams) await jsm.streams.delete(s).catch(() => {});
  }
  for (const c of connections) await c.close().catch(() => {});
  await t?.dispose();
});

async function nats(port?: number): Promise<NatsConnection> {
  const { host, port: p } = natsHostPort();
  const nc = await connect({
    servers: `${host}:${port ?? p}`,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 100,
    // Only the given address: never a server URL learned from INFO (that would bypass the test's proxy).
    ignoreClusterUpdates: true,
  });
  connections.push(nc);
  return nc;
}

function newStream(): string {
  const s = `test_${randomBytes(5).toString('hex')}`;
  streams.push(s);
  return s;
}

describe('relay through NATS JetStream', () => {
  it.skipIf(!TEST_NATS_URL)(
    `[REQ-EVT-008] two relay processes: every subscriber gets every event, effects once; duplicates are dropped by msgID ${needsNats}`,
    async () => {
      const db = (t as TestDb).db;
      const stream = newStream();
      const instances = await Promise.all(
        [0, 1].map(async () => {
          const a = recordingSubscriber(db, 'test.nats_a');
          const b = recordingSubscriber(db, 'test.nats_b', { ordered: true });
          const relay = createRelay(
            { db, logger: quietLogger, metrics: newMetrics(), subscribers: [a, b] },
            { pollMs: 50, nats: { connection: await nats(), stream } },
          );
          relays.push(relay);
          return { a, b, relay };
        }),
      );
      for (const i of instances) await i.relay.start();
      const ids = await produce(db, 200, { perTx: 50, aggregates: 20 });
      await waitFor(
        async () => {
          const [a, b] = await Promise.all([effectCounts(db, 'test.nats_a'), effectCounts(db, 'test.nats_b')]);
          return a.distinct === 200 && b.distinct === 200;
        },
        30_000,
        100,
      );
      // A relay that crashed after publishing but before marking the rows publishes them again:
      // JetStream drops the duplicates (same msgID), so the stream still holds each event once.
      await sql`update platform.outbox set published_at = null where id = any(${ids.slice(0, 50)}::text[])`.execute(
        db.k,
      );
      instances[0]?.relay.wake();
      await waitFor(async () => {
        const r = await sql<{
          n: number;
        }>`select count(*)::int as n from platform.outbox where published_at is null`.execute(db.k);
        return r.rows[0]?.n === 0;
      });
      const jsm = await jetstreamManager(connections[0] as NatsConnection);
      expect((await jsm.streams.info(stream)).state.messages).toBe(200);
      await new Promise((r) => setTimeout(r, 300));
      expect(await effectCounts(db, 'test.nats_a')).toEqual({ rows: 200, distinct: 200 });
      expect(await effectCounts(db, 'test.nats_b')).toEqual({ rows: 200, distinct: 200 });
      // The ordered subscriber saw each aggregate in order (event ids are time-ordered at production).
      const order = await sql<{ bad: number }>`
        select count(*)::int as bad from (
          select event_id, lag(event_id) over (partition by aggregate_id order by at) as prev
          from evt_test.effects where subscriber = 'test.nats_b') x
        where prev is not null and prev > event_id`.execute(db.k);
      expect(order.rows[0]?.bad).toBe(0);
      expect(instances.every((i) => i.a.seen.length > 0) || instances.some((i) => i.a.seen.length === 200)).toBe(true);
    },
    60_000,
  );

  it.skipIf(!TEST_NATS_URL)(
    `[REQ-EVT-008] a consumer stopped before its pull is set up stops, and the next relay on the stream handles every event once ${needsNats}`,
    async () => {
      const db = (t as TestDb).db;
      for (const r of relays.splice(0)) await r.stop(100); // the previous tests' relays share this database
      const stream = newStream();
      const subscribers = () => [
        recordingSubscriber(db, 'test.nats_quick_a'),
        recordingSubscriber(db, 'test.nats_quick_b', { ordered: true }),
      ];
      const nc = await nats();
      const tp = topology(stream);
      await ensureTopology(nc, tp, subscribers(), 30_000);
      // Stopped in the same tick as it starts: its pull is made a NATS round trip later, after the stop. Such a pull
      // used to stay open for ever, and the stop with it.
      const loops = await Promise.all(
        subscribers().map((s) => startConsumer(nc, tp, s, 4, async () => ({ kind: 'ack' }), quietLogger)),
      );
      let timer: NodeJS.Timeout | undefined;
      const outcome = await Promise.race([
        Promise.all(loops.map((l) => l.stop())).then(() => 'stopped'),
        new Promise((r) => (timer = setTimeout(() => r('still stopping after 15 s'), 15_000))),
      ]);
      clearTimeout(timer);
      expect(outcome).toBe('stopped');

      const relay = createRelay(
        { db, logger: quietLogger, metrics: newMetrics(), subscribers: subscribers() },
        { pollMs: 50, nats: { connection: nc, stream } },
      );
      relays.push(relay);
      await relay.start();
      await produce(db, 30, { perTx: 10, aggregates: 5 });
      const names = ['test.nats_quick_a', 'test.nats_quick_b'];
      await waitFor(async () =>
        (await Promise.all(names.map((n) => effectCounts(db, n)))).every((c) => c.distinct === 30),
      );
      for (const n of names) expect(await effectCounts(db, n)).toEqual({ rows: 30, distinct: 30 });
      await relay.stop(100);
    },
    60_000,
  );

  it.skipIf(!TEST_NATS_URL)(
    `[REQ-EVT-008] a relay stopped while it attaches to NATS leaves nothing running ${needsNats}`,
    async () => {
      const db = (t as TestDb).db;
      for (const r of relays.splice(0)) await r.stop(100); // the previous tests' relays share this database
      const stream = newStream();
      const nc = await nats();
      const late = recordingSubscriber(db, 'test.nats_late_a');
      const stopped = createRelay(
        { db, logger: quietLogger, metrics: newMetrics(), subscribers: [late] },
        { pollMs: 50, nats: { connection: nc, stream } },
      );
      // The stop lands while start() still awaits the stream and consumers: it finds none to stop.
      const starting = stopped.start();
      await stopped.stop(100);
      await starting;

      const other = recordingSubscriber(db, 'test.nats_late_b');
      const running = createRelay(
        { db, logger: quietLogger, metrics: newMetrics(), subscribers: [other] },
        { pollMs: 50, nats: { connection: nc, stream } },
      );
      relays.push(running);
      await running.start();
      await produce(db, 10, { perTx: 10 });
      await waitFor(async () => (await effectCounts(db, 'test.nats_late_b')).distinct === 10);
      await new Promise((r) => setTimeout(r, 500));
      // The stopped relay's consumer exists on the stream and its events wait there, but nothing of it handles them.
      expect(late.seen.length).toBe(0);
      expect(await effectCounts(db, 'test.nats_late_a')).toEqual({ rows: 0, distinct: 0 });
      await running.stop(100);
    },
    60_000,
  );

  it.skipIf(!TEST_NATS_URL)(
    `[REQ-EVT-009] NATS down while events are produced: they wait in the outbox and drain when it is back ${needsNats}`,
    async () => {
      const db = (t as TestDb).db;
      for (const r of relays.splice(0)) await r.stop(100); // the previous test's relays share this database
      const target = natsHostPort();
      // A TCP proxy in front of NATS that the test can "stop" and "start".
      const proxy = await tcpProxy(target);
      const port = proxy.port;
      const nc = await nats(port);
      const stream = newStream();
      const s = recordingSubscriber(db, 'test.nats_outage');
      const relay = createRelay(
        { db, logger: quietLogger, metrics: newMetrics(), subscribers: [s] },
        { pollMs: 50, nats: { connection: nc, stream, publishTimeoutMs: 300 } },
      );
      relays.push(relay);
      await relay.start();

      // NATS goes away.
      await proxy.stop();
      const ids = await produce(db, 60, { perTx: 20 });
      await new Promise((r) => setTimeout(r, 1_000));
      const waiting = await sql<{ n: number }>`select count(*)::int as n from platform.outbox
        where published_at is null and id = any(${ids}::text[])`.execute(db.k);
      expect(waiting.rows[0]?.n).toBe(60);
      expect(s.seen.length).toBe(0);

      // NATS is back on the same address: the outbox drains, nothing lost, nothing twice.
      await proxy.start();
      await waitFor(async () => (await effectCounts(db, 'test.nats_outage')).distinct === 60, 30_000);
      expect(await effectCounts(db, 'test.nats_outage')).toEqual({ rows: 60, distinct: 60 });
      const left = await sql<{ n: number }>`select count(*)::int as n from platform.outbox
        where published_at is null`.execute(db.k);
      expect(left.rows[0]?.n).toBe(0);
      await relay.stop(100);
      await proxy.stop();
    },
    60_000,
  );
});
