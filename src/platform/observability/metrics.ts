// Prometheus metrics on a registry per app instance (tests build several apps in one process).
import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';

export interface Metrics {
  registry: Registry;
  httpDuration: Histogram<'method' | 'route' | 'status'>;
  httpErrors: Counter<'code'>;
}

export function createMetrics(options: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpDuration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration by method, route pattern and status',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    httpErrors: new Counter({
      name: 'http_problem_responses_total',
      help: 'problem+json responses by error code',
      labelNames: ['code'] as const,
      registers: [registry],
    }),
  };
}

/** `db_statements_total`: SQL statements this process sent (read from the database's counter at scrape time). */
export function countStatements(metrics: Metrics, db: { queryCount(): number }): void {
  new Counter({
    name: 'db_statements_total',
    help: 'SQL statements sent to the database by this process',
    registers: [metrics.registry],
    collect() {
      this.reset();
      this.inc(db.queryCount());
    },
  });
}
