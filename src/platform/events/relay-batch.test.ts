// Batch handling (`Subscriber.handleMany`): the in-process relay gives a subscriber a claim's events together, and
// falls back to one event at a time when the batch fails.
import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  effectCounts,
  newMetrics,
  openEventsDb,
  produce,
  quietLogger,
  type RecordingSubscriber,
  recordingSubscriber,
  waitFor,
} from '../../../test/support/events-harness.ts';
import type { TestDb } from '../../../test/support/test-db.ts';
import type { Db } from '../db/db.ts';
import type { EventEnvelope } from './envelope.ts';
import { once } from './inbox.ts';
import { createRelay, type Relay } from './relay.ts';
import { listDeadLetters } from './relay-store.ts';

let t: TestDb;
let db: Db;
const relays: Relay[] = [];
beforeAll(async () => {
  t = await openEventsDb();
  db = t.db;
});
afterAll(async () => {
  for (const r of relays) await r.stop(100);
  await t?.dispose();
});
beforeEach(async () => {
  for (const r of relays.splice(0)) await r.stop(100);
  await sql`delete from platform.event_deliveries`.execute(db.k);
  await sql`update platform.outbox set published_at = now() where published_at is null`.execute(db.k);
});

const fast = { pollMs: 50, backoff: { baseMs: 10, maxMs: 40 }, leaseMs: 5_000 };
function relay(subscribers: Parameters<typeof createRelay>[0]['subscribers'], options = {}) {
  const metrics = newMetrics();
  const r = createRelay({ db, logger: quietLogger, metrics, subscribers }, { ...fast, ...options });
  relays.push(r);
  return { relay: r, metrics };
}

/** A recording subscriber that also takes batches: each event's effect in one transaction for the whole batch. */
function batching(name: string, options: { failBatch?: () => boolean; fail?: (e: EventEnvelope) => boolean } = {}) {
  const s = recordingSubscriber(db, name, options.fail ? { fail: (e) => options.fail?.(e) ?? false } : {});
  const batches: number[] = [];
  const withMany: RecordingSubscriber & { batches: number[] } = Object.assign(s, {
    batches,
    async handleMany(events: EventEnvelope[]) {
      batches.push(events.length);
      if (options.failBatch?.()) throw new Error('batch failed on purpose');
      await db.transaction(async (tx) => {
        for (const e of events) {
          if (!(await once(tx, name, e.id))) continue;
          await sql`insert into evt_test.effects (subscriber, event_id, aggregate_id)
            values (${name}, ${e.id}, ${e.aggregateId})`.execute(tx);
        }
      });
      s.seen.push(...events);
    },
  });
  return withMany;
}

const pending = async () =>
  (await sql<{ n: number }>`select count(*)::int as n from platform.event_deliveries`.execute(db.k)).rows[0]?.n;

describe('batch handling in the in-process relay', () => {
  it('[REQ-EVT-027] a claim of 40 events reaches handleMany in batches, in outbox order, each effect once', async () => {
    const s = batching('test.batch_ok');
    const ids = await produce(db, 40, { perTx: 40 });
    const { relay: r, metrics } = relay([s]);
    await r.start();
    await waitFor(async () => (await effectCounts(db, 'test.batch_ok')).rows === 40);
    await waitFor(async () => (await pending()) === 0);
    expect(await effectCounts(db, 'test.batch_ok')).toEqual({ rows: 40, distinct: 40 });
    expect(s.calls).toBe(0); // handle() was never needed
    expect(s.batches.reduce((a, b) => a + b, 0)).toBe(40);
    expect(Math.max(...s.batches)).toBeGreaterThan(1);
    expect(s.seen.map((e) => e.id)).toEqual(ids);
    const delivered = await metrics.registry.getSingleMetricAsString('events_delivered_total');
    expect(delivered).toContain('events_delivered_total{subscriber="test.batch_ok"} 40');
  });

  it('[REQ-EVT-027] a failing batch falls back to one event at a time: only the bad event retries and dead-letters', async () => {
    let bad = '';
    const s = batching('test.batch_fail', { failBatch: () => true, fail: (e) => e.id === bad });
    const ids = await produce(db, 12, { perTx: 12 });
    bad = ids[5] ?? '';
    const { relay: r } = relay([s], { maxAttempts: 2 });
    await r.start();
    await waitFor(async () => (await listDeadLetters(db.k, 50)).some((d) => d.event_id === bad));
    await waitFor(async () => (await pending()) === 0);
    expect(await effectCounts(db, 'test.batch_fail')).toEqual({ rows: 11, distinct: 11 });
    const effects = await sql<{ event_id: string }>`
      select event_id from evt_test.effects where subscriber = 'test.batch_fail'`.execute(db.k);
    expect(effects.rows.map((e) => e.event_id)).not.toContain(bad);
    expect((await listDeadLetters(db.k, 50)).filter((d) => d.subscriber === 'test.batch_fail')).toHaveLength(1);
    expect(s.batches[0]).toBe(12);
  });

  it('[REQ-EVT-027] an ordered subscriber is never given a batch', async () => {
    const s = Object.assign(batching('test.batch_ordered'), { ordered: true });
    await produce(db, 10, { perTx: 10, aggregates: 2 });
    const { relay: r } = relay([s]);
    await r.start();
    await waitFor(async () => (await effectCounts(db, 'test.batch_ordered')).rows === 10);
    expect(s.batches).toEqual([]);
    expect(s.calls).toBe(10);
  });
});
