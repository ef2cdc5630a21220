import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { type AnyDb, createDb, type Db, statementCounter } from './db.ts';
import { installTypeParsers } from './pg-types.ts';
import { usePreparedStatements } from './prepared-statements.ts';

export interface PostgresOptions {
  url: string;
  max: number;
  applicationName?: string;
  /** Named prepared statements (default on); off behind PgBouncer's transaction pooling before 1.21. */
  preparedStatements?: boolean;
}

export async function openPostgres(options: PostgresOptions): Promise<Db> {
  installTypeParsers();
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.max,
    application_name: options.applicationName ?? 'emporium',
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: 5_000,
    // Bounded waits: no statement may hang a request forever.
    statement_timeout: 30_000,
    idle_in_transaction_session_timeout: 60_000,
  });
  // An idle client's error (server restart) must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  if (options.preparedStatements !== false) pool.on('connect', (client) => usePreparedStatements(client));
  const counter = { n: 0 };
  const k = new Kysely<AnyDb>({
    dialect: new PostgresDialect({ pool }),
    log: statementCounter(counter),
  });
  const db = createDb('postgres', k, counter, async () => {});
  await db.ping();
  return db;
}
