// Process entry: configuration → app → listen; graceful shutdown on SIGTERM/SIGINT.
// Only the configuration, and the small modules that start a new embedded database apart, load before Node's module
// compile cache is on: the app's modules are imported after it, so a restart reads their compiled (and type-stripped)
// code from the cache instead of compiling every file again.
// (`npm start` runs src/start.mjs, which turns the cache on before this file is loaded.)
import { enableCompileCache, flushCompileCache } from 'node:module';
import { CORE_MIGRATIONS } from './core-migrations.ts';
import { type Config, ConfigError, loadConfig } from './platform/config.ts';
import { embeddedDataDir, initdbOnce } from './platform/db/pglite-initdb.ts';
import { applyHeapGrowth } from './platform/heap-growth.ts';

/**
 * Node's default directory: NODE_COMPILE_CACHE, else node-compile-cache in the OS temp dir, never DATA_DIR (backups
 * copy DATA_DIR whole); NODE_DISABLE_COMPILE_CACHE=1 turns it off. src/start.mjs makes the same call earlier.
 */
function enableModuleCache(): void {
  try {
    // A missing or unwritable directory only makes this start uncached: the result is a status, never a throw.
    enableCompileCache();
  } catch {}
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n`);
      process.exit(1);
    }
    throw e;
  }
  const started = performance.now();
  applyHeapGrowth(config.heapGrowthPercent);
  // A new embedded database is copied from the template `npm install` made for these migrations (with demo data, the
  // one that holds it already), or made in a child process, while the application's modules load (pglite-initdb.ts);
  // openPglite waits for the same run and reports its failure.
  const embedded = embeddedDataDir(config);
  if (embedded) initdbOnce(embedded, { migrations: CORE_MIGRATIONS, demo: config.demoData }).catch(() => {});
  enableModuleCache();
  const [{ createApp }, { installProcessFaultPolicy }, { installIdleHeapTrim }] = await Promise.all([
    import('./app.ts'),
    import('./platform/process-faults.ts'),
    import('./platform/idle-heap-trim.ts'),
  ]);
  const app = await createApp(config);
  const { http, kernel } = app;
  await http.listen({ port: config.port, host: config.host });
  kernel.logger.info(
    {
      port: config.port,
      database: kernel.db.kind,
      cache: kernel.cache.kind,
      events: kernel.nats ? 'nats' : 'in-process',
      startupMs: Math.round(performance.now() - started),
    },
    `Emporium listening on http://localhost:${config.port} (docs at /docs)`,
  );
  if (config.idleGcMs > 0) {
    installIdleHeapTrim(http.server, {
      quietMs: config.idleGcMs,
      registry: kernel.metrics.registry,
      logger: kernel.logger,
    });
  }
  // Written soon rather than only at exit, so a process that is killed still leaves the cache for the next start; not
  // right away, so the first requests are not kept waiting behind the write.
  setTimeout(() => {
    try {
      flushCompileCache();
    } catch {}
  }, 1_000).unref();

  let stopping = false;
  const stop = (signal: string, exitCode = 0) => {
    if (stopping) return;
    stopping = true;
    kernel.logger.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      kernel.logger.error({ timeoutMs: config.shutdownTimeoutMs }, 'shutdown timed out; exiting');
      process.exit(exitCode || 1);
    }, config.shutdownTimeoutMs);
    timer.unref();
    app.close().then(
      () => {
        kernel.logger.info('stopped');
        process.exit(exitCode);
      },
      (e: unknown) => {
        kernel.logger.error({ err: e }, 'error during shutdown');
        process.exit(1);
      },
    );
  };
  installProcessFaultPolicy(process, {
    logger: kernel.logger,
    metrics: kernel.metrics,
    shutdown: stop,
    errorTracking: kernel.errorTracking,
  });
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((e: unknown) => {
  process.stderr.write(`Emporium failed to start: ${(e as Error).message}\n`);
  process.exit(1);
});
