// The kernel: what every module receives — configuration, database, cache, logger, metrics,
// and connections to Redis and NATS when configured. Built once by createKernel, closed once.
import type { Redis } from 'ioredis';
import { admitOnSecondSet } from './cache/admission.ts';
import type { Cache } from './cache/cache.ts';
import { createMemoryCache } from './cache/memory-cache.ts';
import { meteredCache } from './cache/metered-cache.ts';
import { createRedisCache } from './cache/redis-cache.ts';
import { type RedisHealth, watchRedis } from './cache/redis-health.ts';
import { createResilientCache } from './cache/resilient-cache.ts';
import type { Config } from './config.ts';
import type { Db } from './db/db.ts';
import { embeddedDataDir } from './db/pglite-initdb.ts';
import { createReplicaReads, primaryReads, type ReadDb, redisFence } from './db/replica.ts';
import type { NatsLink } from './nats-link.ts';
import { observeDatabase } from './observability/database-metrics.ts';
import { createErrorTracker, type ErrorTracker } from './observability/error-tracking.ts';
import { createLogger, type Logger } from './observability/logger.ts';
import { countStatements, createMetrics, type Metrics } from './observability/metrics.ts';
import { createTracing, type Tracing } from './observability/tracing.ts';
import { traceRedis } from './observability/tracing-redis.ts';
import { loadEncryptionKeys } from './privacy/keyring.ts';
import { createPrivacy, type Privacy } from './privacy/privacy.ts';

export interface Kernel {
  config: Config;
  logger: Logger;
  metrics: Metrics;
  db: Db;
  /** Where storefront reads run: the read replica (DATABASE_REPLICA_URL) when usable and caught up, else `db`. */
  readDb: ReadDb;
  cache: Cache;
  redis: Redis | undefined;
  /** Whether Redis answers (set with `redis`): the cache and rate limits work per process while it does not. */
  redisHealth: RedisHealth | undefined;
  /** NATS (NATS_URL): connected at start-up, or being connected in the background while it does not answer. */
  nats: NatsLink | undefined;
  /** Personal data protection: field crypto, per-subject data keys, export/erasure/rotation registry. */
  privacy: Privacy;
  /** OpenTelemetry tracing (OTEL_EXPORTER_OTLP_ENDPOINT); its tracer is undefined while off (docs/tracing.md). */
  tracing: Tracing;
  /** Error tracking (Sentry when SENTRY_DSN is set): 5xx answers and process faults; flushed last on close. */
  errorTracking: ErrorTracker;
  close(): Promise<void>;
}

/** The longest a closing kernel waits for queued error events to be sent. */
const ERROR_TRACKING_FLUSH_MS = 2_000;

export interface KernelOverrides {
  logger?: Logger;
  /** A database opened by the caller (tests); it is closed with the kernel unless keepDbOpen. */
  db?: Db;
  keepDbOpen?: boolean;
  defaultMetrics?: boolean;
}

// The database engine's code, Redis's and NATS's clients load only when configured: a process on PostgreSQL does not
// hold PGlite, and no process holds ioredis or NATS unless it uses them (idle memory, start time; REQ-KER-025).

export async function openDatabase(config: Config, logger?: Logger): Promise<Db> {
  if (config.databaseUrl) {
    const { openPostgres } = await import('./db/postgres.ts');
    return openPostgres({
      url: config.databaseUrl,
      max: config.dbPoolMax,
      preparedStatements: config.dbPreparedStatements,
      poolWaitMs: config.dbPoolWaitMs,
      statementTimeoutMs: config.dbStatementTimeoutMs,
      idleInTransactionTimeoutMs: config.dbIdleInTransactionTimeoutMs,
      onConnectionError: (code) => logger?.warn({ code }, 'database connection error'),
    });
  }
  const { openPglite } = await import('./db/pglite.ts');
  return openPglite({
    dataDir: embeddedDataDir(config),
    preparedStatements: config.dbPreparedStatements,
  });
}

