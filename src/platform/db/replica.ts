// Storefront reads on a streaming read replica (DATABASE_REPLICA_URL), never staler than the caches promise.
//
// A read runs on the replica only while (1) the replica answers and is a standby, and (2) it has replayed the WAL up
// to the last *fence*: the primary's WAL insert position noted after a write committed and before the caches that
// show it were dropped. Until then reads go to the primary, so a cache re-filled after an invalidation never holds
// pre-write data. The replica's replay position is polled by one background loop per process (every `pollMs` while
// a fence is ahead of it, every `idleMs` otherwise): a read costs no replica query of its own. A replica that is
// down, slow, still starting or not a standby is simply not used (`dependency_up{dependency="postgres_replica"}` 0,
// one log line), and is used again by itself once a poll succeeds. docs/read-replicas.md has the design and costs.
import { AsyncLocalStorage } from 'node:async_hooks';
import { sql } from 'kysely';
import { Counter, type Registry } from 'prom-client';
import type { Db } from './db.ts';
import { dbFaultKind, faultCode } from './faults.ts';

/** Where storefront reads run: the replica when it is usable and caught up, else the primary. */
export interface ReadDb {
  /**
   * Runs a read-only `read` on the replica when it is usable and has replayed every fence, else on the primary.
   * A replica fault (connection, timeout, recovery conflict) runs it again on the primary; other errors are thrown.
   */
  run<T>(read: (db: Db) => Promise<T>): Promise<T>;
  /**
   * Call after a write committed and before the cached reads it changes are dropped: until the replica has replayed
   * the primary's current WAL position, reads go to the primary. Never throws (at worst the replica goes unused until
   * the next poll learns the primary's position).
   */
  fence(): Promise<void>;
  /** What the router knows now (tests, logs). */
  status(): ReadDbStatus;
  close(): Promise<void>;
}

export interface ReadDbStatus {
  /** A replica is configured (DATABASE_REPLICA_URL). */
  configured: boolean;
  /** The replica answers and is a standby (reads may use it once caught up). */
  usable: boolean;
  /** The last replay position polled from the replica, and the fence reads wait for (LSNs as numbers). */
  replayed: bigint;
  fence: bigint;
  /** Why the replica is unused, while it is. */
  reason: string | undefined;
}

/** Without a replica: every read runs on the primary, at no cost. */
export function primaryReads(primary: Db): ReadDb {
  const status: ReadDbStatus = { configured: false, usable: false, replayed: 0n, fence: 0n, reason: undefined };
  return {
    run: (read) => read(primary),
    fence: async () => {},
    status: () => status,
    close: async () => {},
  };
}

/** A fence shared by every process of a deployment (their caches are shared too). */
export interface SharedFence {
  /** Raises the shared fence to `lsn` (never lowers it). */
  raise(lsn: bigint): Promise<void>;
  /** The shared fence, or undefined when unknown. */
  read(): Promise<bigint | undefined>;
}

/** The Redis commands a shared fence needs (ioredis). */
export interface FenceRedis {
  get(key: string): Promise<string | null>;
  eval(script: string, keys: number, ...args: string[]): Promise<unknown>;
}

const RAISE = `local c = tonumber(redis.call('get', KEYS[1]) or '0')
if tonumber(ARGV[1]) > c then redis.call('set', KEYS[1], ARGV[1]) end
return 1`;

/** The fence in Redis, raised atomically (a max, so two processes' fences never lower it). */
export function redisFence(redis: FenceRedis, key: string): SharedFence {
  return {
    async raise(lsn) {
      await redis.eval(RAISE, 1, key, lsn.toString());
    },
    async read() {
      const v = await redis.get(key);
      return v === null || !/^\d+$/.test(v) ? undefined : BigInt(v);
    },
  };
}

/** `16/B374D848` → a comparable number. */
export function parseLsn(text: string): bigint {
  const m = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/.exec(text);
  if (!m?.[1] || !m[2]) throw new Error(`not an LSN: ${text}`);
  return (BigInt(`0x${m[1]}`) << 32n) + BigInt(`0x${m[2]}`);
}

