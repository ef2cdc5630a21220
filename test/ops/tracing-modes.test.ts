// Trace ids with tracing off and on, and a collector that is down (docs/tracing.md): problem+json `traceId` and the
// request's log lines carry the OpenTelemetry trace id in both modes; off, no SDK and no export request at all; a
// collector that refuses connections never hurts a request.
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { access } from '../../src/platform/http/auth.ts';
import type { App } from '../../src/platform/http/server.ts';
import { createTestApp, type TestApp } from '../support/create-test-app.ts';
import { type OtlpReceiver, startOtlpReceiver } from '../support/otlp-receiver.ts';

const HEX32 = /^[0-9a-f]{32}$/;
const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';

/** A route that fails unexpectedly, so the request logs an error line and answers a 500 problem. */
const failingRoute = (app: App) => {
  app.get('/v1/test/boom', { config: { access: access.public } }, async () => {
    throw new Error('boom');
  });
};

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

type Line = Record<string, unknown>;

async function checkTraceIds(t: TestApp, logs: Line[]): Promise<void> {
  const given = await t.http.inject({
    method: 'GET',
    url: '/v1/test/boom',
    headers: { traceparent: `00-${TRACE}-00f067aa0ba902b7-01`, 'x-request-id': 'req-given-1' },
  });
  expect(given.statusCode).toBe(500);
  expect(given.headers['x-request-id']).toBe('req-given-1');
  expect(given.json().traceId).toBe(TRACE);
  expect(logs.find((l) => l.requestId === 'req-given-1' && l.msg === 'unhandled error')?.traceId).toBe(TRACE);

  const fresh = await t.http.inject({
    method: 'GET',
    url: '/v1/test/boom',
    headers: { 'x-request-id': 'req-fresh-1' },
  });
  const traceId = fresh.json().traceId as string;
  expect(traceId).toMatch(HEX32);
  expect(traceId).not.toBe(TRACE);
  expect(logs.find((l) => l.requestId === 'req-fresh-1' && l.msg === 'unhandled error')?.traceId).toBe(traceId);

  // An invalid traceparent (all-zero trace id) is ignored: a fresh id, never the zeros.
  const zeros = await t.http.inject({
    method: 'GET',
    url: '/v1/no-such-route',
    headers: { traceparent: '00-00000000000000000000000000000000-00f067aa0ba902b7-01' },
  });
  expect(zeros.json().traceId).toMatch(HEX32);
  expect(zeros.json().traceId).not.toBe('00000000000000000000000000000000');
}

describe('tracing off (no OTLP endpoint)', () => {
  let receiver: OtlpReceiver;
  let t: TestApp;
  const logs: Line[] = [];
  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    t = await createTestApp({
      workers: false,
      extraRoutes: failingRoute,
      logStream: { write: (line: string) => void logs.push(JSON.parse(line)) },
      // The standard variables other than the endpoint change nothing while no endpoint is set.
      env: { OTEL_SERVICE_NAME: 'emporium-off' },
    });
  }, 60_000);
  afterAll(async () => {
    await receiver?.close();
  });

  it('[REQ-TRC-004] [REQ-TRC-006] problem traceId and log lines are the trace id (incoming or fresh); no tracer, no export', async () => {
    expect(t.kernel.tracing.tracer).toBeUndefined();
    await checkTraceIds(t, logs);
    const ok = await t.http.inject({ method: 'GET', url: '/healthz' });
    expect(ok.statusCode).toBe(200);
    await t.close();
    // Closed (a provider would have flushed by now): the receiver never heard from this app.
    expect(receiver.requests).toBe(0);
  }, 30_000);
});

describe('tracing on', () => {
  let receiver: OtlpReceiver;
  let t: TestApp;
  const logs: Line[] = [];
  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    t = await createTestApp({
      workers: false,
      extraRoutes: failingRoute,
      logStream: { write: (line: string) => void logs.push(JSON.parse(line)) },
      env: { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${receiver.url}/v1/traces`, OTEL_BSP_SCHEDULE_DELAY: '50' },
    });
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await receiver?.close();
  });

  it('[REQ-TRC-004] [REQ-TRC-001] the same trace ids, and the 500 is an error span with the exception', async () => {
    await checkTraceIds(t, logs);
    const spans = await receiver.waitFor((all) => all.some((s) => s.traceId === TRACE && s.kind === 2));
    const server = spans.find((s) => s.traceId === TRACE && s.kind === 2);
    expect(server?.name).toBe('GET /v1/test/boom');
    expect(server?.parentSpanId).toBe('00f067aa0ba902b7');
    expect(server?.status.code).toBe(2); // ERROR
    expect(server?.attributes['http.response.status_code']).toBe(500);
    expect(server?.attributes['error.type']).toBe('500');
    // An unmatched path is named by its method alone, without a route.
    const all = await receiver.waitFor((xs) => xs.some((s) => s.attributes['url.path'] === '/v1/no-such-route'));
    const unmatched = all.find((s) => s.kind === 2 && s.attributes['url.path'] === '/v1/no-such-route');
    expect(unmatched?.name).toBe('GET');
    expect(unmatched?.attributes['http.route']).toBeUndefined();
    expect(unmatched?.attributes['http.response.status_code']).toBe(404);
  }, 30_000);
});

describe('tracing on, collector down', () => {
  let t: TestApp;
  const logs: Line[] = [];
  beforeAll(async () => {
    const port = await closedPort();
    t = await createTestApp({
      workers: false,
      logStream: { write: (line: string) => void logs.push(JSON.parse(line)) },
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`,
        OTEL_BSP_SCHEDULE_DELAY: '20',
        OTEL_EXPORTER_OTLP_TIMEOUT: '1000',
      },
    });
  }, 60_000);
  it('[REQ-TRC-005] requests still succeed; the failed exports are logged, never thrown', async () => {
    expect(t.kernel.tracing.tracer).toBeDefined();
    for (let i = 0; i < 20; i++) {
      const res = await t.http.inject({ method: 'GET', url: '/healthz' });
      expect(res.statusCode).toBe(200);
    }
    const until = Date.now() + 30_000;
    while (!logs.some((l) => l.msg === 'exporting spans failed; they are dropped')) {
      if (Date.now() > until) throw new Error('no export failure was logged');
      await new Promise((r) => setTimeout(r, 50));
    }
    const after = await t.http.inject({ method: 'GET', url: '/healthz' });
    expect(after.statusCode).toBe(200);
    await t.close();
  }, 60_000);
});
