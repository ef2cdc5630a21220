// Prometheus metrics on a registry per app instance (tests build several apps in one process).
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { type BusinessMetrics, createBusinessMetrics } from './business-metrics.ts';

/**
 * Request duration buckets, chosen for the SLOs (docs/metrics-and-alerts.md): `le="0.2"` is the catalog read
 * latency objective, `le="3"` the checkout's "succeeded within 3 s".
 */
export const HTTP_DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1, 2, 3, 5, 10];

export interface Metrics {
  registry: Registry;
  /** Requests by method, route pattern and status: rate, errors (status 5xx) and duration per route (RED). */
  httpDuration: Histogram<'method' | 'route' | 'status'>;
  httpErrors: Counter<'code'>;
  /** 1 while a dependency answers, 0 while this process works around it (postgres, redis, nats). */
  dependencyUp: Gauge<'dependency'>;
  /** Failed calls to a dependency by kind (connection, timeout, pool_wait, …). */
  dependencyErrors: Counter<'dependency' | 'kind'>;
  /** Requests that waited longer than DATABASE_POOL_WAIT_MS for a connection (answered 503). */
  dbPoolWaitTimeouts: Counter;
  /** Unhandled rejections and uncaught exceptions caught by the process-wide policy. */
  processFaults: Counter<'kind'>;
  /** Requests answered 503 request.timeout because they ran past REQUEST_TIMEOUT_MS. */
  requestTimeouts: Counter;
  /** Reads a dependency's state at scrape time into `dependency_up` (for states kept elsewhere, e.g. the db's). */
  probeDependency(dependency: string, up: () => boolean): void;
  /** Checkout, payment, reservation, reconciliation and cache counters (business-metrics.ts). */
  business: BusinessMetrics;
}

export function createMetrics(options: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  // Process metrics, among them the event-loop delay (nodejs_eventloop_lag_seconds and its percentiles).
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry });
  const probes = new Map<string, () => boolean>();
  return {
    registry,
    httpDuration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration by method, route pattern and status',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: HTTP_DURATION_BUCKETS,
      registers: [registry],
    }),
    httpErrors: new Counter({
      name: 'http_problem_responses_total',
      help: 'problem+json responses by error code',
      labelNames: ['code'] as const,
      registers: [registry],
    }),
    dependencyUp: new Gauge({
      name: 'dependency_up',
      help: '1 while the dependency answers, 0 while this process works around it',
      labelNames: ['dependency'] as const,
      registers: [registry],
      collect() {
        for (const [dependency, up] of probes) this.set({ dependency }, up() ? 1 : 0);
      },
    }),
    dependencyErrors: new Counter({
      name: 'dependency_errors_total',
      help: 'Failed calls to a dependency, by kind',
      labelNames: ['dependency', 'kind'] as const,
      registers: [registry],
    }),
    dbPoolWaitTimeouts: new Counter({
      name: 'db_pool_wait_timeouts_total',
      help: 'Requests that could not get a database connection within DATABASE_POOL_WAIT_MS',
      registers: [registry],
    }),
    processFaults: new Counter({
      name: 'process_faults_total',
      help: 'Unhandled rejections and uncaught exceptions seen by the process-wide policy',
      labelNames: ['kind'] as const,
      registers: [registry],
    }),
    requestTimeouts: new Counter({
      name: 'http_request_timeouts_total',
      help: 'Requests answered 503 request.timeout after REQUEST_TIMEOUT_MS',
      registers: [registry],
    }),
    probeDependency(dependency, up) {
      probes.set(dependency, up);
    },
    business: createBusinessMetrics(registry),
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
