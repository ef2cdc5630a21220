// A real process running the fault policy of src/main.ts: it rejects a promise nobody handles, shows it kept
// running by printing its metrics, then throws an exception nobody catches. Used by process-faults.test.ts.
import { createLogger } from '../../src/platform/observability/logger.ts';
import { createMetrics } from '../../src/platform/observability/metrics.ts';
import { installProcessFaultPolicy } from '../../src/platform/process-faults.ts';

const logger = createLogger('info');
const metrics = createMetrics({ defaultMetrics: false });
installProcessFaultPolicy(process, {
  logger,
  metrics,
  shutdown: (reason, code) => {
    logger.info({ reason, code }, 'graceful shutdown');
    setTimeout(() => process.exit(code), 50);
  },
});

void Promise.reject(new Error('nobody handles this rejection'));
setTimeout(async () => {
  const text = await metrics.registry.metrics();
  process.stdout.write(`${JSON.stringify({ msg: 'still serving', metrics: text })}\n`);
  setTimeout(() => {
    throw new Error('nobody catches this exception');
  }, 10);
}, 100);
