import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { type AnyDb, createDb, type Db, statementLog } from './db.ts';
import { dbFaultKind, faultCode } from './faults.ts';
import { installTypeParsers } from './pg-types.ts';
import { usePreparedStatements } from './prepared-statements.ts';

export interface PostgresOptions {
  url: string;
  max: number;
  applicationName?: string;
  /** Named prepared statements (default on); off behind PgBouncer's transaction pooling before 1.21. */
  preparedStatements?: boolean;
  /** Longest wait for a free pooled connection (and for a new connection to open), in ms. Default 5000. */
  poolWaitMs?: number;
  /** `statement_timeout` of every connection, in ms. Default 30000. */
  statementTimeoutMs?: number;
  /** `idle_in_transaction_session_timeout` of every connection, in ms. Default 60000. */
  idleInTransactionTimeoutMs?: number;
  /** Told about every error on a connection, in use or idle (logs and metrics); never throws. */
  onConnectionError?: (code: string | undefined) => void;
}

export async function openPostgres(options: PostgresOptions): Promise<Db> {
  installTypeParsers();
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.max,
    application_name: options.applicationName ?? 'emporium',
    idleTimeoutMillis: 30_000,
    // The wait limit: a request that cannot get a connection in this time fails fast (503), instead of queueing
    // behind a database that is down or saturated.
    connectionTimeoutMillis: options.poolWaitMs ?? 5_000,
    // Bounded work: no statement and no forgotten transaction may hold a connection (and its locks) forever.
    statement_timeout: options.statementTimeoutMs ?? 30_000,
    idle_in_transaction_session_timeout: options.idleInTransactionTimeoutMs ?? 60_000,
    // Detects a peer that vanished without closing the socket (failover, network partition).
    keepAlive: true,
  });
  const reportError = (e: unknown) => {
    try {
      options.onConnectionError?.(faultCode(e));
    } catch {
      // reporting must never throw
    }
  };
  // An idle client's error (server restart): the pool drops the client and makes a new one on demand.
  pool.on('error', reportError);
  pool.on('connect', (client) => {
    // A client in use whose connection drops (pg_terminate_backend, failover) emits 'error' too; unhandled, that
    // event would end the process. Its query fails with the same error, the request answers 503, and the pool
    // discards the broken client when it is released.
    client.on('error', reportError);
    // No JIT: every statement here is short, and the planner's row estimates for set-returning functions (the
    // search facets' jsonb_each) push a 30 ms statement past jit_above_cost, where compiling it took another 47 ms.
    // Queued ahead of the client's first statement; a server without JIT accepts the setting too.
    client.query('set jit = off').catch(reportError);
    if (options.preparedStatements !== false) usePreparedStatements(client);
  });
  const counter = { n: 0 };
  const health = { up: true };
  // A connection that cannot be opened (server down, refusing connections) is a fault too; Kysely logs only
  // statements, so the pool's connect reports it here.
  const connect = pool.connect.bind(pool) as () => Promise<pg.PoolClient>;
  (pool as { connect: unknown }).connect = (callback?: unknown) => {
    if (callback !== undefined) return (connect as (cb: unknown) => void)(callback);
    return connect().catch((e: unknown) => {
      if (dbFaultKind(e) === 'connection') health.up = false;
      throw e;
    });
  };
  const k = new Kysely<AnyDb>({
    dialect: new PostgresDialect({ pool }),
    log: statementLog(counter, health),
  });
  const db = createDb('postgres', k, counter, health, async () => {}, pool);
  await db.ping();
  return db;
}