/** The read replica, or the primary itself without DATABASE_REPLICA_URL (docs/read-replicas.md). */
function openReadDb(config: Config, db: Db, k: { logger: Logger; metrics: Metrics; tracing: Tracing; redis?: Redis }) {
  const url = config.databaseReplicaUrl;
  if (!url || db.kind !== 'postgres') return primaryReads(db);
  const readDb = createReplicaReads({
    primary: db,
    logger: k.logger,
    registry: k.metrics.registry,
    // Processes that share the Redis cache share the fence too: one's invalidation holds the others' reads.
    ...(k.redis ? { shared: redisFence(k.redis, `${config.redisKeyPrefix}replica:fence`) } : {}),
    async open() {
      const { openPostgres } = await import('./db/postgres.ts');
      const replica = await openPostgres({
        url,
        max: config.dbReplicaPoolMax,
        applicationName: 'emporium-replica-reads',
        preparedStatements: config.dbPreparedStatements,
        // A busy or vanished replica must not hold a storefront read long: the read falls back to the primary.
        poolWaitMs: Math.min(config.dbPoolWaitMs, 1_000),
        statementTimeoutMs: config.dbStatementTimeoutMs,
        idleInTransactionTimeoutMs: config.dbIdleInTransactionTimeoutMs,
        onConnectionError: (code) => k.logger.warn({ code }, 'read replica connection error'),
      });
      if (k.tracing.tracer) replica.trace({ tracer: k.tracing.tracer });
      return replica;
    },
  });
  k.metrics.probeDependency('postgres_replica', () => readDb.status().usable);
  return readDb;
}

export async function createKernel(config: Config, overrides: KernelOverrides = {}): Promise<Kernel> {
  const logger = overrides.logger ?? createLogger(config.logLevel);
  const metrics = createMetrics({ defaultMetrics: overrides.defaultMetrics ?? true });
  const db = overrides.db ?? (await openDatabase(config, logger));
  countStatements(metrics, db);
  const tracing = await createTracing(config.tracing, (e) =>
    logger.warn({ err: (e as Error)?.message }, 'exporting spans failed; they are dropped'),
  );
  if (tracing.tracer) db.trace({ tracer: tracing.tracer });
  observeDatabase(metrics, db);
  let redis: Redis | undefined;
  let redisHealth: RedisHealth | undefined;
  let nats: NatsLink | undefined;
  try {
    if (config.redisUrl) {
      // Fail fast while Redis is away (no offline queue, a command deadline), reconnect forever in the background;
      // the health watcher switches the cache and rate limits to per-process meanwhile, even at start-up.
      const { Redis } = await import('ioredis');
      redis = new Redis(config.redisUrl, {
        lazyConnect: true,
        enableOfflineQueue: false,
        maxRetriesPerRequest: 1,
        commandTimeout: config.redisCommandTimeoutMs,
        connectTimeout: 2_000,
        retryStrategy: (times) => Math.min(times * 200, 2_000),
      });
      redisHealth = watchRedis(redis, { logger, metrics });
      if (tracing.tracer) traceRedis(redis, tracing.tracer);
      await redis.connect().catch((e: unknown) => redisHealth?.failed(e));
    }
    // Never fatal: without an answer the process starts and connects in the background (nats-link.ts).
    if (config.natsUrl) nats = await (await import('./nats-link.ts')).openNats(config.natsUrl, { logger, metrics });
  } catch (e) {
    void tracing.shutdown();
    if (!overrides.keepDbOpen) await db.close();
    redisHealth?.close();
    redis?.disconnect();
    throw new Error(`Could not connect to a configured service: ${(e as Error).message}`, { cause: e });
  }
  // Answers are stored the second time their key is computed (admission.ts): a flood of new keys does not churn it.
  const cache = admitOnSecondSet(
    meteredCache(
      redis && redisHealth
        ? createResilientCache(
            createRedisCache(redis, `${config.redisKeyPrefix}cache:`),
            redisHealth,
            config.cacheMaxBytes,
          )
        : createMemoryCache(config.cacheMaxBytes),
      metrics.business,
    ),
  );
  metrics.probeDependency('postgres', () => db.health.up);
  const errorTracking = await createErrorTracker(config.sentry, {
    onInternalError: (e) => logger.warn({ err: e }, 'error tracking could not capture an error'),
  });
  const readDb = openReadDb(config, db, { logger, metrics, tracing, ...(redis ? { redis } : {}) });
  let closed = false;
  return {
    privacy: createPrivacy(loadEncryptionKeys(config), db.k),
    config,
    logger,
    metrics,
    db,
    readDb,
    cache,
    redis,
    redisHealth,
    nats,
    errorTracking,
    tracing,
    async close() {
      if (closed) return;
      closed = true;
      redisHealth?.close();
      await cache.close();
      await nats?.close();
      if (redis) await redis.quit().catch(() => redis?.disconnect());
      await readDb.close();
      if (!overrides.keepDbOpen) await db.close();
      db.trace(undefined);
      // Buffered spans are exported before the process ends; bounded, an unreachable collector never holds up the exit.
      await Promise.race([
        tracing.shutdown(),
        new Promise((r) => setTimeout(r, Math.min(5_000, config.shutdownTimeoutMs / 2)).unref()),
      ]);
      // Last, so what failed while closing is sent too; bounded, an unreachable Sentry never holds up the exit.
      await errorTracking.close(Math.min(ERROR_TRACKING_FLUSH_MS, config.shutdownTimeoutMs));
    },
  };
}
