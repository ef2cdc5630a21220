// Relay benchmark: drain throughput (events/s) and commit→handler latency (p50/p99), in-process and
// through NATS JetStream.
//   node --experimental-strip-types bench/relay.ts
// Env: BENCH_DATABASE_URL (PostgreSQL base URL; a scratch database is created and dropped; absent →
// in-memory PGlite), BENCH_NATS_URL (absent → NATS part skipped), BENCH_EVENTS (default 5000),
// BENCH_LATENCY_EVENTS (default 300).
import { randomBytes } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { PLATFORM_MIGRATIONS } from '../src/app.ts';
import type { Db } from '../src/platform/db/db.ts';
import { migrate } from '../src/platform/db/migrate.ts';
import { openPglite } from '../src/platform/db/pglite.ts';
import { openPostgres } from '../src/platform/db/postgres.ts';
import { once } from '../src/platform/events/inbox.ts';
import { appendEvents } from '../src/platform/events/outbox.ts';
import { createRelay, type RelayOptions } from '../src/platform/events/relay.ts';
import { createLogger } from '../src/platform/observability/logger.ts';
import { createMetrics } from '../src/platform/observability/metrics.ts';
import { createPostgresDatabase } from '../test/support/test-db.ts';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 5000);
const LATENCY_EVENTS = Number(process.env.BENCH_LATENCY_EVENTS ?? 300);
const logger = createLogger('silent');

async function openDb(): Promise<{ db: Db; kind: string; dispose: () => Promise<void> }> {
  const base = process.env.BENCH_DATABASE_URL;
  if (!base) {
    const db = await openPglite({ dataDir: undefined });
    return { db, kind: 'pglite (in-memory)', dispose: () => db.close() };
  }
  const created = await createPostgresDatabase(base);
  const db = await openPostgres({ url: created.url, max: 10 });
  return {
    db,
    kind: 'postgresql',
    dispose: async () => {
      await db.close();
      await created.drop();
    },
  };
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? Number.NaN;
};

async function run(label: string, db: Db, relayOptions: Omit<RelayOptions, 'pollMs'>) {
  const handledAt = new Map<string, number>();
  let handled = 0;
  const subscriber = {
    name: `bench.${label.replace(/\W/g, '_')}`,
    eventTypes: ['bench.thing.happened'],
    async handle(e: { id: string }) {
      await db.transaction(async (tx) => {
        await once(tx, subscriber.name, e.id);
      });
      handledAt.set(e.id, performance.now());
      handled++;
    },
  };
  const relay = createRelay(
    { db, logger, metrics: createMetrics({ defaultMetrics: false }), subscribers: [subscriber] },
    { pollMs: 200, batchSize: 500, ...relayOptions },
  );
  // 1. Drain throughput: EVENTS committed while the relay is down, then timed until all are handled.
  for (let i = 0; i < EVENTS; i += 500) {
    const chunk = Array.from({ length: Math.min(500, EVENTS - i) }, (_, j) => ({
      type: 'bench.thing.happened',
      aggregateId: `agg_${(i + j) % 1000}`,
      payload: { k: i + j },
    }));
    await db.transaction((tx) => appendEvents(tx, undefined, chunk));
  }
  const t0 = performance.now();
  await relay.start();
  while (handled < EVENTS) await new Promise((r) => setTimeout(r, 5));
  const drainMs = performance.now() - t0;
  // 2. Latency: one event per transaction, 5 ms apart; commit → handler start of the effect.
  const committedAt = new Map<string, number>();
  for (let i = 0; i < LATENCY_EVENTS; i++) {
    const [e] = await db.transaction((tx) =>
      appendEvents(tx, undefined, [{ type: 'bench.thing.happened', aggregateId: `lat_${i}`, payload: {} }]),
    );
    if (e) committedAt.set(e.id, performance.now());
    await new Promise((r) => setTimeout(r, 5));
  }
  while (handled < EVENTS + LATENCY_EVENTS) await new Promise((r) => setTimeout(r, 5));
  await relay.stop();
  const lat = [...committedAt].map(([id, at]) => (handledAt.get(id) ?? Number.NaN) - at);
  const out = {
    transport: label,
    events: EVENTS,
    eventsPerSecond: Math.round((EVENTS / drainMs) * 1000),
    latencyP50Ms: Number(pct(lat, 50).toFixed(1)),
    latencyP99Ms: Number(pct(lat, 99).toFixed(1)),
  };
  console.log(JSON.stringify(out));
  return out;
}

const { db, kind, dispose } = await openDb();
try {
  await migrate(db, [PLATFORM_MIGRATIONS]);
  console.log(
    `database: ${kind}; events: ${EVENTS}; latency samples: ${LATENCY_EVENTS}; handler: inbox insert in its own transaction`,
  );
  await run('in-process', db, {});
  const natsUrl = process.env.BENCH_NATS_URL;
  if (natsUrl) {
    const u = new URL(natsUrl);
    const nc = await connect({ servers: `${u.hostname}:${u.port || 4222}` });
    const stream = `bench_${randomBytes(4).toString('hex')}`;
    try {
      await run('nats-jetstream', db, { nats: { connection: nc, stream } });
    } finally {
      const jsm = await jetstreamManager(nc);
      await jsm.streams.delete(stream).catch(() => {});
      await nc.close();
    }
  } else {
    console.log('BENCH_NATS_URL not set: NATS part skipped');
  }
} finally {
  await dispose();
}
