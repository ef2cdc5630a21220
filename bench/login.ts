// Login throughput and latency: `npm run bench:login` (env: BENCH_SECONDS=5, BENCH_CONNECTIONS=8,
// DATABASE_URL to use PostgreSQL instead of in-memory PGlite). One registered user signs in over and
// over through the real HTTP stack: argon2id verify (19 MiB, t=2), session + refresh token insert,
// audit row, EdDSA signature.
import type { AddressInfo } from 'node:net';
import autocannon from 'autocannon';
import { createApp } from '../src/app.ts';
import { loadConfig } from '../src/platform/config.ts';

const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 8);
const config = loadConfig({
  NODE_ENV: 'test',
  LOG_LEVEL: 'silent',
  DATABASE_URL: process.env.DATABASE_URL ?? 'memory://',
  RATE_LIMIT_MAX: '10000000',
});
const app = await createApp(config, { defaultMetrics: false });
await app.http.listen({ port: 0, host: '127.0.0.1' });
const url = `http://127.0.0.1:${(app.http.server.address() as AddressInfo).port}`;
const body = JSON.stringify({ email: `bench-${Date.now()}@example.com`, password: 'bench-pass-phrase-1' });
const reg = await fetch(`${url}/v1/auth/register`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body,
});
if (reg.status !== 201) throw new Error(`register failed: ${reg.status}`);

const result = await autocannon({
  url: `${url}/v1/auth/login`,
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body,
  connections,
  duration: seconds,
});
const summary = {
  database: app.kernel.db.kind,
  seconds,
  connections,
  requests: result.requests.total,
  non2xx: result.non2xx,
  errors: result.errors,
  loginsPerSecond: result.requests.average,
  latencyMs: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max },
};
process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
await app.close();
