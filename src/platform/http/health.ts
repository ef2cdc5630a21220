// /healthz (the process is alive), /readyz (every dependency answers), /metrics (Prometheus).
import { Gauge } from 'prom-client';
import { Type } from 'typebox';
import { AppError } from '../errors.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { App } from './app-type.ts';
import { problemResponse, sendProblem } from './problem.ts';
import { Text } from './schema-helpers.ts';

export interface ReadinessCheck {
  name: string;
  /** Resolves when the dependency is usable; rejects (or times out) when it is not. */
  check: () => Promise<void>;
  /**
   * Optional dependencies (Redis, NATS) are worked around while they are down: their failure reports the instance
   * `degraded` (200, still in rotation), never unready.
   */
  optional?: boolean;
}

const CHECK_TIMEOUT_MS = 2000;

async function runCheck(c: ReadinessCheck): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      c.check(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
      }),
    ]);
    return 'ok';
  } catch (e) {
    return `failed: ${(e as Error).message}`;
  } finally {
    clearTimeout(timer);
  }
}

const HealthBody = Type.Object({ status: Type.Literal('ok') }, { examples: [{ status: 'ok' }] });
const ReadyBody = Type.Object(
  {
    status: Type.Union([Type.Literal('ready'), Type.Literal('degraded')], {
      description: '`degraded`: an optional dependency (Redis, NATS) is down and worked around; still serving',
    }),
    checks: Type.Record(Type.String({ maxLength: 64 }), Type.String({ maxLength: 500 })),
  },
  {
    examples: [
      { status: 'ready', checks: { database: 'ok', migrations: 'ok', redis: 'ok', nats: 'ok' } },
      {
        status: 'degraded',
        checks: {
          database: 'ok',
          migrations: 'ok',
          redis: 'degraded: connect ECONNREFUSED 127.0.0.1:6379',
          nats: 'ok',
        },
      },
    ],
  },
);

/** Scrapes within this long of the last readiness evaluation reuse it (each check is bounded by CHECK_TIMEOUT_MS). */
const READINESS_REUSE_MS = 5_000;

/** `readiness_check_up{check,optional}`: what /readyz would answer, evaluated at scrape time (for the alert rules). */
function gaugeReadiness(checks: ReadinessCheck[], metrics: Metrics): void {
  let last: { at: number; results: Promise<string[]> } | undefined;
  new Gauge({
    name: 'readiness_check_up',
    help: '1 while the readiness check passes, 0 while it fails (optional: Redis, NATS, worked around)',
    labelNames: ['check', 'optional'] as const,
    registers: [metrics.registry],
    async collect() {
      if (!last || Date.now() - last.at >= READINESS_REUSE_MS) {
        last = { at: Date.now(), results: Promise.all(checks.map(runCheck)) };
      }
      const results = await last.results;
      checks.forEach((c, i) => {
        this.set({ check: c.name, optional: String(c.optional === true) }, results[i] === 'ok' ? 1 : 0);
      });
    },
  });
}

export function registerHealthRoutes(app: App, checks: ReadinessCheck[], metrics: Metrics): void {
  gaugeReadiness(checks, metrics);
  app.get(
    '/healthz',
    {
      schema: {
        tags: ['ops'],
        summary: 'Liveness: the process is up',
        response: { 200: HealthBody },
      },
    },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/readyz',
    {
      schema: {
        tags: ['ops'],
        summary: 'Readiness: database reachable and migrations applied; Redis and NATS reported, degraded when down',
        response: { 200: ReadyBody, 503: problemResponse('A dependency is not ready; the problem lists each check') },
      },
    },
    async (request, reply) => {
      const results = await Promise.all(
        checks.map(async (c) => {
          const r = await runCheck(c);
          return [c.name, c.optional && r !== 'ok' ? r.replace(/^failed/, 'degraded') : r] as const;
        }),
      );
      const map = Object.fromEntries(results);
      const required = results.filter((_, i) => !checks[i]?.optional);
      if (required.every(([, r]) => r === 'ok')) {
        return {
          status: results.every(([, r]) => r === 'ok') ? ('ready' as const) : ('degraded' as const),
          checks: map,
        };
      }
      reply.header('retry-after', '5');
      return sendProblem(
        request,
        reply,
        new AppError(503, 'ops.not_ready', 'Not ready', {
          detail: required
            .filter(([, r]) => r !== 'ok')
            .map(([n, r]) => `${n}: ${r}`)
            .join('; '),
          extra: { checks: map },
        }),
      );
    },
  );

  app.get(
    '/metrics',
    {
      schema: {
        tags: ['ops'],
        summary: 'Prometheus metrics',
        response: {
          200: { description: 'Prometheus text format', content: { 'text/plain': { schema: Text(64 * 1024 * 1024) } } },
        },
      },
    },
    async (_req, reply) => {
      reply.type(metrics.registry.contentType);
      return metrics.registry.metrics();
    },
  );
}
