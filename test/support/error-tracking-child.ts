// A real process running the fault policy of src/main.ts with error tracking on (SENTRY_DSN from the environment):
// it rejects a promise nobody handles, then throws an exception nobody catches; its shutdown closes the tracker (as
// the kernel does) before exiting. Used by test/ops/error-tracking.test.ts.
import { loadConfig } from '../../src/platform/config.ts';
import { createErrorTracker } from '../../src/platform/observability/error-tracking.ts';
import { createLogger } from '../../src/platform/observability/logger.ts';
import { createMetrics } from '../../src/platform/observability/metrics.ts';
import { installProcessFaultPolicy } from '../../src/platform/process-faults.ts';

const config = loadConfig();
const errorTracking = await createErrorTracker(config.sentry);
installProcessFaultPolicy(process, {
  logger: createLogger('silent'),
  metrics: createMetrics({ defaultMetrics: false }),
  errorTracking,
  shutdown: (_reason, code) => {
    void errorTracking.close(2_000).then(() => process.exit(code));
  },
});

void Promise.reject(new Error('nobody awaited this in the child process'));
setTimeout(() => {
  throw new Error('nobody catches this in the child process');
}, 100);