export interface ReplicaReadsOptions {
  primary: Db;
  /** Opens the replica's pool; retried every `reopenMs` while it fails (the replica may start after us). */
  open: () => Promise<Db>;
  logger: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void };
  /** Registers `db_replica_reads_total{served_by}`. */
  registry?: Registry;
  /** Set when several processes share a cache (Redis): their fences are shared through it. */
  shared?: SharedFence;
  /** Poll period while a fence is ahead of the replica (default 50 ms). */
  pollMs?: number;
  /** Poll period otherwise: the health check (default 1000 ms). */
  idleMs?: number;
  /** A poll that takes longer marks the replica unused until one answers in time (default 1000 ms). */
  pollTimeoutMs?: number;
  /** How WAL positions are read (default: the SQL below; unit tests give fakes). */
  positions?: WalPositions;
}

/** The two WAL positions the router compares. */
export interface WalPositions {
  /** The primary's WAL insert position (an LSN such as `0/16B3748`). */
  primary(primary: Db): Promise<string>;
  /** Whether the replica is a standby, and the last WAL position it replayed. */
  replica(replica: Db): Promise<{ standby: boolean; lsn: string | null }>;
}

/**
 * The insert position rather than pg_current_wal_lsn() (the write position): with synchronous_commit off a commit
 * returns before its WAL is written, and the insert position is past it either way.
 */
export const sqlWalPositions: WalPositions = {
  async primary(primary) {
    const r = await sql<{ lsn: string }>`select pg_current_wal_insert_lsn()::text as lsn`.execute(primary.k);
    return String(r.rows[0]?.lsn);
  },
  async replica(replica) {
    const r = await sql<{ standby: boolean; lsn: string | null }>`
      select pg_is_in_recovery() as standby, pg_last_wal_replay_lsn()::text as lsn`.execute(replica.k);
    return r.rows[0] ?? { standby: false, lsn: null };
  },
};

/** Faults after which a replica read is run again on the primary. */
const REPLICA_RETRY_CODES = new Set(['40001', '57014', '25006']);

function isReplicaFault(e: unknown): boolean {
  if (dbFaultKind(e) !== undefined) return true;
  const code = faultCode(e);
  return code !== undefined && REPLICA_RETRY_CODES.has(code);
}

