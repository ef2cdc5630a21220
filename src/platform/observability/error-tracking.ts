// Error tracking with Sentry (@sentry/node), on only when SENTRY_DSN is set: the 5xx answers of the HTTP and GraphQL
// error handlers and the process-wide faults (unhandled rejections, uncaught exceptions) become Sentry events carrying
// the problem's traceId, the release, the route pattern, method and status (docs/error-tracking.md).
//
// Errors only, and nothing global: one NodeClient of our own (never Sentry.init), no default integrations, so Sentry
// patches no module (http, pg, console), registers no process handler of its own (process-faults.ts decides), sets
// up no OpenTelemetry tracer provider, context manager or propagator (tracing.ts owns those), and loads its runtime
// hooks for no module. Every event passes the scrubber (error-tracking-scrub.ts) on its way out. Sending is
// asynchronous and buffered: an unreachable Sentry costs a request nothing and never throws into it.
import { hostname } from 'node:os';
import type { NodeClient, Scope, SeverityLevel } from '@sentry/node';
import type { SentryConfig } from '../config-sentry.ts';
import { SAFE_HEADERS, scrubBreadcrumb, scrubEvent } from './error-tracking-scrub.ts';

/** What a request's failure is filed with. `traceId` is the value the client received in the problem body. */
export interface RequestErrorContext {
  traceId: string;
  method: string;
  /** The route pattern (`/v1/orders/:id`), never the URL: no ids or query values. */
  route: string;
  status: number;
  /** The problem's stable code (`internal`, `orders.place_failed`). */
  code: string;
  /** `http` (REST) or `graphql`. */
  surface: 'http' | 'graphql';
}

export type ProcessFaultKind = 'unhandledRejection' | 'uncaughtException';

export interface ErrorTracker {
  /** False when SENTRY_DSN is unset: every capture is a no-op and nothing of Sentry is loaded. */
  readonly enabled: boolean;
  captureRequestError(error: unknown, context: RequestErrorContext): void;
  captureProcessFault(error: unknown, kind: ProcessFaultKind): void;
  /** Resolves once everything captured so far is sent, or after timeoutMs (false then). */
  flush(timeoutMs: number): Promise<boolean>;
  /** Sends what is queued, waiting at most timeoutMs, then stops the client; false if something was left unsent. */
  close(timeoutMs: number): Promise<boolean>;
}

/**
 * Which answers are reported: every 5xx except 503. A 503 here is always a deliberate "retry later" with Retry-After
 * (database faults, an unreachable payment provider, the request deadline, an interrupted checkout): dependency
 * outages, counted in metrics and alerted on there, which would flood Sentry with one event per request otherwise.
 */
export function reportsStatus(status: number): boolean {
  return status >= 500 && status !== 503;
}

export const disabledErrorTracker: ErrorTracker = {
  enabled: false,
  captureRequestError() {},
  captureProcessFault() {},
  flush: async () => true,
  close: async () => true,
};

/** How long sending the event of an uncaught exception may take while the process shuts down. */
const FATAL_FLUSH_MS = 2_000;

const W3C_TRACE_ID = /^(?!0{32})[0-9a-f]{32}$/;

export interface ErrorTrackerOptions {
  /** Called when a capture itself fails (a bug in the tracker, never the transport): logged, never rethrown. */
  onInternalError?: (error: unknown) => void;
}

/** The tracker for this configuration: the disabled one without a DSN, else a Sentry client of our own. */
export async function createErrorTracker(
  config: SentryConfig,
  options: ErrorTrackerOptions = {},
): Promise<ErrorTracker> {
  if (!config.dsn) return disabledErrorTracker;
  // Loaded only when on: a process without SENTRY_DSN never loads Sentry at all.
  const Sentry = await import('@sentry/node');
  const client: NodeClient = new Sentry.NodeClient({
    dsn: config.dsn,
    environment: config.environment,
    release: config.release,
    sampleRate: config.sampleRate,
    serverName: hostname(),
    // Collect nothing about people or requests (the successor of sendDefaultPii: false); the scrubber is the backstop.
    dataCollection: {
      userInfo: false,
      cookies: false,
      httpHeaders: { request: { allow: [...SAFE_HEADERS] }, response: false },
      httpBodies: [],
      urlQueryParams: false,
      graphQL: { document: false, variables: false },
      genAI: { inputs: false, outputs: false },
      mcp: { inputs: false, outputs: false },
      databaseQueryData: false,
      queues: false,
      stackFrameVariables: false,
      frameContextLines: 0,
    },
    // Errors only: no spans, no sessions, no OpenTelemetry of its own, no load-time module hooks.
    enableOpenTelemetrySetup: false,
    enableRuntimeChannelInjection: false,
    // 'static' keeps the span-streaming integration (added by default) out: there are no spans to stream.
    traceLifecycle: 'static',
    sendClientReports: false,
    includeLocalVariables: false,
    debug: false,
    // Explicit and minimal: causes chained to their errors, runtime and OS context. Nothing that patches a module or
    // installs a process handler. No Dedupe: the same bug hit by two requests in a row is two events with two trace
    // ids (Sentry groups them into one issue), so every traceId a client quotes can be found.
    integrations: [Sentry.linkedErrorsIntegration(), Sentry.nodeContextIntegration()],
    transport: Sentry.makeNodeTransport,
    stackParser: Sentry.defaultStackParser,
    beforeSend: (event) => scrubEvent(event),
    beforeBreadcrumb: (breadcrumb) => scrubBreadcrumb(breadcrumb),
  });
  client.init();

  const capture = (error: unknown, level: SeverityLevel, mechanism: string, fill: (scope: Scope) => void) => {
    try {
      const scope = new Sentry.Scope();
      scope.setLevel(level);
      fill(scope);
      client.captureException(error, { data: { mechanism: { type: mechanism, handled: false } } }, scope);
    } catch (e) {
      options.onInternalError?.(e);
    }
  };

  const flush = (timeoutMs: number) => Promise.resolve(client.flush(timeoutMs)).catch(() => false);
  let closed: Promise<boolean> | undefined;
  return {
    enabled: true,
    captureRequestError(error, c) {
      capture(error, 'error', `${c.surface}.server`, (scope) => {
        scope.setTags({
          trace_id: c.traceId,
          'http.method': c.method,
          'http.route': c.route,
          'http.status_code': String(c.status),
          code: c.code,
          surface: c.surface,
        });
        scope.setTransactionName(`${c.method} ${c.route}`);
        scope.setContext('response', { status_code: c.status });
        // Sentry's own trace context is the same trace when the traceId is a W3C trace id (32 hex).
        if (W3C_TRACE_ID.test(c.traceId))
          scope.setPropagationContext({ traceId: c.traceId, sampleRand: Math.random() });
      });
    },
    captureProcessFault(error, kind) {
      const fatal = kind === 'uncaughtException';
      capture(error, fatal ? 'fatal' : 'error', `process.${kind}`, (scope) => {
        scope.setTags({ process_fault: kind });
      });
      // The process is about to shut down: start sending now rather than only at close.
      if (fatal) void flush(FATAL_FLUSH_MS);
    },
    flush,
    close(timeoutMs) {
      closed ??= Promise.resolve(client.close(timeoutMs)).catch(() => false);
      return closed;
    },
  };
}
