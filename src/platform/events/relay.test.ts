import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  effectCounts,
  newMetrics,
  openEventsDb,
  produce,
  quietLogger,
  type RecordingSubscriber,
  recordEffect,
  recordingSubscriber,
  waitFor,
} from '../../../test/support/events-harness.ts';
import type { TestDb } from '../../../test/support/test-db.ts';
import { afterCommit, type Db, statementsIn } from '../db/db.ts';
import type { EventEnvelope } from './envelope.ts';
import { once } from './inbox.ts';
import { appendEvents, eventsInStatement } from './outbox.ts';
import { createRelay, type Relay } from './relay.ts';
import { listDeadLetters, retryDeadLetter } from './relay-store.ts';

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
  // Earlier tests' events are published already; start each test from an empty outbox.
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

describe('outbox and in-process relay', () => {
  it('[REQ-EVT-001] appendEvents writes the envelope in the producer transaction; a rollback writes nothing', async () => {
    const before = await sql<{ n: number }>`select count(*)::int as n from platform.outbox`.execute(db.k);
    await expect(
      db.transaction(async (tx) => {
        await appendEvents(tx, { requestId: 'req-1', actor: { kind: 'anonymous' } }, [
          { type: 'test.thing.happened', aggregateId: 'agg_x', payload: { a: 1 } },
        ]);
        throw new Error('rollback');
      }),
    ).rejects.toThrow('rollback');
    const after = await sql<{ n: number }>`select count(*)::int as n from platform.outbox`.execute(db.k);
    expect(after.rows[0]?.n).toBe(before.rows[0]?.n);
    const [e] = await db.transaction((tx) =>
      appendEvents(tx, { requestId: 'req-2', actor: { kind: 'anonymous' }, traceparent: 'tp' }, [
        { type: 'test.thing.happened', aggregateId: 'agg_y', payload: { a: 2 }, id: 'evt_fixed_1' },
      ]),
    );
    expect(e).toMatchObject({ id: 'evt_fixed_1', version: 1, aggregateId: 'agg_y', correlationId: 'req-2' });
    const row = await sql<{ type: string; traceparent: string; payload: unknown }>`
      select type, traceparent, payload from platform.outbox where id = 'evt_fixed_1'`.execute(db.k);
    expect(row.rows).toEqual([{ type: 'test.thing.happened', traceparent: 'tp', payload: { a: 2 } }]);
  });

  it('[REQ-EVT-001] eventsInStatement: a guarded change and its events in one statement; no match writes no event', async () => {
    await sql`create table if not exists public.things (id text primary key, state text not null)`.execute(db.k);
    await sql`insert into public.things values ('th_1', 'new') on conflict (id) do update set state = 'new'`.execute(
      db.k,
    );
    const ctx = { requestId: 'req-3', actor: { kind: 'anonymous' as const } };
    const change = (from: string) => {
      const events = eventsInStatement(ctx, [
        { type: 'test.thing.happened', aggregateId: 'th_1', payload: { to: 'done' } },
        { type: 'test.thing.finished', aggregateId: 'th_1', payload: { n: 2 } },
      ]);
      const run = sql<{
        prev: string;
      }>`with p as (select id, state as prev from public.things where id = 'th_1' for update),
        u as (update public.things t set state = 'done' from p where t.id = p.id and t.state = ${from} returning p.prev),
        events as (${events.cte('u', sql`jsonb_build_object('from', u.prev)`)})
        select prev from u`.execute(db.k);
      return { events, run };
    };
    const count = async () =>
      (
        await sql<{ n: number }>`select count(*)::int as n from platform.outbox where aggregate_id = 'th_1'`.execute(
          db.k,
        )
      ).rows[0]?.n;
    const missed = change('elsewhere');
    expect((await missed.run).rows).toEqual([]);
    expect(await count()).toBe(0);
    const hit = change('new');
    expect((await hit.run).rows).toEqual([{ prev: 'new' }]);
    const rows = await sql<{ id: string; type: string; correlation_id: string; payload: unknown }>`
      select id, type, correlation_id, payload from platform.outbox where aggregate_id = 'th_1' order by seq`.execute(
      db.k,
    );
    expect(rows.rows).toEqual([
      {
        id: hit.events.envelopes[0]?.id,
        type: 'test.thing.happened',
        correlation_id: 'req-3',
        payload: { to: 'done', from: 'new' },
      },
      {
        id: hit.events.envelopes[1]?.id,
        type: 'test.thing.finished',
        correlation_id: 'req-3',
        payload: { n: 2, from: 'new' },
      },
    ]);
    // The same statement again matches nothing (the state moved on): still two events.
    expect((await change('new').run).rows).toEqual([]);
    expect(await count()).toBe(2);
  });

  it('[REQ-EVT-002] crash between commit and dispatch: a relay started later delivers the committed events', async () => {
    const s = recordingSubscriber(db, 'test.crash_a');
    // The first process committed and died before its relay ran: nothing was dispatched.
    const dead = relay([s]).relay;
    const ids = await produce(db, 25, { perTx: 5 });
    expect(s.calls).toBe(0);
    await dead.stop();
    const { relay: fresh } = relay([s]);
    await fresh.start();
    await waitFor(async () => (await effectCounts(db, 'test.crash_a')).distinct === 25);
    expect(await effectCounts(db, 'test.crash_a')).toEqual({ rows: 25, distinct: 25 });
    expect(new Set(s.seen.map((e) => e.id))).toEqual(new Set(ids));
  });

  it('[REQ-EVT-002] a relay that dies while a handler runs: the delivery is retried after its lease expires', async () => {
    let hang = true;
    const stuck = recordingSubscriber(db, 'test.crash_b');
    const original = stuck.handle;
    stuck.handle = async (e) => {
      if (hang) return new Promise<void>(() => {}); // the process "dies" inside the handler
      return original(e);
    };
    const a = relay([stuck], { leaseMs: 300 }).relay;
    await a.start();
    await produce(db, 1);
    await new Promise((r) => setTimeout(r, 100));
    await a.stop(10);
    hang = false;
    const { relay: b } = relay([stuck], { leaseMs: 300 });
    await b.start();
    await waitFor(async () => (await effectCounts(db, 'test.crash_b')).rows === 1);
    expect(await effectCounts(db, 'test.crash_b')).toEqual({ rows: 1, distinct: 1 });
  });

  it('[REQ-EVT-003] the relay is woken right after commit, not by its poll', async () => {
    const s = recordingSubscriber(db, 'test.wake');
    const { relay: r } = relay([s], { pollMs: 60_000 });
    await r.start();
    await new Promise((res) => setTimeout(res, 50)); // the first (empty) round is over
    const started = Date.now();
    await produce(db, 3);
    await waitFor(() => s.seen.length === 3, 5_000, 5);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('[REQ-EVT-003] a woken round that leaves nothing runs no second one; an ordered aggregate is delivered in one wake-up', async () => {
    const seen: string[] = [];
    const plain = {
      name: 'test.rounds',
      eventTypes: ['test.rounds.happened'],
      handle: async (e: EventEnvelope) => void seen.push(e.id),
    };
    const inOrder = { ...plain, name: 'test.rounds_ordered', eventTypes: ['test.rounds.ordered'], ordered: true };
    const { relay: r } = relay([plain, inOrder], { pollMs: 60_000 });
    await r.start();
    await new Promise((res) => setTimeout(res, 50)); // the first (empty) round is over
    // The relay's statements: all of the database's, less those of this test's own context, once the relay's run
    // (with every round it asked for) is over.
    const relayStatements = async (fn: () => Promise<void>) => {
      const before = db.queryCount();
      const own = await statementsIn(fn);
      await r.idle();
      return db.queryCount() - before - own;
    };
    const drained = () =>
      waitFor(async () => {
        const n = await sql<{ n: number }>`select count(*)::int as n from platform.event_deliveries`.execute(db.k);
        return n.rows[0]?.n === 0;
      });
    // One event: fan-out, claim, completion. Nothing was left, so no second fan-out or claim follows.
    const one = await relayStatements(async () => {
      await produce(db, 1, { type: 'test.rounds.happened' });
      await waitFor(() => seen.length === 1, 2_000, 5);
      await drained();
    });
    // Two events of one aggregate for an ordered subscriber: the second is due only once the first is done, so the
    // relay claims again at once (no fan-out), then once more to find nothing; no poll is waited for.
    const ordered = await relayStatements(async () => {
      const ids = await produce(db, 2, { type: 'test.rounds.ordered', aggregates: 1 });
      await waitFor(() => seen.length === 3, 2_000, 5);
      expect(seen.slice(1)).toEqual(ids);
      await drained();
    });
    await r.stop();
    expect({ one, ordered }).toEqual({ one: 3, ordered: 6 });
  });

  it('[REQ-EVT-003] afterCommit hooks run once after commit, never after a rollback', async () => {
    const calls: string[] = [];
    await db.transaction(async (tx) => {
      afterCommit(tx, () => calls.push('committed'));
      expect(calls).toEqual([]);
    });
    await expect(
      db.transaction(async (tx) => {
        afterCommit(tx, () => calls.push('rolled back'));
        throw new Error('no');
      }),
    ).rejects.toThrow('no');
    expect(calls).toEqual(['committed']);
  });

  it('[REQ-EVT-004] failures retry with backoff; after maxAttempts a dead letter, a metric, and a retry delivers it', async () => {
    let failing = true;
    const s = recordingSubscriber(db, 'test.dlq', { fail: () => failing });
    const { relay: r, metrics } = relay([s], { maxAttempts: 3 });
    await r.start();
    const [id] = await produce(db, 1);
    await waitFor(async () => (await listDeadLetters(db.k, 10)).some((d) => d.event_id === id));
    expect(s.calls).toBe(3);
    const [dl] = (await listDeadLetters(db.k, 10)).filter((d) => d.event_id === id);
    expect(dl).toMatchObject({ subscriber: 'test.dlq', attempts: 3, event: { id, type: 'test.thing.happened' } });
    expect(dl?.last_error).toContain('failed on purpose');
    const metric = await metrics.registry.getSingleMetricAsString('events_dead_lettered_total');
    expect(metric).toContain('events_dead_lettered_total{subscriber="test.dlq"} 1');
    const pending = await sql<{ n: number }>`select count(*)::int as n from platform.event_deliveries`.execute(db.k);
    expect(pending.rows[0]?.n).toBe(0);
    failing = false;
    expect(await retryDeadLetter(db, dl?.id ?? '')).toBe(true);
    r.wake();
    await waitFor(async () => (await effectCounts(db, 'test.dlq')).rows === 1);
    expect(await listDeadLetters(db.k, 10)).toEqual([]);
    expect(await retryDeadLetter(db, dl?.id ?? '')).toBe(false);
  });

  it('[REQ-EVT-005] an ordered subscriber sees each aggregate in order, even when deliveries fail and retry', async () => {
    const s = recordingSubscriber(db, 'test.ordered', {
      ordered: true,
      fail: (e, calls) => calls % 3 === 0 && Number((e.payload as { k: number }).k) % 2 === 0,
    });
    const { relay: r } = relay([s], { maxAttempts: 20 });
    await r.start();
    await produce(db, 60, { aggregates: 4, perTx: 7 });
    await waitFor(() => s.seen.length === 60);
    for (let a = 0; a < 4; a++) {
      const ks = s.seen.filter((e) => e.aggregateId === `agg_${a}`).map((e) => (e.payload as { k: number }).k);
      expect(ks).toEqual([...ks].sort((x, y) => x - y));
      expect(ks.length).toBe(15);
    }
  });

  it('[REQ-EVT-006] the same event delivered 5 times concurrently: the effect happens once', async () => {
    const s = recordingSubscriber(db, 'test.inbox');
    const [event] = await db.transaction((tx) =>
      appendEvents(tx, undefined, [{ type: 'test.thing.happened', aggregateId: 'agg_i', payload: {} }]),
    );
    if (!event) throw new Error('no event');
    await Promise.all(Array.from({ length: 5 }, () => s.handle(event)));
    expect(s.calls).toBe(5);
    expect(await effectCounts(db, 'test.inbox')).toEqual({ rows: 1, distinct: 1 });
    const again = await db.transaction((tx) => once(tx, 'test.inbox', event.id));
    expect(again).toBe(false);
  });
});

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
        for (const e of events) await recordEffect(tx, name, e);
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