export function createReplicaReads(options: ReplicaReadsOptions): ReadDb {
  const { primary, logger, shared } = options;
  const pollMs = options.pollMs ?? 50;
  const idleMs = options.idleMs ?? 1_000;
  const pollTimeoutMs = options.pollTimeoutMs ?? 1_000;
  const positions = options.positions ?? sqlWalPositions;
  const reads = new Counter({
    name: 'db_replica_reads_total',
    help: 'Storefront reads by the database that served them (replica, or primary while the replica is unused or behind)',
    labelNames: ['served_by'] as const,
    registers: options.registry ? [options.registry] : [],
  });
  // The poll loop runs outside any request's async context (its statements count in no request's budget).
  const detached = AsyncLocalStorage.snapshot();

  let replica: Db | undefined;
  let usable = false;
  let reason: string | undefined = 'not yet polled';
  let replayed = 0n;
  let fence = 0n;
  /** A fence whose position could not be read: reads use the primary until a poll reads it. */
  let fenceUnknown = false;
  /** Bumped by every fence: a replica read that saw a fence arrive while it ran is read again on the primary. */
  let epoch = 0;
  /** Fences whose position is still being read: reads use the primary meanwhile. */
  let fencing = 0;
  let timer: NodeJS.Timeout | undefined;
  let nextPollAt = 0;
  let polling = false;
  let closed = false;

  function unusable(why: string, e?: unknown): void {
    if (usable || reason !== why) {
      logger.warn({ reason: why, code: faultCode(e) }, 'read replica unused: storefront reads go to the primary');
    }
    usable = false;
    reason = why;
  }

  function schedule(ms: number): void {
    if (closed) return;
    if (timer) clearTimeout(timer);
    nextPollAt = Date.now() + ms;
    timer = setTimeout(() => detached(() => void poll()), ms);
    timer.unref();
  }

  /** A read found the replica behind a fence: poll soon rather than at the idle period. */
  function hurry(): void {
    if (!polling && nextPollAt - Date.now() > pollMs) schedule(pollMs);
  }

  const primaryLsn = async (): Promise<bigint> => parseLsn(await positions.primary(primary));

  async function poll(): Promise<void> {
    if (closed || polling) return;
    polling = true;
    try {
      if (!replica) {
        try {
          const opened = await options.open();
          if (closed) {
            await opened.close().catch(() => {});
            return;
          }
          replica = opened;
        } catch (e) {
          unusable('unreachable', e);
          return;
        }
      }
      if (fenceUnknown) {
        try {
          fence = maxOf(fence, await primaryLsn());
          fenceUnknown = false;
        } catch {
          // still unknown: reads stay on the primary
        }
      }
      const db = replica;
      let deadline: NodeJS.Timeout | undefined;
      try {
        const row = await Promise.race([
          positions.replica(db),
          new Promise<never>((_, reject) => {
            deadline = setTimeout(
              () => reject(Object.assign(new Error('replica poll timed out'), { code: 'POLL' })),
              pollTimeoutMs,
            );
          }),
        ]);
        if (!row.standby || !row.lsn) {
          unusable('not a standby');
        } else {
          // As read, never a max: a replica rebuilt or re-pointed may be behind what an earlier one had replayed.
          replayed = parseLsn(row.lsn);
          if (!usable) logger.info({ replayed: row.lsn }, 'read replica in use');
          usable = true;
          reason = undefined;
        }
      } catch (e) {
        unusable(faultCode(e) === 'POLL' ? 'slow' : 'unreachable', e);
      } finally {
        clearTimeout(deadline);
      }
    } finally {
      polling = false;
      schedule(usable && !fenceUnknown && replayed >= fence ? idleMs : usable ? pollMs : Math.max(pollMs, idleMs));
    }
  }

  /** The replica when a read may use it now; never a query (the shared fence is one Redis GET when configured). */
  async function choose(): Promise<Db | undefined> {
    if (!replica || !usable || fenceUnknown || fencing > 0) return undefined;
    if (shared) {
      const s = await shared.read().catch(() => undefined);
      if (s !== undefined && s > fence) fence = s;
    }
    if (replayed >= fence) return replica;
    hurry();
    return undefined;
  }

  void detached(() => poll());

  return {
    async run(read) {
      const db = await choose();
      if (!db) {
        reads.inc({ served_by: 'primary' });
        return read(primary);
      }
      const seen = epoch;
      let result: Awaited<ReturnType<typeof read>>;
      try {
        result = await read(db);
      } catch (e) {
        if (!isReplicaFault(e)) throw e;
        if (dbFaultKind(e) === 'connection') unusable('unreachable', e);
        reads.inc({ served_by: 'primary' });
        return read(primary);
      }
      if (epoch !== seen) {
        // A write was fenced while this read ran: what it read may predate it, and may be about to be cached.
        reads.inc({ served_by: 'primary' });
        return read(primary);
      }
      reads.inc({ served_by: 'replica' });
      return result;
    },
    async fence() {
      epoch++;
      fencing++;
      try {
        const lsn = await primaryLsn();
        fence = maxOf(fence, lsn);
        if (shared) await shared.raise(lsn).catch(() => {});
      } catch {
        fenceUnknown = true;
      } finally {
        fencing--;
      }
      hurry();
    },
    status: () => ({ configured: true, usable, replayed, fence, reason }),
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      await replica?.close().catch(() => {});
    },
  };
}

const maxOf = (a: bigint, b: bigint) => (a > b ? a : b);
