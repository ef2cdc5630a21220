// Error tracking end to end: a real app with SENTRY_DSN pointing at a local envelope receiver (test/support/
// sentry-receiver.ts). What is reported (5xx with the problem's traceId, release, route, method, status; process
// faults; GraphQL internal errors), what is not (4xx, 503), what never leaves (credentials, personal data, bodies),
// and that error tracking off is nothing and error tracking unreachable costs requests nothing.
import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getClient } from '@sentry/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/platform/config.ts';
import { AppError, errors } from '../../src/platform/errors.ts';
import { disabledErrorTracker } from '../../src/platform/observability/error-tracking.ts';
import { createLogger } from '../../src/platform/observability/logger.ts';
import { installProcessFaultPolicy } from '../../src/platform/process-faults.ts';
import { createTestApp, type TestApp } from '../support/create-test-app.ts';
import { graphql } from '../support/graphql.ts';
import { type SentryEvent, type SentryReceiver, startSentryReceiver } from '../support/sentry-receiver.ts';

const TRACE = '0af7651916cd43dd8448eb211c80319c';
const TRACEPARENT = `00-${TRACE}-b7ad6b7169203331-01`;
const EMAIL = 'jane.doe@example.com';
const TOKEN = 'secret-bearer-token-7f3a9c';
const COOKIE = 'session=cookie-secret-51e2';
const CART_TOKEN = 'cart-token-secret-88d1';
const BODY_NOTE = 'body-only-note-3c9b';
const RELEASE = 'emporium@9.9.9-test';

/** The @opentelemetry/api global registry (major version 1): tracer provider, context manager, propagator. */
const otelGlobals = () => {
  const registry = (globalThis as Record<symbol, Record<string, unknown> | undefined>)[
    Symbol.for('opentelemetry.js.api.1')
  ];
  return registry ? { ...registry } : undefined;
};

function testRoutes(http: TestApp['http']): void {
  http.post('/v1/test/boom', async (req) => {
    // The kind of message that leaks input: it quotes the email it was given.
    throw new Error(`no customer for ${(req.body as { email?: string }).email}`);
  });
  http.get('/v1/test/conflict', async () => {
    throw new AppError(409, 'test.conflict', 'Conflict', { detail: 'already there' });
  });
  http.get('/v1/test/unavailable', async () => {
    throw errors.unavailable('test.unavailable', 'A dependency is down; retry shortly.', 1);
  });
  http.get('/v1/test/place-failed', async () => {
    throw new AppError(500, 'test.place_failed', 'Internal Server Error', { detail: 'could not place' });
  });
  http.get('/v1/test/sentinel/:n', async (req) => {
    throw new Error(`sentinel ${(req.params as { n: string }).n}`);
  });
  http.get('/v1/test/ok', async () => ({ ok: true }));
  http.get('/v1/test/same', async () => {
    throw new Error('the same bug every time');
  });
}

const probeModule = {
  name: 'error_tracking_probe',
  graphql: {
    typeDefs: 'extend type Query { errorTrackingBoom: String }',
    resolvers: {
      Query: {
        errorTrackingBoom: () => {
          throw new Error(`resolver failed for ${EMAIL}`);
        },
      },
    },
  },
};

let receiver: SentryReceiver;
let t: TestApp;
let otelBefore: ReturnType<typeof otelGlobals>;
const processListeners = () => ({
  unhandledRejection: process.listenerCount('unhandledRejection'),
  uncaughtException: process.listenerCount('uncaughtException'),
});
let listenersBefore: ReturnType<typeof processListeners>;

beforeAll(async () => {
  receiver = await startSentryReceiver();
  otelBefore = otelGlobals();
  listenersBefore = processListeners();
  t = await createTestApp({
    workers: false,
    env: { SENTRY_DSN: receiver.dsn, SENTRY_RELEASE: RELEASE, SENTRY_ENVIRONMENT: 'ci' },
    extraRoutes: testRoutes,
    extraModules: [probeModule],
  });
});
afterAll(async () => {
  await t?.close();
  await receiver?.close();
});

const byRoute = (route: string) => (e: SentryEvent) => e.tags?.['http.route'] === route;

