// The process-wide policy for errors nothing caught.
// - An unhandled promise rejection is a bug in error handling, not a corrupted process: it is logged and counted
//   (`process_faults_total{kind="unhandledRejection"}`) and the process keeps serving.
// - An uncaught exception unwound a stack at an unknown point, so in-memory state may be inconsistent: it is logged
//   and counted, and the process shuts down gracefully (in-flight requests drain, connections close) and exits with
//   code 70 (EX_SOFTWARE), for its supervisor (systemd, Kubernetes) to start a fresh one. Acknowledged work is in
//   PostgreSQL and the outbox, so nothing acknowledged is lost.
// Both are reported to error tracking when it is on (SENTRY_DSN; docs/error-tracking.md), the exception as fatal.
import type { ErrorTracker } from './observability/error-tracking.ts';
import type { Logger } from './observability/logger.ts';
import type { Metrics } from './observability/metrics.ts';

export const EXIT_UNCAUGHT_EXCEPTION = 70;

export interface ProcessFaultDeps {
  logger: Logger;
  metrics: Metrics;
  /** Starts the graceful shutdown that ends with `process.exit(code)`. */
  shutdown: (reason: string, exitCode: number) => void;
  /** Error tracking (the kernel's); faults are only logged and counted without it. */
  errorTracking?: ErrorTracker;
}

export function installProcessFaultPolicy(proc: NodeJS.EventEmitter, deps: ProcessFaultDeps): void {
  proc.on('unhandledRejection', (reason: unknown) => {
    deps.metrics.processFaults.inc({ kind: 'unhandledRejection' });
    deps.errorTracking?.captureProcessFault(reason, 'unhandledRejection');
    deps.logger.error({ err: reason }, 'unhandled promise rejection; the process keeps serving');
  });
  proc.on('uncaughtException', (error: Error, origin: string) => {
    deps.metrics.processFaults.inc({ kind: 'uncaughtException' });
    deps.errorTracking?.captureProcessFault(error, 'uncaughtException');
    deps.logger.fatal({ err: error, origin }, 'uncaught exception: state unknown, shutting down for a restart');
    deps.shutdown('uncaughtException', EXIT_UNCAUGHT_EXCEPTION);
  });
}
