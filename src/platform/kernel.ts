// The kernel: what every module receives — configuration, database, cache, logger, metrics,
// and connections to Redis and NATS when configured. Built once by createKernel, closed once.
import { connect as connectNats, type NatsConnection } from '@nats-io/transport-node';
import { Redis } from 'ioredis';
import type { Cache } from './cache/cache.ts';
import { createMemoryCache } from './cache/memory-cache.ts';
import { createRedisCache } from './cache/redis-cache.ts';
import { type Config, redactUrl } from './config.ts';
import type { Db } from './db/db.ts';
import { openPglite } from './db/pglite.ts';
import { openPostgres } from './db/postgres.ts';
import { createLogger, type Logger } from './observability/logger.ts';
import { countStatements, createMetrics, type Metrics } from './observability/metrics.ts';

export interface Kernel {
  config: Config;
  logger: Logger;
  metrics: Metrics;
  db: Db;
  cache: Cache;
  redis: Redis | undefined;
  nats: NatsConnection | undefined;
  close(): Promise<void>;
}

export interface KernelOverrides {
  logger?: Logger;
  /** A database opened by the caller (tests); it is closed with the kernel unless keepDbOpen. */
  db?: Db;
  keepDbOpen?: boolean;
  defaultMetrics?: boolean;
}

export async function openDatabase(config: Config): Promise<Db> {
  if (config.databaseUrl)
    return openPostgres({
      url: config.databaseUrl,
      max: config.dbPoolMax,
      preparedStatements: config.dbPreparedStatements,
    });
  return openPglite({
    dataDir: config.pgliteInMemory ? undefined : `${config.dataDir}/pglite`,
    preparedStatements: config.dbPreparedStatements,
  });
}

export async function createKernel(config: Config, overrides: KernelOverrides = {}): Promise<Kernel> {
  const logger = overrides.logger ?? createLogger(config.logLevel);
  const metrics = createMetrics({ defaultMetrics: overrides.defaultMetrics ?? true });
  const db = overrides.db ?? (await openDatabase(config));
  countStatements(metrics, db);
  let redis: Redis | undefined;
  let nats: NatsConnection | undefined;
  try {
    if (config.redisUrl) {
      redis = new Redis(config.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 2, enableOfflineQueue: true });
      redis.on('error', (e: Error) => logger.warn({ err: e.message }, 'redis connection error'));
      await redis.connect();
    }
    if (config.natsUrl) {
      const u = new URL(config.natsUrl);
      nats = await connectNats({
        servers: `${u.hostname}:${u.port || 4222}`,
        ...(u.username ? { user: decodeURIComponent(u.username), pass: decodeURIComponent(u.password) } : {}),
        name: 'emporium',
        maxReconnectAttempts: -1,
      });
    }
  } catch (e) {
    if (!overrides.keepDbOpen) await db.close();
    redis?.disconnect();
    const what = redis && !nats && config.natsUrl ? `NATS at ${redactUrl(config.natsUrl)}` : 'a configured service';
    throw new Error(`Could not connect to ${what}: ${(e as Error).message}`, { cause: e });
  }
  const cache = redis ? createRedisCache(redis, `${config.redisKeyPrefix}cache:`) : createMemoryCache();
  let closed = false;
  return {
    config,
    logger,
    metrics,
    db,
    cache,
    redis,
    nats,
    async close() {
      if (closed) return;
      closed = true;
      await cache.close();
      if (nats) await nats.drain().catch(() => nats?.close());
      if (redis) await redis.quit().catch(() => redis?.disconnect());
      if (!overrides.keepDbOpen) await db.close();
    },
  };
}
