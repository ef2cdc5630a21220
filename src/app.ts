// The composition root: kernel → migrations → HTTP platform → modules' routes, read top to bottom.
import { fileURLToPath } from 'node:url';
import type { Config } from './platform/config.ts';
import { type MigrationSource, migrate, pendingMigrations, readMigrations } from './platform/db/migrate.ts';
import { type ReadinessCheck, registerHealthRoutes } from './platform/http/health.ts';
import { type App, createHttpServer } from './platform/http/server.ts';
import { createKernel, type Kernel, type KernelOverrides } from './platform/kernel.ts';

export interface EmporiumApp {
  http: App;
  kernel: Kernel;
  /** Stops accepting requests, finishes in-flight ones, then closes every connection. */
  close(): Promise<void>;
}

const here = (rel: string) => fileURLToPath(new URL(rel, import.meta.url));

/** Every module's migrations, in dependency order. */
export const MIGRATION_SOURCES: MigrationSource[] = [{ module: 'platform', dir: here('./platform/db/migrations/') }];

export interface AppOptions extends KernelOverrides {
  /** Extra routes registered before the app is sealed (tests, embedding). */
  extraRoutes?: (http: App) => void;
}

export async function createApp(config: Config, overrides: AppOptions = {}): Promise<EmporiumApp> {
  const kernel = await createKernel(config, overrides);
  try {
    const { applied } = await migrate(kernel.db, MIGRATION_SOURCES);
    if (applied.length) kernel.logger.info({ applied }, 'migrations applied');
    const allMigrations = MIGRATION_SOURCES.flatMap(readMigrations);

    const http = await createHttpServer({
      config,
      logger: kernel.logger,
      metrics: kernel.metrics,
      redis: kernel.redis,
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
    registerHealthRoutes(http, checks, kernel.metrics);
    overrides.extraRoutes?.(http);

    http.addHook('onClose', async () => {
      await kernel.close();
    });
    await http.ready();
    return { http, kernel, close: () => http.close() };
  } catch (e) {
    await kernel.close();
    throw e;
  }
}
