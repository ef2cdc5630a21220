// The composition root: kernel → modules → migrations → HTTP platform → routes, read top to bottom.
import { fileURLToPath } from 'node:url';
import {
  type AvailabilityPort,
  createCatalogModule,
  createFakeAvailability,
  DEMO_CATALOG,
} from './modules/catalog/index.ts';
import { createSearchModule } from './modules/search/index.ts';
import type { Config } from './platform/config.ts';
import { type MigrationSource, migrate, pendingMigrations, readMigrations } from './platform/db/migrate.ts';
import { type Authenticator, anonymousAuthenticator, installAuth } from './platform/http/auth.ts';
import { type ReadinessCheck, registerHealthRoutes } from './platform/http/health.ts';
import { type App, createHttpServer } from './platform/http/server.ts';
import { createKernel, type Kernel, type KernelOverrides } from './platform/kernel.ts';
import type { ModuleDefinition } from './platform/module.ts';

export interface EmporiumApp {
  http: App;
  kernel: Kernel;
  modules: ModuleDefinition[];
  /** Stops accepting requests, finishes in-flight ones, then closes every connection. */
  close(): Promise<void>;
}

export interface AppOptions extends KernelOverrides {
  /** Extra routes registered before the app is sealed (tests, embedding). */
  extraRoutes?: (http: App) => void;
  /** Replaces the identity module's authenticator (module tests that use a fake identity). */
  authenticate?: Authenticator;
  /** Replaces inventory's availability contract for the catalog (module tests use a fake). */
  catalogAvailability?: AvailabilityPort;
}

const here = (rel: string) => fileURLToPath(new URL(rel, import.meta.url));

/** The kernel's own migrations (outbox, inbox, jobs, idempotency keys). */
export const PLATFORM_MIGRATIONS: MigrationSource = { module: 'platform', dir: here('./platform/db/migrations/') };

/** Builds every module from the kernel, in dependency order (src/modules/module-graph.ts). */
interface Modules {
  modules: ModuleDefinition[];
  /** Runs once the migrations are applied (demo data, index rebuilds). */
  afterMigrations(): Promise<void>;
}

function createModules(kernel: Kernel, options: AppOptions): Modules {
  // Until the inventory module is wired here, availability is a placeholder fake (every variant 10 in stock).
  const availability = options.catalogAvailability ?? createFakeAvailability(10).port;
  const catalog = createCatalogModule({
    db: kernel.db,
    cache: kernel.cache,
    logger: kernel.logger,
    defaultCurrency: kernel.config.defaultCurrency,
    availability,
  });
  const search = createSearchModule({
    db: kernel.db,
    logger: kernel.logger,
    catalog: catalog.api,
    defaultCurrency: kernel.config.defaultCurrency,
    registry: kernel.metrics.registry,
  });
  return {
    modules: [catalog.definition, search.definition],
    async afterMigrations() {
      if (kernel.config.demoData) {
        const products = await catalog.seed(DEMO_CATALOG);
        if (products) kernel.logger.info({ products }, 'demo catalog seeded');
      }
      const indexed = await search.api.reindexIfEmpty();
      if (indexed) kernel.logger.info({ products: indexed }, 'search index rebuilt');
    },
  };
}

export async function createApp(config: Config, options: AppOptions = {}): Promise<EmporiumApp> {
  const kernel = await createKernel(config, options);
  try {
    const { modules, afterMigrations } = createModules(kernel, options);
    const migrationSources = [PLATFORM_MIGRATIONS, ...modules.flatMap((m) => (m.migrations ? [m.migrations] : []))];
    const { applied } = await migrate(kernel.db, migrationSources);
    if (applied.length) kernel.logger.info({ applied }, 'migrations applied');
    await afterMigrations();
    const allMigrations = migrationSources.flatMap(readMigrations);

    const http = await createHttpServer({
      config,
      logger: kernel.logger,
      metrics: kernel.metrics,
      redis: kernel.redis,
    });
    installAuth(http, options.authenticate ?? anonymousAuthenticator);

    const checks: ReadinessCheck[] = [
      { name: 'database', check: () => kernel.db.ping() },
      {
        name: 'migrations',
        check: async () => {
          const pending = await pendingMigrations(kernel.db, allMigrations);
          if (pending.length) throw new Error(`pending: ${pending.join(', ')}`);
        },
      },
    ];
    if (kernel.redis) checks.push({ name: 'redis', check: () => kernel.cache.ping() });
    if (kernel.nats) {
      const nats = kernel.nats;
      checks.push({ name: 'nats', check: () => nats.flush() });
    }
    for (const m of modules) checks.push(...(m.readinessChecks ?? []));
    registerHealthRoutes(http, checks, kernel.metrics);
    for (const m of modules) m.registerRoutes?.(http);
    options.extraRoutes?.(http);

    http.addHook('onClose', async () => {
      for (const m of [...modules].reverse()) await m.stop?.();
      await kernel.close();
    });
    await http.ready();
    return { http, kernel, modules, close: () => http.close() };
  } catch (e) {
    await kernel.close();
    throw e;
  }
}
