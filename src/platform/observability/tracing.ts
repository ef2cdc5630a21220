// OpenTelemetry tracing of one app instance (docs/tracing.md). Off unless an OTLP endpoint is configured: then no SDK
// is loaded, no provider is registered and every instrumented call site skips its span on `tracer === undefined`.
// On, each kernel has its own provider (tests build several apps in one process), passed explicitly to the places
// that make spans: HTTP server, database, Redis, event relay, payment provider, webhooks, mail.
import {
  type Attributes,
  type Context,
  context,
  ROOT_CONTEXT,
  type Span,
  type SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import type { TracingConfig } from '../config-observability.ts';
import { formatTraceparent, remoteSpanContext, type Tracing } from './tracing-context.ts';

export type { Tracing };

export const TRACING_OFF: Tracing = {
  tracer: undefined,
  setNextRootTraceId: () => {},
  flush: async () => {},
  shutdown: async () => {},
};

/** Builds tracing from the configuration; the SDK is imported only when tracing is on. */
export async function createTracing(config: TracingConfig, onExportError?: (e: unknown) => void): Promise<Tracing> {
  if (!config.tracesUrl) return TRACING_OFF;
  const { createSdkTracing } = await import('./tracing-sdk.ts');
  return createSdkTracing(config, onExportError);
}

/**
 * Runs `fn` inside a span (made active, so SQL and outgoing calls nest under it); records a thrown error and ends
 * the span when `fn` settles. Without a tracer, just runs `fn`.
 */
export async function inSpan<T>(
  tracer: Tracer | undefined,
  name: string,
  options: { kind: SpanKind; attributes?: Attributes; parent?: Context },
  fn: (span: Span | undefined) => Promise<T>,
): Promise<T> {
  if (!tracer) return fn(undefined);
  const parent = options.parent ?? context.active();
  const span = tracer.startSpan(
    name,
    { kind: options.kind, ...(options.attributes ? { attributes: options.attributes } : {}) },
    parent,
  );
  try {
    return await context.with(trace.setSpan(parent, span), () => fn(span));
  } catch (e) {
    recordError(span, e);
    throw e;
  } finally {
    span.end();
  }
}

export function recordError(span: Span, e: unknown): void {
  const err = e instanceof Error ? e : new Error(String(e));
  span.recordException(err);
  span.setStatus({ code: SpanStatusCode.ERROR, message: err.message.slice(0, 200) });
  span.setAttribute('error.type', (e as { code?: unknown })?.code ? String((e as { code: unknown }).code) : err.name);
}

/** The `traceparent` header of a span, to send with an outgoing request we make (payment provider, webhooks). */
export function traceparentOf(span: Span | undefined): Record<string, string> {
  if (!span) return {};
  const sc = span.spanContext();
  return { traceparent: formatTraceparent(sc) };
}

/** The parent context for work continuing a stored traceparent (an event's, a delivery's); the root without one. */
export function parentFrom(traceparent: string | null | undefined): Context {
  const sc = remoteSpanContext(traceparent);
  return sc ? trace.setSpanContext(ROOT_CONTEXT, sc) : ROOT_CONTEXT;
}
