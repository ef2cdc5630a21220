// The composition root: kernel → modules → migrations → HTTP platform → routes, read top to bottom.
import { PLATFORM_MIGRATIONS } from './core-migrations.ts';
import { catalogAvailability, seedDemo } from './demo-data.ts';
import { createCartModule } from './modules/cart/index.ts';
import { type AvailabilityPort, createCatalogModule } from './modules/catalog/index.ts';
import { createIdentityModule, type IdentityModule } from './modules/identity/index.ts';
import { createInventoryModule, type InventoryModule } from './modules/inventory/index.ts';
import { createNotificationsModule } from './modules/notifications/index.ts';
import { type OrdersModule, type OrdersParts, ordersModuleFor } from './modules/orders/index.ts';
import { createPaymentsModule } from './modules/payments/index.ts';
import { createPricingModule } from './modules/pricing/index.ts';
import { createSearchModule } from './modules/search/index.ts';
import { createWebhooksModule } from './modules/webhooks/index.ts';
import type { Config } from './platform/config.ts';
import { migrate, pendingMigrations, readMigrations } from './platform/db/migrate.ts';
import { vacuumJob, warnIfAutovacuumOff } from './platform/db/vacuum.ts';
import { eventsCleanupJob } from './platform/events/cleanup.ts';
import { registerEventAdminRoutes } from './platform/events/events.http.ts';
import { createRelay, type Relay } from './platform/events/relay.ts';
import { installGraphql } from './platform/graphql/server.ts';
import { type Access, type Authenticator, installAuth } from './platform/http/auth.ts';
import { type ReadinessCheck, registerHealthRoutes } from './platform/http/health.ts';
import { idempotencyCleanupJob, installIdempotency } from './platform/http/idempotency.ts';
import { type App, createHttpServer } from './platform/http/server.ts';
import { registerJobAdminRoutes } from './platform/jobs/jobs.http.ts';
import { createScheduler, type Scheduler } from './platform/jobs/scheduler.ts';
import { createKernel, type Kernel, type KernelOverrides } from './platform/kernel.ts';
import type { ModuleDefinition } from './platform/module.ts';
import { createErasures, type Erasures } from './platform/privacy/erasure.ts';
import { registerPrivacyAdminRoutes } from './platform/privacy/privacy.http.ts';
import { createKeyRotation } from './platform/privacy/rotation.ts';

/** A registered route and who may call it (the access-matrix test walks these). */
export interface RouteInfo {
  method: string;
  url: string;
  access: Access | undefined;
}

export interface EmporiumApp {
  http: App;
  kernel: Kernel;
  modules: ModuleDefinition[];
  identity: IdentityModule;
  inventory: InventoryModule;
  routes: RouteInfo[];
  /** Delivers outbox events to the modules' subscribers (started unless `workers: false`). */
  relay: Relay;
  /** Runs the modules' scheduled and queued jobs (started unless `workers: false`). */
  scheduler: Scheduler;
  /** Stops accepting requests, finishes in-flight ones, then closes every connection. */
  close(): Promise<void>;
}

export interface AppOptions extends KernelOverrides {
  /** Extra routes registered before the app is sealed (tests, embedding). */
  extraRoutes?: (http: App) => void;
  /** Replaces the identity module's authenticator (module tests that use a fake identity). */
  authenticate?: Authenticator;
  /** Extra modules appended after the built-in ones (tests, embedding). */
  extraModules?: ModuleDefinition[];
  /** Start the event relay and the job scheduler (default true; false for an API-only process or a test). */
  workers?: boolean;
  /** Replaces inventory's availability contract for the catalog (module tests use a fake). */
  catalogAvailability?: AvailabilityPort;
  /** Builds the orders module instead of `ordersModuleFor` (orders' tests: over fake cart and pricing, with hooks). */
  orders?: (kernel: Kernel, parts: OrdersParts) => OrdersModule;
}

export { PLATFORM_MIGRATIONS } from './core-migrations.ts';

/** Builds every module from the kernel, in dependency order (src/modules/module-graph.ts). */
interface Modules {
  identity: IdentityModule;
  erasures: Erasures;
  inventory: InventoryModule;
  modules: ModuleDefinition[];
  /** Runs once the migrations are applied (demo data, index rebuilds). */
  afterMigrations(): Promise<void>;
}

