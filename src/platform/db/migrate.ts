// Per-module SQL migrations: forward-only, checksummed, applied under an advisory lock.
// Files are `<dir>/NNNN_name.sql`; each is applied in its own transaction and recorded in
// platform.schema_migrations. A re-run is a no-op; an applied file whose content changed is refused.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import type { Db } from './db.ts';

export interface MigrationSource {
  /** The module (and schema) the migrations belong to, e.g. `platform`, `catalog`. */
  module: string;
  /** Absolute directory of `NNNN_name.sql` files. */
  dir: string;
}

export interface Migration {
  module: string;
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

export class MigrationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MigrationError';
  }
}

const FILE_RE = /^(\d{4})_([a-z0-9_]+)\.sql$/;
const LOCK_KEY = 7_245_001; // advisory lock id reserved for migrations

export function readMigrations(source: MigrationSource): Migration[] {
  const files = readdirSync(source.dir)
    .filter((f) => f.endsWith('.sql'))
    .sort();
  const out: Migration[] = [];
  for (const file of files) {
    const m = FILE_RE.exec(file);
    if (!m) throw new MigrationError(`Migration file ${source.module}/${file} must be named NNNN_name.sql`);
    const text = readFileSync(join(source.dir, file), 'utf8');
    const version = Number(m[1]);
    if (out.some((x) => x.version === version)) {
      throw new MigrationError(`Migration version ${version} appears twice in ${source.module}`);
    }
    out.push({
      module: source.module,
      version,
      name: m[2] ?? file,
      sql: text,
      checksum: createHash('sha256').update(text).digest('hex'),
    });
  }
  return out;
}

export interface MigrateResult {
  applied: string[];
}

export async function migrate(db: Db, sources: MigrationSource[]): Promise<MigrateResult> {
  const all = sources.flatMap(readMigrations);
  const applied: string[] = [];
  // One dedicated connection holds the session-level advisory lock for the whole run,
  // so several processes starting at once apply each migration exactly once.
  await db.k.connection().execute(async (conn) => {
    await sql`select pg_advisory_lock(${LOCK_KEY})`.execute(conn);
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
              `Migration ${mig.module}/${String(mig.version).padStart(4, '0')}_${mig.name}.sql was changed after it was applied ` +
                `(checksum ${prior.checksum.slice(0, 12)} applied, ${mig.checksum.slice(0, 12)} on disk). ` +
                'Applied migrations are immutable: add a new migration instead.',
            );
          }
          continue;
        }
        await conn.transaction().execute(async (tx) => {
          await sql.raw(mig.sql).execute(tx);
          await sql`insert into platform.schema_migrations (module, version, name, checksum)
            values (${mig.module}, ${mig.version}, ${mig.name}, ${mig.checksum})`.execute(tx);
        });
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
