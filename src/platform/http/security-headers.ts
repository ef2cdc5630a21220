// Helmet's security headers on every reply, decided once. @fastify/helmet built Helmet's whole middleware chain
// again for every request, in two hooks: about a quarter of a health check's server CPU, and an eighth of what V8
// promoted to its old generation under load (docs/benchmarks.md, "Per-request garbage"). With the options fixed (no CSP nonces: API answers are JSON), Helmet sets the same headers
// on every response, so it runs once at start-up against a recorder, and one hook copies what it set.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import helmet, { type HelmetOptions } from 'helmet';

/** The headers Helmet sets on a response for `options` (lower-case names), found by running it once. */
export function helmetHeaders(options: HelmetOptions): Record<string, string> {
  const headers: Record<string, string> = {};
  const recorder = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()];
    },
  };
  helmet(options)({} as IncomingMessage, recorder as unknown as ServerResponse, (err?: unknown) => {
    if (err) throw err;
  });
  return headers;
}

/** Every reply of `app` (404s and errors included) carries Helmet's headers; a route may still override one. */
export function installSecurityHeaders(app: FastifyInstance, options: HelmetOptions): void {
  const headers = helmetHeaders(options);
  app.addHook('onRequest', (_request, reply, done) => {
    reply.headers(headers);
    done();
  });
}
