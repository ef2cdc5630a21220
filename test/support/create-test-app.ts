// Builds the whole application for a test: on a fresh PGlite, or on a fresh PostgreSQL database
// (TEST_DATABASE_URL), with real Redis (TEST_REDIS_URL) and NATS (TEST_NATS_URL) when given.
import { randomBytes } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import type { DestinationStream } from 'pino';
import { type AppOptions, createApp, type EmporiumApp } from '../../src/app.ts';
import type { AvailabilityPort } from '../../src/modules/catalog/index.ts';
import { type Config, loadConfig } from '../../src/platform/config.ts';
import type { Authenticator } from '../../src/platform/http/auth.ts';
import type { App } from '../../src/platform/http/server.ts';
import type { ModuleDefinition } from '../../src/platform/module.ts';
import { createLogger } from '../../src/platform/observability/logger.ts';
import { TEST_NATS_URL, TEST_REDIS_URL } from './services.ts';
import { openTestDb, type TestDbOptions } from './test-db.ts';

export interface TestAppOptions {
  /** Extra environment variables (as the process would see them). */
  env?: Record<string, string>;
  /** Where log lines go; by default logs are discarded. */
  logStream?: DestinationStream;
  db?: 'postgres' | 'pglite';
  /** PostgreSQL pool and session settings (the test database is opened here, not from the env). */
  postgres?: TestDbOptions['postgres'];
  /** Use TEST_REDIS_URL / TEST_NATS_URL when set (default true). */
  services?: boolean;
  extraRoutes?: (http: App) => void;
  /** A fake identity for module tests (see AppOptions.authenticate). */
  authenticate?: Authenticator;
  /** Modules built by the test (e.g. a subscriber and a job for the event wiring tests). */
  extraModules?: ModuleDefinition[];
  /** Start the event relay and job scheduler (default true). */
  workers?: boolean;
  /** A fake of inventory's availability contract for the catalog. */
  catalogAvailability?: AvailabilityPort;
  /** Builds the orders module (see AppOptions.orders; test/support/orders-harness.ts). */
  orders?: AppOptions['orders'];
}

export interface TestApp extends EmporiumApp {
  config: Config;
  /** The test database's URL on PostgreSQL (undefined on PGlite). */
  databaseUrl: string | undefined;
}

export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const services = options.services ?? true;
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    LOG_LEVEL: options.logStream ? 'info' : 'silent',
    REDIS_KEY_PREFIX: `test:${randomBytes(4).toString('hex')}:`,
    ...(services && TEST_REDIS_URL ? { REDIS_URL: TEST_REDIS_URL } : {}),
    // Each test app gets its own JetStream stream, so parallel test files never share consumers.
    ...(services && TEST_NATS_URL
      ? { NATS_URL: TEST_NATS_URL, NATS_STREAM: `test_${randomBytes(6).toString('hex')}` }
      : {}),
    ...options.env,
  };
  const config = loadConfig(env);
  const testDb = await openTestDb({
    ...(options.db ? { kind: options.db } : {}),
    ...(options.postgres ? { postgres: options.postgres } : {}),
  });
  const logger = createLogger(config.logLevel, options.logStream);
  const app = await createApp(config, {
    db: testDb.db,
    keepDbOpen: true,
    logger,
    defaultMetrics: false,
    ...(options.extraRoutes ? { extraRoutes: options.extraRoutes } : {}),
    ...(options.authenticate ? { authenticate: options.authenticate } : {}),
    ...(options.workers === false ? { workers: false } : {}),
    ...(options.extraModules ? { extraModules: options.extraModules } : {}),
    ...(options.catalogAvailability ? { catalogAvailability: options.catalogAvailability } : {}),
    ...(options.orders ? { orders: options.orders } : {}),
  });
  return {
    ...app,
    config,
    databaseUrl: testDb.url,
    async close() {
      const nats = app.kernel.nats?.current();
      if (nats && config.natsStream.startsWith('test_')) {
        await app.relay.stop();
        const jsm = await jetstreamManager(nats).catch(() => undefined);
        await jsm?.streams.delete(config.natsStream).catch(() => {});
      }
      await app.close();
      await testDb.dispose();
    },
  };
}
