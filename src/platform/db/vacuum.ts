// Dead rows. Every update of a row whose indexed columns change, and every delete, leaves a dead row version behind,
// and the busy tables here churn: the outbox and its deliveries (each event inserted, claimed, deleted), carts (a new
// version per call), checkout attempts, payments, notification messages. Until VACUUM removes them, every index
// scan and every claim of those tables visits the dead versions too, and grows slower with each order.
//
// On PostgreSQL, autovacuum does this; with it off, the process says so once at start (a warning, not a fix: turning
// it off is a database setting the operator chose, and docs/runbooks/dead-rows.md shows what it costs).
// Embedded PGlite runs PostgreSQL in one process without autovacuum's launcher, so nothing ever vacuums it: the
// `platform.vacuum` job does what autovacuum would, with autovacuum's own default thresholds, every minute.
import { sql } from 'kysely';
import type { ScheduledJob } from '../jobs/job.ts';
import type { Logger } from '../observability/logger.ts';
import type { Db } from './db.ts';

/** A table past one of autovacuum's default thresholds, and what it needs. */
export interface VacuumCandidate {
  schema: string;
  table: string;
  /** Dead rows past 50 + 20 % of the rows, or inserts past 1,000 + 20 % (the visibility map, for index-only scans). */
  vacuum: boolean;
  /** Changed rows past 50 + 10 % of the rows since the last ANALYZE (the planner's statistics). */
  analyze: boolean;
}

/** The tables that need a VACUUM or an ANALYZE now, by autovacuum's default thresholds. */
export async function vacuumCandidates(db: Db): Promise<VacuumCandidate[]> {
  // The counters are sent to the shared statistics at most once a second, and PGlite's one backend may hold them
  // longer: ask for them first (the next statement's end sends them).
  await sql`select pg_stat_force_next_flush()`.execute(db.k);
  const { rows } = await sql<VacuumCandidate>`
    select schema, "table", "vacuum", "analyze" from (
      select s.schemaname as schema, s.relname as "table",
        s.n_dead_tup > 50 + 0.2 * greatest(c.reltuples, 0)
          or s.n_ins_since_vacuum > 1000 + 0.2 * greatest(c.reltuples, 0) as "vacuum",
        s.n_mod_since_analyze > 50 + 0.1 * greatest(c.reltuples, 0) as "analyze"
      from pg_stat_user_tables s join pg_class c on c.oid = s.relid
    ) t
    where "vacuum" or "analyze"
    order by schema, "table"`.execute(db.k);
  return rows;
}

/** What one run did to one table, and how long it took. */
export interface VacuumDone extends VacuumCandidate {
  ms: number;
}

/**
 * Vacuums or analyzes (or both) each table past a threshold, one statement per table, so that on PGlite's single
 * connection the requests waiting for it go between two tables.
 */
export async function vacuumDue(db: Db): Promise<VacuumDone[]> {
  const done: VacuumDone[] = [];
  for (const t of await vacuumCandidates(db)) {
    const name = sql.id(t.schema, t.table);
    const started = performance.now();
    if (t.vacuum && t.analyze) await sql`vacuum (analyze) ${name}`.execute(db.k);
    else if (t.vacuum) await sql`vacuum ${name}`.execute(db.k);
    else await sql`analyze ${name}`.execute(db.k);
    done.push({ ...t, ms: Math.round(performance.now() - started) });
  }
  return done;
}

/** The job that stands in for autovacuum on embedded PGlite (registered only there: src/app.ts). */
export function vacuumJob(db: Db, logger: Logger, intervalMs = 60_000): ScheduledJob {
  return {
    name: 'platform.vacuum',
    intervalMs,
    async run() {
      const done = await vacuumDue(db);
      if (done.length) {
        logger.debug(
          {
            tables: Object.fromEntries(done.map((t) => [`${t.schema}.${t.table}`, t.ms])),
            ms: done.reduce((n, t) => n + t.ms, 0),
          },
          'vacuumed',
        );
      }
    },
  };
}

/** On PostgreSQL: warns once when autovacuum is off (the busy tables then slow down with every order). */
export async function warnIfAutovacuumOff(db: Db, logger: Logger): Promise<boolean> {
  if (db.kind !== 'postgres') return false;
  const { rows } = await sql<{ on: boolean }>`select current_setting('autovacuum') = 'on' as on`.execute(db.k);
  if (rows[0]?.on !== false) return false;
  logger.warn(
    { setting: 'autovacuum', value: 'off' },
    'PostgreSQL runs with autovacuum off: dead rows pile up in the busy tables (outbox, deliveries, carts) and ' +
      'every order gets slower until a VACUUM; turn it on (docs/runbooks/dead-rows.md)',
  );
  return true;
}
