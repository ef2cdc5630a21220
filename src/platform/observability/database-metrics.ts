// Gauges read at scrape time: the connection pool (from the pool object, no I/O) and the event backlog (one SQL
// statement: outbox depth and age, pending in-process deliveries, dead letters). The statement is shared by every
// gauge of one scrape and bounded: when the database is slow or down the scrape answers after BACKLOG_BOUND_MS with
// the last values read (never hangs, never reports a made-up zero).
import { sql } from 'kysely';
import { Gauge } from 'prom-client';
import type { Db } from '../db/db.ts';
import type { Metrics } from './metrics.ts';

/** The longest a scrape waits for the backlog statement. */
export const BACKLOG_BOUND_MS = 1_000;
/** Gauges of one scrape share one statement: a result this recent is reused. */
const REUSE_MS = 1_000;

export interface EventBacklog {
  outboxDepth: number;
  /** Seconds since the oldest unpublished outbox event occurred (0 when none). */
  outboxOldestAge: number;
  /** In-process deliveries not yet handled, by subscriber. */
  pending: Record<string, number>;
  /** Seconds since the event of the oldest pending delivery occurred (0 when none). */
  pendingOldestAge: number;
  deadLetters: Record<string, number>;
}

/** One statement; each part reads an index or a table that is small while the relay keeps up. */
export async function readEventBacklog(k: Db['k']): Promise<EventBacklog> {
  const r = await sql<{
    depth: string | number;
    oldest: string | number | null;
    pending: Record<string, number> | string;
    pending_oldest: string | number | null;
    dead: Record<string, number> | string;
  }>`select
      (select count(*) from platform.outbox where published_at is null) as depth,
      (select extract(epoch from now() - occurred_at) from platform.outbox
        where published_at is null order by seq limit 1) as oldest,
      (select coalesce(json_object_agg(subscriber, n), '{}'::json)
        from (select subscriber, count(*) as n from platform.event_deliveries group by subscriber) d) as pending,
      (select extract(epoch from now() - o.occurred_at) from platform.event_deliveries d
        join platform.outbox o on o.id = d.event_id order by d.seq limit 1) as pending_oldest,
      (select coalesce(json_object_agg(subscriber, n), '{}'::json)
        from (select subscriber, count(*) as n from platform.event_dead_letters group by subscriber) x) as dead`.execute(
    k,
  );
  const row = r.rows[0];
  const obj = (v: Record<string, number> | string | undefined) =>
    Object.fromEntries(
      Object.entries(typeof v === 'string' ? (JSON.parse(v) as Record<string, number>) : (v ?? {})).map(([s, n]) => [
        s,
        Number(n),
      ]),
    );
  return {
    outboxDepth: Number(row?.depth ?? 0),
    outboxOldestAge: Math.max(0, Number(row?.oldest ?? 0)),
    pending: obj(row?.pending),
    pendingOldestAge: Math.max(0, Number(row?.pending_oldest ?? 0)),
    deadLetters: obj(row?.dead),
  };
}

/** The last backlog read, re-read at most once per REUSE_MS, waited for at most BACKLOG_BOUND_MS. */
function boundedBacklog(db: Db, metrics: Metrics): () => Promise<EventBacklog | undefined> {
  let last: EventBacklog | undefined;
  let started = 0;
  let inflight: Promise<void> | undefined;
  return async () => {
    if (!inflight && Date.now() - started >= REUSE_MS) {
      started = Date.now();
      inflight = readEventBacklog(db.k)
        .then((b) => {
          last = b;
        })
        .catch(() => {
          // Before migrations, or the database is away: keep the last values (dependency_up tells the rest).
          metrics.dependencyErrors.inc({ dependency: 'postgres', kind: 'metrics_scrape' });
        })
        .finally(() => {
          inflight = undefined;
        });
    }
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([inflight, new Promise((r) => (timer = setTimeout(r, BACKLOG_BOUND_MS)))]);
    clearTimeout(timer);
    return last;
  };
}

/** Registers the pool and event backlog gauges of this process's database on its registry. */
export function observeDatabase(metrics: Metrics, db: Db): void {
  const registers = [metrics.registry];
  const pool = db.pool;
  if (pool) {
    new Gauge({
      name: 'db_pool_connections',
      help: 'Database connections of this process by state (in_use, idle); PGlite has one connection',
      labelNames: ['state'] as const,
      registers,
      collect() {
        this.set({ state: 'in_use' }, Math.max(0, pool.totalCount - pool.idleCount));
        this.set({ state: 'idle' }, pool.idleCount);
      },
    });
    new Gauge({
      name: 'db_pool_max_connections',
      help: 'The most connections the pool opens (DATABASE_POOL_MAX; 1 on PGlite)',
      registers,
      collect() {
        this.set(pool.options.max ?? 10);
      },
    });
    new Gauge({
      name: 'db_pool_waiting_clients',
      help: 'Requests waiting for a free database connection right now',
      registers,
      collect() {
        this.set(pool.waitingCount);
      },
    });
  }
  const backlog = boundedBacklog(db, metrics);
  const gauge = (
    name: string,
    help: string,
    read: (b: EventBacklog) => number | Record<string, number>,
    labelled = false,
  ) =>
    new Gauge({
      name,
      help,
      labelNames: labelled ? ['subscriber'] : [],
      registers,
      async collect() {
        const b = await backlog();
        if (!b) return;
        const v = read(b);
        if (typeof v === 'number') {
          this.set(v);
          return;
        }
        this.reset();
        for (const [subscriber, n] of Object.entries(v)) this.set({ subscriber }, n);
      },
    });
  gauge(
    'outbox_unpublished_events',
    'Outbox events not yet handed to the transport (database-wide)',
    (b) => b.outboxDepth,
  );
  gauge(
    'outbox_oldest_unpublished_age_seconds',
    'Age of the oldest outbox event not yet handed to the transport, 0 when none (database-wide)',
    (b) => b.outboxOldestAge,
  );
  gauge(
    'events_pending_deliveries',
    'In-process deliveries not yet handled, by subscriber (database-wide; retries of dead letters in NATS mode)',
    (b) => b.pending,
    true,
  );
  gauge(
    'events_oldest_pending_delivery_age_seconds',
    'Age of the event of the oldest pending in-process delivery, 0 when none (database-wide)',
    (b) => b.pendingOldestAge,
  );
  gauge(
    'events_dead_letters',
    'Dead letters waiting for staff (GET /v1/admin/events/dead-letters), by subscriber (database-wide)',
    (b) => b.deadLetters,
    true,
  );
}