function createModules(kernel: Kernel, options: AppOptions): Modules {
  // Modules that hold personal data register with kernel.privacy as they are created; an erasure runs them all.
  const erasures = createErasures({ db: kernel.db, privacy: kernel.privacy, logger: kernel.logger });
  const identity = createIdentityModule({ kernel, erasures });
  // gRPC (off unless GRPC_PORT) accepts identity's API keys and access tokens in `authorization` metadata.
  const inventory = createInventoryModule({
    db: kernel.db,
    readDb: kernel.readDb,
    config: kernel.config,
    logger: kernel.logger,
    verifyApiKey: identity.verifyBearer,
    reservationOutcomes: kernel.metrics.business.reservationOutcomes,
    // Staff stock routes check the variant through the catalog's API (made below; called only per request).
    knownVariants: (ids) => catalog.api.knownVariantIds(ids),
  });
  // Storefront reads (catalog list and detail, their availability, search and suggest) run on kernel.readDb: the
  // read replica when DATABASE_REPLICA_URL is set and it is caught up, else the primary (docs/read-replicas.md).
  const catalog = createCatalogModule({
    db: kernel.db,
    readDb: kernel.readDb,
    cache: kernel.cache,
    logger: kernel.logger,
    defaultCurrency: kernel.config.defaultCurrency,
    exactTotalMax: kernel.config.catalogExactTotalMax,
    availability: options.catalogAvailability ?? catalogAvailability(inventory.storefrontAvailability),
  });
  // Stock changes show on the next catalog read: the read cache is dropped when stock moves.
  const catalogDefinition: ModuleDefinition = {
    ...catalog.definition,
    subscribers: [
      ...(catalog.definition.subscribers ?? []),
      {
        name: 'catalog.invalidate_on_stock_change',
        eventTypes: ['inventory.stock.changed'],
        handle: () => catalog.api.invalidateCache(),
      },
    ],
  };
  const search = createSearchModule({
    db: kernel.db,
    readDb: kernel.readDb,
    logger: kernel.logger,
    catalog: catalog.api,
    defaultCurrency: kernel.config.defaultCurrency,
    registry: kernel.metrics.registry,
    cache: kernel.cache,
  });
  const pricing = createPricingModule({
    db: kernel.db,
    referenceCacheMs: kernel.config.pricingCacheMs,
    privacy: kernel.privacy,
  });
  const cart = createCartModule({
    db: kernel.db,
    catalog: catalog.api,
    pricing: pricing.quotes,
    availability: inventory.api.getAvailability,
    defaultCurrency: kernel.config.defaultCurrency,
    privacy: kernel.privacy,
    guestCartRetentionDays: kernel.config.retention.guestCartDays,
  });
  const payments = createPaymentsModule({ kernel });
  // Orders own checkout: they call cart, pricing, inventory and payments only through these contracts.
  const ordersParts = { cart: cart.api, pricing: pricing.api, inventory: inventory.api, payments: payments.api };
  const orders = (options.orders ?? ordersModuleFor)(kernel, ordersParts);
  // What leaves the shop: integrators' webhooks for the public events, and email to customers and staff.
  const webhooks = createWebhooksModule({ kernel });
  const notifications = createNotificationsModule({ kernel, identity: identity.api, orders: orders.api });
  return {
    identity,
    erasures,
    inventory,
    modules: [
      identity.module,
      inventory.definition,
      catalogDefinition,
      search.definition,
      pricing.definition,
      cart.definition,
      payments.module,
      orders.definition,
      webhooks.definition,
      notifications.definition,
    ],
    async afterMigrations() {
      if (kernel.config.demoData) {
        // Nothing to do when the database came from install's demo template (demo-data.ts).
        const { products, stockLevels } = await seedDemo({ catalog, inventory });
        if (products) kernel.logger.info({ products, stockLevels }, 'demo catalog seeded');
      }
      const indexed = await search.api.reindexIfEmpty();
      if (indexed) kernel.logger.info({ products: indexed }, 'search index rebuilt');
    },
  };
}

