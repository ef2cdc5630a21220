// Process entry: configuration → app → listen; graceful shutdown on SIGTERM/SIGINT.
import { createApp } from './app.ts';
import { ConfigError, loadConfig } from './platform/config.ts';
import { installProcessFaultPolicy } from './platform/process-faults.ts';

async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
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