describe('error tracking (Sentry)', () => {
  it('[REQ-ERR-002] [REQ-ERR-003] an unexpected error answers 500 and one scrubbed event carries its traceId, release, route, method and status', async () => {
    const res = await t.http.inject({
      method: 'POST',
      url: `/v1/test/boom?email=${encodeURIComponent(EMAIL)}&page=2`,
      headers: {
        authorization: `Bearer ${TOKEN}`,
        cookie: COOKIE,
        'x-cart-token': CART_TOKEN,
        'user-agent': 'Mozilla/5.0 (Test) jane-browser',
        'x-forwarded-for': '203.0.113.77',
        traceparent: TRACEPARENT,
        'x-request-id': TRACE,
        'content-type': 'application/json',
      },
      payload: { email: EMAIL, note: BODY_NOTE },
    });
    expect(res.statusCode).toBe(500);
    const problem = res.json() as { code: string; traceId: string };
    expect(problem.code).toBe('internal');
    expect(problem.traceId).toBe(TRACE);

    const event = await receiver.waitForEvent(byRoute('/v1/test/boom'));
    expect(event.tags).toMatchObject({
      trace_id: problem.traceId,
      'http.method': 'POST',
      'http.route': '/v1/test/boom',
      'http.status_code': '500',
      code: 'internal',
      surface: 'http',
    });
    expect(event.contexts.trace.trace_id).toBe(problem.traceId);
    expect(event.release).toBe(RELEASE);
    expect(event.environment).toBe('ci');
    expect(event.level).toBe('error');
    expect(event.transaction).toBe('POST /v1/test/boom');
    expect(event.exception.values[0]).toMatchObject({ type: 'Error', value: 'no customer for [email]' });
    expect(event.exception.values[0].mechanism).toMatchObject({ type: 'http.server', handled: false });
    expect(event.exception.values[0].stacktrace.frames.length).toBeGreaterThan(0);
    expect(event.user).toBeUndefined();
    // Only the integrations we chose: nothing that patches http, pg or console, or installs process handlers.
    expect(event.sdk.integrations).toEqual(['LinkedErrors', 'Context']);

    // Nothing secret or personal anywhere in what went over the wire, whatever field it might have hidden in.
    const envelope = receiver.envelopes.find((e) => e.raw.includes('/v1/test/boom'));
    expect(envelope).toBeDefined();
    for (const secret of [
      TOKEN,
      'cookie-secret',
      CART_TOKEN,
      EMAIL,
      'jane.doe',
      BODY_NOTE,
      'jane-browser',
      '203.0.113.77',
    ]) {
      expect(envelope?.raw, secret).not.toContain(secret);
    }
    expect(receiver.events().filter(byRoute('/v1/test/boom'))).toHaveLength(1);
  });

  it('[REQ-ERR-002] 4xx answers and deliberate 503s send nothing; a known 500 is sent', async () => {
    const before = receiver.events().length;
    expect((await t.http.inject({ method: 'GET', url: '/v1/test/conflict' })).statusCode).toBe(409);
    expect((await t.http.inject({ method: 'GET', url: '/v1/test/nope' })).statusCode).toBe(404);
    const malformed = await t.http.inject({
      method: 'POST',
      url: '/v1/test/boom',
      headers: { 'content-type': 'application/json' },
      payload: '{"email":',
    });
    expect(malformed.statusCode).toBe(400);
    expect((await t.http.inject({ method: 'GET', url: '/v1/test/unavailable' })).statusCode).toBe(503);
    const known = await t.http.inject({ method: 'GET', url: '/v1/test/place-failed' });
    expect(known.statusCode).toBe(500);
    const sentinel = await t.http.inject({ method: 'GET', url: '/v1/test/sentinel/1' });
    expect(sentinel.statusCode).toBe(500);

    await receiver.waitForEvent(byRoute('/v1/test/sentinel/:n'));
    // Everything captured so far has been sent and answered: what arrived is all there will be.
    expect(await t.kernel.errorTracking.flush(10_000)).toBe(true);
    const arrived = receiver.events().slice(before);
    expect(arrived.map((e) => `${e.tags['http.route']} ${e.tags['http.status_code']} ${e.tags.code}`).sort()).toEqual([
      '/v1/test/place-failed 500 test.place_failed',
      '/v1/test/sentinel/:n 500 internal',
    ]);
    const knownEvent = arrived.find(byRoute('/v1/test/place-failed'));
    // Without a traceparent the traceId is a fresh one; the event carries that same id.
    const knownTrace = (known.json() as { traceId: string }).traceId;
    expect(knownEvent?.tags.trace_id).toBe(knownTrace);
    expect(knownEvent?.contexts.trace.trace_id).toBe(knownTrace);
  });

  it('[REQ-ERR-002] the same bug hit by two requests in a row is two events, each with its own traceId', async () => {
    const a = await t.http.inject({ method: 'GET', url: '/v1/test/same' });
    const b = await t.http.inject({ method: 'GET', url: '/v1/test/same' });
    const ids = [a, b].map((r) => (r.json() as { traceId: string }).traceId);
    expect(ids[0]).not.toBe(ids[1]);
    await receiver.waitForEvent((e) => e.tags?.trace_id === ids[0]);
    await receiver.waitForEvent((e) => e.tags?.trace_id === ids[1]);
    expect(receiver.events().filter(byRoute('/v1/test/same'))).toHaveLength(2);
  });

  it('[REQ-ERR-005] a GraphQL internal error is sent with the traceId its extensions carry', async () => {
    const answer = await graphql(t, '{ errorTrackingBoom }', undefined, { traceparent: TRACEPARENT });
    const error = answer.body.errors?.[0];
    expect(error?.extensions.code).toBe('internal');
    const traceId = error?.extensions.traceId as string;
    expect(traceId).toMatch(/^\S+$/);
    const event = await receiver.waitForEvent((e) => e.tags?.surface === 'graphql');
    expect(event.tags).toMatchObject({
      trace_id: traceId,
      'http.method': 'POST',
      'http.route': '/graphql',
      'http.status_code': '500',
      code: 'internal',
    });
    expect(event.exception.values[0].value).toBe('resolver failed for [email]');
    expect(event.release).toBe(RELEASE);
    expect(JSON.stringify(event)).not.toContain(EMAIL);
  });

  it('[REQ-ERR-004] process faults routed through the process-wide policy are sent: a rejection as error, an uncaught exception as fatal before the shutdown', async () => {
    const proc = new EventEmitter();
    const shutdowns: [string, number][] = [];
    installProcessFaultPolicy(proc, {
      logger: createLogger('silent'),
      metrics: t.kernel.metrics,
      shutdown: (reason, code) => shutdowns.push([reason, code]),
      errorTracking: t.kernel.errorTracking,
    });
    proc.emit('unhandledRejection', new Error(`nobody awaited the mail to ${EMAIL}`), Promise.resolve());
    const rejection = await receiver.waitForEvent((e) => e.tags?.process_fault === 'unhandledRejection');
    expect(rejection.level).toBe('error');
    expect(rejection.release).toBe(RELEASE);
    expect(rejection.exception.values[0]).toMatchObject({ type: 'Error', value: 'nobody awaited the mail to [email]' });
    expect(rejection.exception.values[0].mechanism).toMatchObject({
      type: 'process.unhandledRejection',
      handled: false,
    });
    expect(shutdowns).toEqual([]);

    proc.emit('uncaughtException', new TypeError('state is gone'), 'uncaughtException');
    const fatal = await receiver.waitForEvent((e) => e.tags?.process_fault === 'uncaughtException');
    expect(fatal.level).toBe('fatal');
    expect(fatal.exception.values[0]).toMatchObject({ type: 'TypeError', value: 'state is gone' });
    expect(shutdowns).toEqual([['uncaughtException', 70]]);
  });

  it('[REQ-ERR-004] in a real process, both faults arrive before it exits with code 70', async () => {
    const child = spawn(
      process.execPath,
      [
        '--experimental-strip-types',
        '--disable-warning=ExperimentalWarning',
        join(import.meta.dirname, '../support/error-tracking-child.ts'),
      ],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
        env: { ...process.env, SENTRY_DSN: receiver.dsn, SENTRY_RELEASE: 'child@1' },
      },
    );
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code, stderr).toBe(70);
    // The process has exited: whatever it sent has arrived (its shutdown waited for the sending to finish).
    const fromChild = receiver.events().filter((e) => e.release === 'child@1');
    expect(fromChild.map((e) => `${e.level} ${e.tags.process_fault} ${e.exception.values[0].value}`).sort()).toEqual([
      'error unhandledRejection nobody awaited this in the child process',
      'fatal uncaughtException nobody catches this in the child process',
    ]);
  });

  it('[REQ-ERR-006] Sentry stays out of the process: no global client, no process handlers, no OpenTelemetry globals', async () => {
    expect(t.kernel.errorTracking.enabled).toBe(true);
    expect(getClient()).toBeUndefined();
    expect(processListeners()).toEqual(listenersBefore);
    const after = otelGlobals();
    expect(after === undefined ? undefined : Object.keys(after).sort()).toEqual(
      otelBefore === undefined ? undefined : Object.keys(otelBefore).sort(),
    );
    for (const key of Object.keys(otelBefore ?? {})) expect(after?.[key]).toBe(otelBefore?.[key]);
  });
});

