// The composition root: kernel → modules → migrations → HTTP platform → routes, read top to bottom.
import { fileURLToPath } from 'node:url';
import { createIdentityModule, type IdentityModule, type PersonalDataContributor } from './modules/identity/index.ts';
import { createInventoryModule } from './modules/inventory/index.ts';
import { createPaymentsModule } from './modules/payments/index.ts';
import type { Config } from './platform/config.ts';
import { type MigrationSource, migrate, pendingMigrations, readMigrations } from './platform/db/migrate.ts';
import { type Access, type Authenticator, installAuth } from './platform/http/auth.ts';
import { type ReadinessCheck, registerHealthRoutes } from './platform/http/health.ts';
import { type App, createHttpServer } from './platform/http/server.ts';
import { createKernel, type Kernel, type KernelOverrides } from './platform/kernel.ts';
import type { ModuleDefinition } from './platform/module.ts';

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
  routes: RouteInfo[];
  /** Stops accepting requests, finishes in-flight ones, then closes every connection. */
  close(): Promise<void>;
}

export interface AppOptions extends KernelOverrides {
  /** Extra routes registered before the app is sealed (tests, embedding). */
  extraRoutes?: (http: App) => void;
  /** Replaces the identity module's authenticator (module tests that use a fake identity). */
  authenticate?: Authenticator;
}

const here = (rel: string) => fileURLToPath(new URL(rel, import.meta.url));

/** The kernel's own migrations (outbox, inbox, jobs, idempotency keys). */
export const PLATFORM_MIGRATIONS: MigrationSource = { module: 'platform', dir: here('./platform/db/migrations/') };

/** Builds every module from the kernel, in dependency order (src/modules/module-graph.ts). */
function createModules(kernel: Kernel): { identity: IdentityModule; modules: ModuleDefinition[] } {
  // GDPR registry: modules that hold personal data push a contributor here as they are created.
  const personalData: PersonalDataContributor[] = [];
  const identity = createIdentityModule({ kernel, personalData });
  // gRPC API keys: pass identity's key check as verifyApiKey once identity exposes one (until then gRPC refuses every key).
  const inventory = createInventoryModule({ db: kernel.db, config: kernel.config, logger: kernel.logger });
  const payments = createPaymentsModule({ kernel });
  return { identity, modules: [identity.module, inventory.definition, payments.module] };
}

export async function createApp(config: Config, options: AppOptions = {}): Promise<EmporiumApp> {
  const kernel = await createKernel(config, options);
  try {
    const { identity, modules } = createModules(kernel);
    const migrationSources = [PLATFORM_MIGRATIONS, ...modules.flatMap((m) => (m.migrations ? [m.migrations] : []))];
    const { applied } = await migrate(kernel.db, migrationSources);
    if (applied.length) kernel.logger.info({ applied }, 'migrations applied');
    const allMigrations = migrationSources.flatMap(readMigrations);
    await identity.ensureConfiguredAdmin();

    const http = await createHttpServer({
      config,
      logger: kernel.logger,
      metrics: kernel.metrics,
      redis: kernel.redis,
    });
    installAuth(http, options.authenticate ?? identity.authenticate);
    const routes: RouteInfo[] = [];
    http.addHook('onRoute', (r) => {
      for (const method of Array.isArray(r.method) ? r.method : [r.method]) {
        routes.push({ method, url: r.url, access: (r.config as { access?: Access } | undefined)?.access });
      }
    });

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
    return { http, kernel, modules, identity, routes, close: () => http.close() };
  } catch (e) {
    await kernel.close();
    throw e;
  }
}
