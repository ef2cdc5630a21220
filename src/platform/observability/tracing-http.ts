// HTTP server spans from Fastify hooks (no loader hooks, no patching): one SERVER span per request named
// `METHOD /route/pattern`, child of the incoming W3C `traceparent` (and `tracestate`), active for the hooks and the
// handler, with the stable HTTP semantic-convention attributes; a 5xx marks it as an error. Installed only when
// tracing is on (docs/tracing.md).
import type { IncomingHttpHeaders } from 'node:http';
import {
  type Context,
  context,
  defaultTextMapGetter,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_NETWORK_PROTOCOL_VERSION,
  ATTR_URL_PATH,
  ATTR_URL_SCHEME,
} from '@opentelemetry/semantic-conventions';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Tracing } from './tracing-context.ts';
import { requestTrace } from './tracing-context.ts';

const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'TRACE', 'CONNECT']);
const propagator = new W3CTraceContextPropagator();

interface RequestSpan {
  span: Span;
  ctx: Context;
  error?: unknown;
}
const kSpan = Symbol('emporium.serverSpan');
type WithSpan = FastifyRequest & { [kSpan]?: RequestSpan };

/** The caller's span context when its traceparent is valid and names the trace this request already logs under. */
function parentContext(headers: IncomingHttpHeaders, traceId: string): Context | undefined {
  const extracted = propagator.extract(ROOT_CONTEXT, headers, defaultTextMapGetter);
  const sc = trace.getSpanContext(extracted);
  return sc && sc.traceId === traceId ? extracted : undefined;
}

function end(r: RequestSpan, status: number | undefined): void {
  const { span } = r;
  if (status === undefined) {
    span.setAttribute(ATTR_ERROR_TYPE, 'aborted');
    span.setStatus({ code: SpanStatusCode.ERROR, message: 'client aborted the request' });
  } else {
    span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status);
  }
  if (status !== undefined && status >= 500) {
    span.setAttribute(ATTR_ERROR_TYPE, String(status));
    if (r.error instanceof Error) span.recordException(r.error);
    span.setStatus({ code: SpanStatusCode.ERROR });
  }
  span.end();
}

export function installHttpTracing(app: FastifyInstance, tracing: Tracing): void {
  const tracer = tracing.tracer;
  if (!tracer) return;

  // Callback-style hooks: everything after `done` (later hooks, body parsing, the handler) runs in the span's context.
  app.addHook('onRequest', (request, _reply, done) => {
    const t = requestTrace(request.raw);
    const parent = t.parent ? parentContext(request.headers, t.traceId) : undefined;
    if (!parent) tracing.setNextRootTraceId(t.traceId);
    const method = KNOWN_METHODS.has(request.method) ? request.method : '_OTHER';
    const route = request.routeOptions.url;
    const span = tracer.startSpan(
      route ? `${method} ${route}` : method,
      {
        kind: SpanKind.SERVER,
        attributes: {
          [ATTR_HTTP_REQUEST_METHOD]: method,
          [ATTR_URL_PATH]: request.url.split('?')[0] ?? request.url,
          [ATTR_URL_SCHEME]: request.protocol,
          [ATTR_NETWORK_PROTOCOL_VERSION]: request.raw.httpVersion,
          ...(route ? { [ATTR_HTTP_ROUTE]: route } : {}),
        },
      },
      parent ?? ROOT_CONTEXT,
    );
    tracing.setNextRootTraceId(undefined);
    const ctx = trace.setSpan(parent ?? ROOT_CONTEXT, span);
    (request as WithSpan)[kSpan] = { span, ctx };
    context.with(ctx, done);
  });

  // A body arrives in the socket's own async context: re-enter the span's before the auth hooks and the handler.
  app.addHook('preValidation', (request, _reply, done) => {
    const r = (request as WithSpan)[kSpan];
    if (r) context.with(r.ctx, done);
    else done();
  });

  app.addHook('onError', async (request, _reply, error) => {
    const r = (request as WithSpan)[kSpan];
    if (r) r.error = error;
  });

  app.addHook('onResponse', async (request, reply) => {
    const r = (request as WithSpan)[kSpan];
    if (!r) return;
    (request as WithSpan)[kSpan] = undefined;
    end(r, reply.statusCode);
  });

  app.addHook('onRequestAbort', async (request) => {
    const r = (request as WithSpan)[kSpan];
    if (!r) return;
    (request as WithSpan)[kSpan] = undefined;
    end(r, undefined);
  });
}