describe('error tracking settings and absence', () => {
  it('[REQ-ERR-001] settings are validated at start; defaults: off, NODE_ENV, the package version, every event', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(loadConfig({ NODE_ENV: 'test' }).sentry).toEqual({
      dsn: undefined,
      environment: 'test',
      release: `emporium@${pkg.version}`,
      sampleRate: 1,
    });
    expect(
      loadConfig({
        SENTRY_DSN: 'https://k@o1.ingest.example.io/42',
        SENTRY_SAMPLE_RATE: '0.25',
        SENTRY_RELEASE: 'shop@1.2.3',
      }).sentry,
    ).toMatchObject({ dsn: 'https://k@o1.ingest.example.io/42', sampleRate: 0.25, release: 'shop@1.2.3' });
    const refused = (env: Record<string, string>) => {
      try {
        loadConfig(env);
      } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        return (e as ConfigError).variable;
      }
      return 'accepted';
    };
    expect(refused({ SENTRY_DSN: 'not a url' })).toBe('SENTRY_DSN');
    expect(refused({ SENTRY_DSN: 'ftp://k@host/1' })).toBe('SENTRY_DSN');
    expect(refused({ SENTRY_DSN: 'https://host.example/1' })).toBe('SENTRY_DSN');
    expect(refused({ SENTRY_DSN: 'https://k@host.example/' })).toBe('SENTRY_DSN');
    expect(refused({ SENTRY_SAMPLE_RATE: '1.5' })).toBe('SENTRY_SAMPLE_RATE');
    expect(refused({ SENTRY_SAMPLE_RATE: 'half' })).toBe('SENTRY_SAMPLE_RATE');
    expect(refused({ SENTRY_ENVIRONMENT: 'prod/eu' })).toBe('SENTRY_ENVIRONMENT');
    expect(refused({ SENTRY_RELEASE: 'has space' })).toBe('SENTRY_RELEASE');
  });

  it('[REQ-ERR-001] without SENTRY_DSN nothing is initialised and a 500 is answered as before', async () => {
    const beforeExit = process.listenerCount('beforeExit');
    const off = await createTestApp({ workers: false, services: false, extraRoutes: testRoutes });
    try {
      expect(off.config.sentry.dsn).toBeUndefined();
      expect(off.kernel.errorTracking).toBe(disabledErrorTracker);
      expect(off.http.errorTracking).toBe(disabledErrorTracker);
      // A Sentry client registers a beforeExit flush listener; none was added.
      expect(process.listenerCount('beforeExit')).toBe(beforeExit);
      const res = await off.http.inject({ method: 'GET', url: '/v1/test/sentinel/off' });
      expect(res.statusCode).toBe(500);
      expect((res.json() as { code: string }).code).toBe('internal');
    } finally {
      await off.close();
    }
  });

  it('[REQ-ERR-006] with Sentry unreachable, requests are still answered and closing is bounded', async () => {
    const gone = await startSentryReceiver();
    const dsn = gone.dsn;
    await gone.close();
    const beforeExit = process.listenerCount('beforeExit');
    const down = await createTestApp({
      workers: false,
      services: false,
      env: { SENTRY_DSN: dsn },
      extraRoutes: testRoutes,
    });
    try {
      expect(down.kernel.errorTracking.enabled).toBe(true);
      // The enabled client is real (it registers its beforeExit flush), so the absence above means something.
      expect(process.listenerCount('beforeExit')).toBe(beforeExit + 1);
      for (let i = 0; i < 20; i++) {
        const res = await down.http.inject({ method: 'GET', url: `/v1/test/sentinel/${i}` });
        expect(res.statusCode).toBe(500);
        expect((res.json() as { code: string }).code).toBe('internal');
      }
      expect((await down.http.inject({ method: 'GET', url: '/v1/test/ok' })).statusCode).toBe(200);
      // Sending failed (connection refused); flushing still ends, whatever it reports.
      expect(typeof (await down.kernel.errorTracking.flush(5_000))).toBe('boolean');
    } finally {
      await down.close();
    }
    expect(process.listenerCount('beforeExit')).toBe(beforeExit);
  });
});
