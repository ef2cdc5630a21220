// A fresh database per call: a new PostgreSQL database when TEST_DATABASE_URL is set, else in-memory PGlite.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import pg from 'pg';
import type { Db } from '../../src/platform/db/db.ts';
import { openPglite } from '../../src/platform/db/pglite.ts';
import { openPostgres, type PostgresOptions } from '../../src/platform/db/postgres.ts';
import { TEST_DATABASE_URL } from './services.ts';

let template: Blob | undefined;
/** The initialised data directory made by global-setup.ts, when there is one. */
function pgliteTemplate(): { loadDataDir?: Blob } {
  const file = process.env.EMPORIUM_PGLITE_TEMPLATE;
  if (!template && file && existsSync(file)) template = new Blob([readFileSync(file)]);
  return template ? { loadDataDir: template } : {};
}

export interface TestDb {
  db: Db;
  url: string | undefined;
  /** Closes the connection and drops the database (PostgreSQL). */
  dispose(): Promise<void>;
}

/** Runs one statement on a connection of its own (admin DDL; in tests, another process's migration). */
export async function admin(url: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/** Creates an empty PostgreSQL database and returns its URL (without opening it). */
export async function createPostgresDatabase(baseUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `emp_test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  await admin(baseUrl, `create database ${name}`);
  const u = new URL(baseUrl);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    drop: () => admin(baseUrl, `drop database if exists ${name} with (force)`),
  };
}

export interface TestDbOptions {
  kind?: 'postgres' | 'pglite';
  poolMax?: number;
  /** Pool and session settings for PostgreSQL (wait limit, timeouts, error reporting). */
  postgres?: Omit<Partial<PostgresOptions>, 'url'>;
}

export async function openTestDb(options: TestDbOptions = {}): Promise<TestDb> {
  const kind = options.kind ?? (TEST_DATABASE_URL ? 'postgres' : 'pglite');
  if (kind === 'pglite') {
    const db = await openPglite({ dataDir: undefined, ...pgliteTemplate() });
    return { db, url: undefined, dispose: () => db.close() };
  }
  if (!TEST_DATABASE_URL) throw new Error('TEST_DATABASE_URL is not set');
  const created = await createPostgresDatabase(TEST_DATABASE_URL);
  const db = await openPostgres({ max: options.poolMax ?? 10, ...options.postgres, url: created.url });
  return {
    db,
    url: created.url,
    async dispose() {
      await db.close().catch(() => {});
      await created.drop();
    },
  };
}