export async function createApp(config: Config, options: AppOptions = {}): Promise<EmporiumApp> {
  const kernel = await createKernel(config, options);
  try {
    const { identity, erasures, inventory, modules: coreModules, afterMigrations } = createModules(kernel, options);
    const modules = [...coreModules, ...(options.extraModules ?? [])];
    const migrationSources = [PLATFORM_MIGRATIONS, ...modules.flatMap((m) => (m.migrations ? [m.migrations] : []))];
    const { applied } = await migrate(kernel.db, migrationSources);
    if (applied.length) kernel.logger.info({ applied }, 'migrations applied');
    await afterMigrations();
    const allMigrations = migrationSources.flatMap(readMigrations);
    await identity.ensureConfiguredAdmin();

    const http = await createHttpServer({
      config,
      logger: kernel.logger,
      metrics: kernel.metrics,
      redis: kernel.redis,
      redisHealth: kernel.redisHealth,
      tracing: kernel.tracing,
      errorTracking: kernel.errorTracking,
    });
    installAuth(http, options.authenticate ?? identity.authenticate);
    const routes: RouteInfo[] = [];
    http.addHook('onRoute', (r) => {
      for (const method of Array.isArray(r.method) ? r.method : [r.method]) {
        routes.push({ method, url: r.url, access: (r.config as { access?: Access } | undefined)?.access });
      }
    });
    installIdempotency(http, {
      db: kernel.db,
      logger: kernel.logger,
      privacy: kernel.privacy,
      ttlSeconds: config.idempotencyTtlSeconds,
    });

    // Events and jobs: one relay and one scheduler per process for every module's subscribers and jobs.
    const relay = createRelay(
      {
        db: kernel.db,
        logger: kernel.logger,
        metrics: kernel.metrics,
        subscribers: modules.flatMap((m) => m.subscribers ?? []),
        tracing: kernel.tracing,
      },
      {
        pollMs: config.events.pollMs,
        maxAttempts: config.events.maxAttempts,
        ...(kernel.nats
          ? { nats: { connection: kernel.nats.current() ?? kernel.nats.connected, stream: config.natsStream } }
          : {}),
      },
    );
    // Personal data: erasure across modules (resumable) and master key rotation over every module's stores.
    const rotation = createKeyRotation({ db: kernel.db, privacy: kernel.privacy, logger: kernel.logger });
    const scheduler = createScheduler(
      { db: kernel.db, logger: kernel.logger, metrics: kernel.metrics },
      [
        idempotencyCleanupJob(kernel.db),
        eventsCleanupJob(kernel.db),
        // Embedded PGlite has no autovacuum launcher: this job stands in for it (platform/db/vacuum.ts).
        ...(kernel.db.kind === 'pglite' ? [vacuumJob(kernel.db, kernel.logger)] : []),
        erasures.resumeJob,
        rotation.job,
        ...modules.flatMap((m) => m.jobs ?? []),
      ],
      modules.flatMap((m) => m.queuedJobs ?? []),
    );
    registerEventAdminRoutes(http, { db: kernel.db, wake: () => relay.wake() });
    registerJobAdminRoutes(http, { db: kernel.db });
    registerPrivacyAdminRoutes(http, { privacy: kernel.privacy, erasures, rotation });

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
    // Redis and NATS are optional at run time: the cache and rate limits go per-process, events wait in the outbox.
    if (kernel.redis) checks.push({ name: 'redis', optional: true, check: () => kernel.cache.ping() });
    if (kernel.nats) {
      const nats = kernel.nats;
      checks.push({
        name: 'nats',
        optional: true,
        check: async () => {
          const c = nats.current();
          if (!c) throw new Error('not connected yet: events wait in the outbox');
          await c.flush();
        },
      });
    }
    for (const m of modules) checks.push(...(m.readinessChecks ?? []));
    registerHealthRoutes(http, checks, kernel.metrics);
    for (const m of modules) m.registerRoutes?.(http);
    // GraphQL over the same services: each module's piece (its *.graphql.ts), one schema at /graphql.
    await installGraphql(
      http,
      modules.flatMap((m) => (m.graphql ? [m.graphql] : [])),
      { ide: config.env === 'development' },
    );
    options.extraRoutes?.(http);

    http.addHook('onClose', async () => {
      await scheduler.stop();
      await relay.stop();
      for (const m of [...modules].reverse()) await m.stop?.();
      await kernel.close();
    });
    await http.ready();
    if (options.workers !== false) {
      try {
        await relay.start();
        await scheduler.start();
      } catch (e) {
        await http.close();
        throw e;
      }
    }
    // Advice only: a failed look must not stop the start.
    await warnIfAutovacuumOff(kernel.db, kernel.logger).catch(() => false);
    return { http, kernel, modules, identity, inventory, routes, relay, scheduler, close: () => http.close() };
  } catch (e) {
    await kernel.close();
    throw e;
  }
}
