// The one database interface every module uses, over PostgreSQL (pg pool) or embedded PGlite.
// Both go through Kysely's Postgres dialect over node-postgres, so the SQL and the type parsing are identical.
import { AsyncLocalStorage } from 'node:async_hooks';
import { type Kysely, type LogEvent, sql, type Transaction } from 'kysely';
import { type DbTracer, inTransactionSpan, recordStatementSpan } from './db-tracing.ts';
import { dbFaultKind } from './faults.ts';
import { isStalePlanError } from './prepared-statements.ts';

export type DbKind = 'postgres' | 'pglite';
export type IsolationLevel = 'read committed' | 'repeatable read' | 'serializable';

// biome-ignore lint/suspicious/noExplicitAny: modules narrow the builder to their own table types.
export type AnyDb = any;
export type Tx<T = AnyDb> = Transaction<T>;

export interface TransactionOptions {
  isolation?: IsolationLevel;
  /** Attempts in all, including the first; retried on 40001 / 40P01 in a fresh transaction. */
  attempts?: number;
  /** `SET LOCAL lock_timeout` for this transaction, in ms. */
  lockTimeoutMs?: number;
}

export interface Db {
  readonly kind: DbKind;
  /** The query builder. Modules narrow it to their table types with `db.k as Kysely<MyTables>`. */
  readonly k: Kysely<AnyDb>;
  /** Runs `fn` in one transaction, retrying serialization failures and deadlocks in a fresh one. */
  transaction<T>(fn: (tx: Tx) => Promise<T>, options?: TransactionOptions): Promise<T>;
  /** Throws when the database does not answer. */
  ping(): Promise<void>;
  /** Statements executed since start (for query-count budgets in tests). */
  queryCount(): number;
  /** False from a connection fault until the next statement succeeds (the `dependency_up` gauge). */
  readonly health: DbHealth;
  /** Tracing on: a span per statement and per transaction, inside the active trace (db-tracing.ts); undefined: off. */
  trace(tracer: DbTracer | undefined): void;
  /** The connection pool's live counts (the `db_pool_*` gauges); PGlite's pool has its one connection. */
  readonly pool?: DbPool;
  close(): Promise<void>;
}

/** What node-postgres' Pool tells about itself. */
export interface DbPool {
  readonly totalCount: number;
  readonly idleCount: number;
  readonly waitingCount: number;
  readonly options: { max?: number | undefined };
}

/**
 * Statement counting. Every statement adds to the process-wide counter (the `db_statements_total` metric) and to
 * the counter of the async context that sent it, when one was opened with `statementsIn`. Background workers
 * (relay, scheduler) run detached from whatever woke them (see events/pump.ts), so an operation's count holds
 * only its own statements.
 */
const statementScope = new AsyncLocalStorage<{ n: number }>();

/** Statements executed, and where their spans go while tracing is on (set through `Db.trace`). */
export interface StatementCounter {
  n: number;
  tracer?: DbTracer | undefined;
}

export interface DbHealth {
  up: boolean;
}

/**
 * Kysely's `log` hook for a database: counts each executed statement, and tracks whether the database answers
 * (down at a connection fault, up again at the next statement that succeeds).
 */
export function statementLog(counter: StatementCounter, health: DbHealth): (event: LogEvent) => void {
  return (event) => {
    counter.n++;
    if (counter.tracer) recordStatementSpan(counter.tracer, event);
    const scope = statementScope.getStore();
    if (scope) scope.n++;
    if (event.level === 'query') health.up = true;
    else if (dbFaultKind(event.error) === 'connection') health.up = false;
  };
}

/** Runs `fn` and answers how many statements it (and only it, in its async context) sent. */
export async function statementsIn(fn: () => Promise<unknown>): Promise<number> {
  const scope = { n: 0 };
  // Awaited inside the scope: a lazy thenable (light-my-request's inject) starts its work when `then` is called.
  await statementScope.run(scope, async () => {
    await fn();
  });
  return scope.n;
}

const RETRYABLE = new Set(['40001', '40P01']);

export function isRetryableDbError(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return (typeof code === 'string' && RETRYABLE.has(code)) || isStalePlanError(e);
}

export function isUniqueViolation(e: unknown, constraint?: string): boolean {
  const err = e as { code?: unknown; constraint?: unknown } | null;
  return err?.code === '23505' && (constraint === undefined || err.constraint === constraint);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Exponential backoff with full jitter: 5, 10, 20, 40 ms caps. */
const backoff = (attempt: number) => sleep(Math.random() * 5 * 2 ** (attempt - 1));

/**
 * Runs one statement in autocommit, retrying serialization failures and deadlocks. A single statement is atomic
 * on its own; wrapping it in `db.transaction` would add `begin` and `commit`, three round trips instead of one.
 */
export async function retryingStatement<T>(run: () => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (e) {
      if (attempt >= attempts || !isRetryableDbError(e)) throw e;
      await backoff(attempt);
    }
  }
}

const commitHooks = new WeakMap<object, Array<() => void>>();

/**
 * Runs `fn` after the transaction `tx` (opened by `db.transaction`) commits; never when it rolls
 * back. For local, best-effort work such as waking the event relay; errors thrown by `fn` are ignored.
 */
export function afterCommit(tx: Tx, fn: () => void): void {
  const hooks = commitHooks.get(tx);
  if (hooks) hooks.push(fn);
  else commitHooks.set(tx, [fn]);
}

function runCommitHooks(tx: object | undefined): void {
  if (!tx) return;
  const hooks = commitHooks.get(tx);
  if (!hooks) return;
  commitHooks.delete(tx);
  for (const h of hooks) {
    try {
      h();
    } catch {
      // best effort
    }
  }
}

export function createDb(
  kind: DbKind,
  k: Kysely<AnyDb>,
  counter: StatementCounter,
  health: DbHealth,
  onClose: () => Promise<void>,
  pool?: DbPool,
): Db {
  return {
    kind,
    k,
    health,
    ...(pool ? { pool } : {}),
    transaction(fn, options = {}) {
      return counter.tracer
        ? inTransactionSpan(counter.tracer, () => runTransaction(fn, options))
        : runTransaction(fn, options);
    },
    trace(tracer) {
      counter.tracer = tracer;
    },
    async ping() {
      await sql`select 1`.execute(k);
    },
    queryCount: () => counter.n,
    async close() {
      await k.destroy();
      await onClose();
    },
  };

  async function runTransaction<T>(fn: (tx: Tx) => Promise<T>, options: TransactionOptions): Promise<T> {
    const attempts = options.attempts ?? 5;
    for (let attempt = 1; ; attempt++) {
      try {
        let builder = k.transaction();
        if (options.isolation) builder = builder.setIsolationLevel(options.isolation);
        let current: object | undefined;
        const result = await builder.execute(async (tx) => {
          current = tx;
          if (options.lockTimeoutMs !== undefined) {
            await sql`select set_config('lock_timeout', ${`${options.lockTimeoutMs}ms`}, true)`.execute(tx);
          }
          return fn(tx);
        });
        runCommitHooks(current);
        return result;
      } catch (e) {
        if (attempt >= attempts || !isRetryableDbError(e)) throw e;
        await backoff(attempt);
      }
    }
  }
}
