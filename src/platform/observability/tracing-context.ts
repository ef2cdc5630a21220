// W3C Trace Context without the SDK: the trace id of a request (problem+json `traceId`, log lines) in both modes,
// tracing on or off, and the `traceparent` recorded with outbox events. Only `@opentelemetry/api` is used here: with
// tracing off no SDK is loaded, and a request costs one header parse or one random id (docs/tracing.md).
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { context, type SpanContext, TraceFlags, type Tracer, trace } from '@opentelemetry/api';
import type { FastifyInstance } from 'fastify';

/** Tracing of one app instance (built by tracing.ts; the SDK part in tracing-sdk.ts). */
export interface Tracing {
  /** Undefined while tracing is off. */
  readonly tracer: Tracer | undefined;
  /** Before a root span starts (a request without a valid traceparent): the trace id it must get; undefined after. */
  setNextRootTraceId(traceId: string | undefined): void;
  /** Exports what is buffered (best effort, bounded by the export timeout). */
  flush(): Promise<void>;
  /** Flushes and stops exporting; later spans are dropped. */
  shutdown(): Promise<void>;
  /** With tracing on: adds SERVER spans to an HTTP app (tracing-http.ts, loaded with the SDK only). */
  installHttp?(app: FastifyInstance): void;
}

/** `version-traceid-parentid-flags`; version 00 has exactly these four fields, a later version may add more. */
const TRACEPARENT_RE = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const ZERO_TRACE = '00000000000000000000000000000000';
const ZERO_SPAN = '0000000000000000';

export interface ParsedTraceparent {
  traceId: string;
  spanId: string;
  traceFlags: number;
}

/** A valid W3C `traceparent`, or undefined (the rules of the W3C Trace Context propagator). */
export function parseTraceparent(header: unknown): ParsedTraceparent | undefined {
  if (typeof header !== 'string' || header.length > 512) return undefined;
  const m = TRACEPARENT_RE.exec(header.trim());
  if (!m) return undefined;
  const [, version, traceId, spanId, flags, rest] = m as unknown as [string, string, string, string, string, string?];
  if (version === 'ff' || (version === '00' && rest !== undefined)) return undefined;
  if (traceId === ZERO_TRACE || spanId === ZERO_SPAN) return undefined;
  return { traceId, spanId, traceFlags: Number.parseInt(flags, 16) };
}

export function formatTraceparent(sc: Pick<SpanContext, 'traceId' | 'spanId' | 'traceFlags'>): string {
  return `00-${sc.traceId}-${sc.spanId}-${(sc.traceFlags & 0xff).toString(16).padStart(2, '0')}`;
}

/** A fresh random trace id: 32 lowercase hex digits (a v4 UUID's 122 random bits, never all zeros). */
export function freshTraceId(): string {
  return randomUUID().replaceAll('-', '');
}

/** What a request knows about its trace before any span exists (set once, when Fastify makes its logger). */
export interface RequestTrace {
  traceId: string;
  /** The caller's span, when a valid `traceparent` came in (the server span's remote parent). */
  parent: ParsedTraceparent | undefined;
}

const kTrace = Symbol('emporium.trace');
type Traced = IncomingMessage & { [kTrace]?: RequestTrace };

/**
 * The trace of a raw request: from a valid incoming `traceparent`, else a fresh trace id. Computed once and kept
 * on the request, so the log line, the problem body and the server span all carry the same id.
 */
export function requestTrace(raw: IncomingMessage): RequestTrace {
  const r = raw as Traced;
  let t = r[kTrace];
  if (!t) {
    const parent = parseTraceparent(raw.headers.traceparent);
    t = { traceId: parent ? parent.traceId : freshTraceId(), parent };
    r[kTrace] = t;
  }
  return t;
}

/** The OpenTelemetry trace id of a request (32 lowercase hex): problem+json `traceId`, GraphQL errors, logs. */
export function traceIdOf(request: { raw: IncomingMessage }): string {
  return requestTrace(request.raw).traceId;
}

/**
 * The `traceparent` to record with an event appended now: the active span's when tracing is on (the consumer span
 * then continues that trace), else the one the request came with (`fallback`, the Ctx's), else none.
 */
export function currentTraceparent(fallback: string | undefined): string | null {
  const sc = trace.getSpanContext(context.active());
  if (sc && sc.traceId !== ZERO_TRACE) return formatTraceparent(sc);
  return fallback ?? null;
}

/** A remote span context from a stored `traceparent` (an outbox event's), for a consumer span's parent. */
export function remoteSpanContext(traceparent: string | null | undefined): SpanContext | undefined {
  const p = parseTraceparent(traceparent);
  if (!p) return undefined;
  return { traceId: p.traceId, spanId: p.spanId, traceFlags: p.traceFlags & TraceFlags.SAMPLED, isRemote: true };
}

/** `{ traceparent }` of the active span, for a request we send (payment provider, webhooks); empty without one. */
export function activeTraceparent(): { traceparent?: string } {
  const sc = trace.getSpanContext(context.active());
  return sc && sc.traceId !== ZERO_TRACE ? { traceparent: formatTraceparent(sc) } : {};
}
