// Per-module SQL migrations: forward-only, checksummed, applied under an advisory lock (docs/migrations.md).
// Files are `<dir>/NNNN_name.sql`; each is applied in its own transaction with a lock timeout and a statement
// timeout, and recorded in platform.schema_migrations. A re-run is a no-op; an applied file whose content changed is
// refused. A file marked `-- emporium:no-transaction` (one concurrent index statement) runs outside a transaction.
import { type Kysely, sql } from 'kysely';
import type { AnyDb, Db } from './db.ts';
import { fileName, type Migration, MigrationError, type MigrationSource, readMigrations } from './migration-file.ts';

export {
  type Migration,
  MigrationError,
  type MigrationSource,
  NO_TRANSACTION_MARKER,
  readMigrations,
} from './migration-file.ts';

const LOCK_KEY = 7_245_001; // advisory lock id reserved for migrations
const LOCK_NOT_AVAILABLE = '55P03'; // lock_timeout expired
const QUERY_CANCELED = '57014'; // statement_timeout expired

export interface MigrateOptions {
  /** `lock_timeout` of every migration: a lock not granted in this time fails the attempt. Default 5 s. */
  lockTimeoutMs?: number;
  /** `statement_timeout` of a migration run in a transaction (it may hold an exclusive lock). Default 60 s. */
  statementTimeoutMs?: number;
  /** `statement_timeout` of a no-transaction migration (a concurrent index build blocks no writes). Default 30 min. */
  indexBuildTimeoutMs?: number;
  /** Attempts of one migration that failed on its lock timeout (rolled back, so retried whole). Default 5. */
  lockAttempts?: number;
  /** Wait before the next attempt after a lock timeout, times the attempt number. Default 1 s. */
  lockRetryDelayMs?: number;
  /** Poll interval while another process holds the migration lock. Default 200 ms. */
  lockPollMs?: number;
}

export const MIGRATION_DEFAULTS: Required<MigrateOptions> = {
  lockTimeoutMs: 5_000,
  statementTimeoutMs: 60_000,
  indexBuildTimeoutMs: 1_800_000,
  lockAttempts: 5,
  lockRetryDelayMs: 1_000,
  lockPollMs: 200,
};

export interface MigrateResult {
  applied: string[];
}

type Conn = Kysely<AnyDb>;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const codeOf = (e: unknown) => {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
};

/**
 * Takes the migration lock, polling. A process blocked inside `pg_advisory_lock` would hold a snapshot for the whole
 * wait, and `create index concurrently` in the process that holds the lock waits for every older snapshot to end:
 * each would wait for the other. A short `pg_try_advisory_lock` statement holds no snapshot between polls.
 */
async function acquireLock(conn: Conn, pollMs: number): Promise<void> {
  for (;;) {
    const got = await sql<{ ok: boolean }>`select pg_try_advisory_lock(${LOCK_KEY}) as ok`.execute(conn);
    if (got.rows[0]?.ok) return;
    await sleep(pollMs);
  }
}

async function record(conn: Conn, mig: Migration): Promise<void> {
  await sql`insert into platform.schema_migrations (module, version, name, checksum)
    values (${mig.module}, ${mig.version}, ${mig.name}, ${mig.checksum})`.execute(conn);
}

async function applyInTransaction(conn: Conn, mig: Migration, o: Required<MigrateOptions>): Promise<void> {
  await conn.transaction().execute(async (tx) => {
    // Local to this transaction; a file may raise them for itself with its own `set local`.
    await sql`select set_config('lock_timeout', ${`${o.lockTimeoutMs}ms`}, true),
      set_config('statement_timeout', ${`${o.statementTimeoutMs}ms`}, true)`.execute(tx);
    await sql.raw(mig.sql).execute(tx);
    await record(tx, mig);
  });
}

async function indexState(conn: Conn, schema: string, index: string): Promise<'absent' | 'valid' | 'invalid'> {
  const r = await sql<{ valid: boolean }>`select i.indisvalid as valid from pg_index i
    join pg_class c on c.oid = i.indexrelid join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = ${schema} and c.relname = ${index}`.execute(conn);
  const row = r.rows[0];
  return row ? (row.valid ? 'valid' : 'invalid') : 'absent';
}

/**
 * A concurrent index build or drop, outside a transaction, on the connection that holds the migration lock. A build
 * that failed before (a timeout, a crash, a duplicate under a unique index) leaves an INVALID index that
 * `if not exists` would skip: it is dropped first, then built again. The statement is recorded once it succeeded;
 * a crash in between re-runs it, which `if not exists` / `if exists` make harmless.
 */
