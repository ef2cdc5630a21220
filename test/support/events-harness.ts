// Helpers for the event, job and saga tests: a migrated database, a producer and a subscriber whose
// effect is a row in a test table (guarded by the inbox), so "effect once" is a COUNT query.
import { sql } from 'kysely';
import { PLATFORM_MIGRATIONS } from '../../src/app.ts';
import type { Db, Tx } from '../../src/platform/db/db.ts';
import { migrate } from '../../src/platform/db/migrate.ts';
import type { EventEnvelope } from '../../src/platform/events/envelope.ts';
import { once } from '../../src/platform/events/inbox.ts';
import { appendEvents } from '../../src/platform/events/outbox.ts';
import type { Subscriber } from '../../src/platform/events/subscriber.ts';
import { createLogger } from '../../src/platform/observability/logger.ts';
import { createMetrics } from '../../src/platform/observability/metrics.ts';
import { openTestDb, type TestDb } from './test-db.ts';

export const quietLogger = createLogger('silent');
export const newMetrics = () => createMetrics({ defaultMetrics: false });

export async function openEventsDb(options: { kind?: 'postgres' | 'pglite'; poolMax?: number } = {}): Promise<TestDb> {
  const t = await openTestDb(options);
  await migrate(t.db, [PLATFORM_MIGRATIONS]);
  await sql`create schema evt_test`.execute(t.db.k);
  await sql`create table evt_test.effects (subscriber text not null, event_id text not null, aggregate_id text not null,
    at timestamptz not null default clock_timestamp())`.execute(t.db.k);
  return t;
}

/** Appends `n` events (type `test.thing.happened`) in transactions of `perTx`, over `aggregates` aggregates. */
export async function produce(
  db: Db,
  n: number,
  options: { perTx?: number; aggregates?: number; type?: string; prefix?: string } = {},
): Promise<string[]> {
  const perTx = options.perTx ?? 500;
  const ids: string[] = [];
  for (let i = 0; i < n; i += perTx) {
    const chunk = Array.from({ length: Math.min(perTx, n - i) }, (_, j) => {
      const k = i + j;
      return {
        type: options.type ?? 'test.thing.happened',
        aggregateId: `agg_${k % (options.aggregates ?? n)}`,
        payload: { k },
      };
    });
    const written = await db.transaction((tx) => appendEvents(tx, undefined, chunk));
    ids.push(...written.map((e) => e.id));
  }
  return ids;
}

/** The test effect of `event` for subscriber `name`, once (guarded by the inbox), in the caller's transaction. */
export async function recordEffect(tx: Tx, name: string, event: EventEnvelope): Promise<void> {
  if (!(await once(tx, name, event.id))) return;
  await sql`insert into evt_test.effects (subscriber, event_id, aggregate_id)
    values (${name}, ${event.id}, ${event.aggregateId})`.execute(tx);
}

export interface RecordingSubscriber extends Subscriber {
  calls: number;
  seen: EventEnvelope[];
}

/** A subscriber whose effect (a row in evt_test.effects) is guarded by the inbox. */
export function recordingSubscriber(
  db: Db,
  name: string,
  options: { ordered?: boolean; types?: string[]; fail?: (e: EventEnvelope, calls: number) => boolean } = {},
): RecordingSubscriber {
  const s: RecordingSubscriber = {
    name,
    eventTypes: options.types ?? ['test.thing.happened'],
    ...(options.ordered ? { ordered: true } : {}),
    calls: 0,
    seen: [],
    async handle(event) {
      s.calls++;
      if (options.fail?.(event, s.calls)) throw new Error(`handler ${name} failed on purpose`);
      await db.transaction((tx) => recordEffect(tx, name, event));
      s.seen.push(event);
    },
  };
  return s;
}

export async function effectCounts(db: Db, subscriber: string): Promise<{ rows: number; distinct: number }> {
  const r = await sql<{ rows: number; distinct: number }>`
    select count(*)::int as rows, count(distinct event_id)::int as distinct
    from evt_test.effects where subscriber = ${subscriber}`.execute(db.k);
  return r.rows[0] ?? { rows: 0, distinct: 0 };
}

export async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs = 15_000, stepMs = 20): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}
