// Request deadlines: a request still running after REQUEST_TIMEOUT_MS answers 503 `request.timeout` with
// Retry-After, so no client waits on a stuck dependency longer than that. The work itself is bounded separately
// (statement_timeout, the pool's wait limit, provider timeouts) and finishes or fails on its own; its late answer is
// dropped. An Idempotency-Key taken by the request stays locked until its lease runs out, as if the process had
// died, so a retry never runs the operation twice at once. Routes that stream large bodies opt out
// (`config: { deadline: false }`).
import { errors } from '../errors.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { App } from './app-type.ts';
import { sendProblem } from './problem.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** false: no request deadline (bulk imports that stream their body). */
    deadline?: boolean;
  }
}

export function installRequestDeadline(app: App, timeoutMs: number, metrics: Metrics): void {
  if (timeoutMs <= 0) return;
  const timers = new WeakMap<object, NodeJS.Timeout>();
  app.addHook('onRequest', async (request, reply) => {
    if (request.routeOptions.config?.deadline === false) return;
    const timer = setTimeout(() => {
      if (reply.sent || reply.raw.headersSent) return;
      metrics.requestTimeouts.inc();
      request.idempotencyRecord = undefined;
      request.log.warn({ route: request.routeOptions.url, timeoutMs }, 'request deadline passed');
      sendProblem(
        request,
        reply,
        errors.unavailable('request.timeout', `The request did not complete within ${timeoutMs} ms; retry later.`, 1),
      );
    }, timeoutMs);
    timers.set(request, timer);
  });
  const clear = async (request: object) => {
    clearTimeout(timers.get(request));
    timers.delete(request);
  };
  app.addHook('onResponse', clear);
  app.addHook('onRequestAbort', clear);
}