async function applyWithoutTransaction(conn: Conn, mig: Migration, o: Required<MigrateOptions>): Promise<void> {
  const target = mig.concurrentIndex;
  if (!target) throw new MigrationError(`Migration ${fileName(mig)} has no concurrent index statement`);
  await sql`select set_config('lock_timeout', ${`${o.lockTimeoutMs}ms`}, false),
    set_config('statement_timeout', ${`${o.indexBuildTimeoutMs}ms`}, false)`.execute(conn);
  try {
    if (target.action === 'create' && (await indexState(conn, target.schema, target.index)) === 'invalid') {
      await sql`drop index concurrently if exists ${sql.id(target.schema, target.index)}`.execute(conn);
    }
    await sql.raw(mig.sql).execute(conn);
    if (target.action === 'create' && (await indexState(conn, target.schema, target.index)) !== 'valid') {
      throw new MigrationError(
        `Migration ${fileName(mig)} left index ${target.schema}.${target.index} missing or invalid`,
      );
    }
    await record(conn, mig);
  } finally {
    // Back to the connection's own settings before it returns to the pool.
    await sql`reset lock_timeout`.execute(conn);
    await sql`reset statement_timeout`.execute(conn);
  }
}

function failure(mig: Migration, e: unknown, o: Required<MigrateOptions>): MigrationError {
  if (e instanceof MigrationError) return e;
  const code = codeOf(e);
  const message = (e as Error | null)?.message ?? String(e);
  let hint = '';
  if (code === LOCK_NOT_AVAILABLE) {
    hint = ` — no lock within ${o.lockTimeoutMs} ms after ${o.lockAttempts} attempts: a long transaction holds the table (see docs/runbooks/migration-rollback.md)`;
  } else if (code === QUERY_CANCELED) {
    const limit = mig.transactional ? o.statementTimeoutMs : o.indexBuildTimeoutMs;
    hint = ` — longer than the statement timeout of ${limit} ms: a migration must not rewrite or backfill a large table (docs/migrations.md)`;
  }
  return new MigrationError(`Migration ${fileName(mig)} failed: ${message}${hint}`, {
    cause: e,
    ...(code ? { code } : {}),
  });
}

async function applyOne(conn: Conn, mig: Migration, o: Required<MigrateOptions>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      if (mig.transactional) await applyInTransaction(conn, mig, o);
      else await applyWithoutTransaction(conn, mig, o);
      return;
    } catch (e) {
      if (codeOf(e) !== LOCK_NOT_AVAILABLE || attempt >= o.lockAttempts) throw failure(mig, e, o);
      await sleep(o.lockRetryDelayMs * attempt);
    }
  }
}

export async function migrate(
  db: Db,
  sources: MigrationSource[],
  options: MigrateOptions = {},
): Promise<MigrateResult> {
  const o = { ...MIGRATION_DEFAULTS, ...options };
  const all = sources.flatMap(readMigrations);
  const applied: string[] = [];
  // One dedicated connection holds the session-level advisory lock for the whole run,
  // so several processes starting at once apply each migration exactly once.
  await db.k.connection().execute(async (conn) => {
    await acquireLock(conn, o.lockPollMs);
    try {
      await sql`create schema if not exists platform`.execute(conn);
      await sql`create table if not exists platform.schema_migrations (
        module text not null,
        version integer not null,
        name text not null,
        checksum text not null,
        applied_at timestamptz not null default now(),
        primary key (module, version)
      )`.execute(conn);
      const rows = await sql<{ module: string; version: number; name: string; checksum: string }>`
        select module, version, name, checksum from platform.schema_migrations`.execute(conn);
      const done = new Map(rows.rows.map((r) => [`${r.module}:${r.version}`, r]));
      for (const mig of all) {
        const prior = done.get(`${mig.module}:${mig.version}`);
        if (prior) {
          if (prior.checksum !== mig.checksum) {
            throw new MigrationError(
              `Migration ${fileName(mig)} was changed after it was applied ` +
                `(checksum ${prior.checksum.slice(0, 12)} applied, ${mig.checksum.slice(0, 12)} on disk). ` +
                'Applied migrations are immutable: add a new migration instead.',
            );
          }
          continue;
        }
        await applyOne(conn, mig, o);
        applied.push(`${mig.module}/${mig.name}`);
      }
    } finally {
      await sql`select pg_advisory_unlock(${LOCK_KEY})`.execute(conn);
    }
  });
  return { applied };
}

/** Readiness: every known migration is recorded as applied. */
export async function pendingMigrations(db: Db, all: Migration[]): Promise<string[]> {
  const rows = await sql<{ module: string; version: number }>`
    select module, version from platform.schema_migrations`.execute(db.k);
  const done = new Set(rows.rows.map((r) => `${r.module}:${r.version}`));
  return all.filter((m) => !done.has(`${m.module}:${m.version}`)).map((m) => `${m.module}/${m.name}`);
}
