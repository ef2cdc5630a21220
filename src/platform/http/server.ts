// The Fastify factory: request ids, logging, problem+json errors, security headers, CORS,
// body limits, rate limits, metrics and OpenAPI. Modules add routes to the instance it returns.
import { randomUUID } from 'node:crypto';
import cors from '@fastify/cors';
import rateLimit from '@fastify/rate-limit';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance, LogController } from 'fastify';
import type { Redis } from 'ioredis';
import type { RedisHealth } from '../cache/redis-health.ts';
import type { Config, TrustProxy } from '../config.ts';
import { type DbFaultKind, dbFaultKind, faultCode } from '../db/faults.ts';
import { AppError, errors } from '../errors.ts';
import { disabledErrorTracker, type ErrorTracker } from '../observability/error-tracking.ts';
import { reportHttpError } from '../observability/error-tracking-http.ts';
import { loggableError } from '../observability/logged-error.ts';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import { lazyRequestLogger } from '../observability/request-logger.ts';
import type { Tracing } from '../observability/tracing.ts';
import { requestTrace } from '../observability/tracing-context.ts';
import { registerAdminStatic } from './admin-static.ts';
import type { App } from './app-type.ts';
import { clientErrorHandler } from './client-error.ts';
import { installRequestDeadline } from './deadline.ts';
import { idempotencyErrors } from './idempotency-errors.ts';
import { installInputGuard } from './input-guard.ts';
import { installJsonBody } from './json-body.ts';
import { createLazySchemas, type LazySchemas, lazySerializerFactory } from './lazy-compile.ts';
import { registerOpenApi } from './openapi.ts';
import { RATE_LIMIT_EXEMPT_ROUTES } from './openapi-contract.ts';
import { fieldErrors, isAppError, ProblemSchema, sendProblem } from './problem.ts';
import { redisStoreWithFallback } from './rate-limit-store.ts';
import { documentRoute } from './route-docs.ts';
import { createMethodIndex } from './routes-index.ts';
import { installSecurityHeaders } from './security-headers.ts';
import { createValidatorCompiler } from './validation.ts';

export type { App };

export interface HttpDeps {
  config: Config;
  logger: Logger;
  metrics: Metrics;
  redis: Redis | undefined;
  /** Whether Redis answers; set with `redis`. */
  redisHealth?: RedisHealth | undefined;
  /** Server spans when tracing is on (docs/tracing.md). */
  tracing?: Tracing | undefined;
  /** Where 5xx answers are reported (SENTRY_DSN); none by default. */
  errorTracking?: ErrorTracker | undefined;
  /** The built admin dashboard served at /admin (default admin/dist; see admin-static.ts). */
  adminDir?: string;
}

/** Fastify's trustProxy: a hop count becomes "the nearest N hops are proxies" (its types take no number). */
function trustProxyOption(t: TrustProxy): boolean | string[] | ((address: string, hop: number) => boolean) {
  return typeof t === 'number' ? (_address, hop) => hop < t : t;
}

/** A database fault the client may retry: 503 `service.unavailable` with Retry-After, never a 500 (db/faults.ts). */
const FAULT_DETAIL: Record<DbFaultKind, string> = {
  pool_wait: 'No database connection is free right now; retry shortly.',
  statement_timeout: 'The database did not answer in time; retry shortly.',
  connection: 'The database is unreachable right now; retry shortly.',
  unavailable: 'The database is unreachable right now; retry shortly.',
};

const faultProblem = (kind: DbFaultKind) => errors.unavailable('service.unavailable', FAULT_DETAIL[kind], 1);

/**
 * A route that requires an Idempotency-Key declares the header required (so OpenAPI and generated clients say so);
 * its absence keeps its own stable code rather than the generic validation one.
 */
function missingIdempotencyKey(error: FastifyError): boolean {
  return (
    error.validationContext === 'headers' &&
    (error.validation ?? []).some(
      (v) =>
        v.keyword === 'required' && (v.params as { missingProperty?: string }).missingProperty === 'idempotency-key',
    )
  );
}

/**
 * The kind of database fault an error is, if it is one. An error Fastify marked as the client's (a 4xx status, e.g.
 * the request body's stream reset by a client that went away: `ECONNRESET`, "aborted") is never a database fault.
 */
function faultOf(error: unknown): DbFaultKind | undefined {
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) return undefined;
  return dbFaultKind(error);
}

export function databaseFaultError(error: unknown): AppError | undefined {
  const kind = faultOf(error);
  return kind ? faultProblem(kind) : undefined;
}

/** As databaseFaultError, counted in the metrics (the REST error handler). */
function databaseFault(error: unknown, metrics: Metrics): AppError | undefined {
  const kind = faultOf(error);
  if (!kind) return undefined;
  metrics.dependencyErrors.inc({ dependency: 'postgres', kind });
  if (kind === 'pool_wait') metrics.dbPoolWaitTimeouts.inc();
  return faultProblem(kind);
}

const REQUEST_ID_RE = /^[A-Za-z0-9._:-]{1,128}$/;

/** Maps Fastify's own error codes to our problem codes (also used by the GraphQL error formatter). */
export function platformError(error: FastifyError): AppError | undefined {
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new AppError(400, 'request.malformed_json', 'Malformed JSON', { detail: error.message });
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError(413, 'request.body_too_large', 'Payload too large', { detail: error.message });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new AppError(415, 'request.unsupported_media_type', 'Unsupported media type', {
        detail: 'Send application/json.',
      });
    case 'FST_ERR_CTP_INVALID_TYPE':
      return new AppError(400, 'request.invalid_content_type', 'Invalid content type', { detail: error.message });
    case 'FST_ERR_VALIDATION':
      if (missingIdempotencyKey(error)) return idempotencyErrors.required();
      return errors.validation(fieldErrors(error), error.message);
    default:
      break;
  }
  if (error.validation) {
    if (missingIdempotencyKey(error)) return idempotencyErrors.required();
    return errors.validation(fieldErrors(error), error.message);
  }
  // Errors from plugins that carry a 4xx status (e.g. a body parser) are the client's, not ours.
  if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
    return new AppError(error.statusCode, 'request.invalid', 'Bad request', { detail: error.message });
  }
  return undefined;
}

const lazySchemasOf = new WeakMap<object, LazySchemas>();

/** Compiles every route schema still deferred (tests: each must build); throws the first that does not. */
export function compileAllSchemas(app: App): number {
  return lazySchemasOf.get(app)?.compileAll() ?? 0;
}

export async function createHttpServer(deps: HttpDeps): Promise<App> {
  const { config, logger, metrics } = deps;
  const lazy = createLazySchemas();
  const app = Fastify({
    // Validators and response serializers compile on first use, not while the app gets ready (lazy-compile.ts).
    schemaController: { compilersFactory: { buildSerializer: lazySerializerFactory(lazy) } },
    loggerInstance: logger as FastifyBaseLogger,
    // Per-request lines only at debug/trace: at info they would cost more than most handlers.
    logController: new LogController({
      disableRequestLogging: config.logLevel !== 'debug' && config.logLevel !== 'trace',
      requestIdLogLabel: 'requestId',
    }),
    // Every request's log lines carry its OpenTelemetry trace id (the incoming traceparent's, else a fresh one).
    // The child logger is made when the request writes its first line (request-logger.ts).
    childLoggerFactory: (parent, bindings, opts, raw) =>
      lazyRequestLogger(parent, () => ({ ...bindings, traceId: requestTrace(raw).traceId }), opts),
    bodyLimit: config.bodyLimitBytes,
    trustProxy: trustProxyOption(config.trustProxy),
    return503OnClosing: true,
    requestIdHeader: false,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID_RE.test(given) ? given : randomUUID();
    },
    // What Node's HTTP parser refuses (431, malformed requests) is problem+json too (client-error.ts).
    clientErrorHandler: clientErrorHandler((code) => metrics.httpErrors.inc({ code })),
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
    // A URL the router cannot decode, or a path parameter over maxParamLength, is the client's mistake.
    frameworkErrors: (error, request, reply) => {
      const e =
        error.code === 'FST_ERR_MAX_PARAM_LENGTH'
          ? new AppError(414, 'request.uri_too_long', 'URI too long', {
              detail: 'A path parameter is longer than the server accepts.',
            })
          : new AppError(400, 'request.invalid_url', 'Invalid URL', { detail: 'The URL is not validly encoded.' });
      metrics.httpErrors.inc({ code: e.code });
      return sendProblem(request, reply, e);
    },
  }).withTypeProvider<TypeBoxTypeProvider>();

  deps.tracing?.installHttp?.(app as unknown as FastifyInstance);
  app.setValidatorCompiler(createValidatorCompiler(lazy));
  lazySchemasOf.set(app, lazy);
  // Our routes take JSON (a few declare their own types, e.g. CSV imports): a text/plain body is 415, not parsed as a
  // string that then fails validation with 400.
  app.removeContentTypeParser('text/plain');
  // JSON bodies are strict UTF-8 and uncompressed (json-body.ts).
  installJsonBody(app);
  app.addSchema(ProblemSchema);
  const methods = createMethodIndex();

  // Every route documents the problem responses the platform may answer with and gets an operationId.
  app.addHook('onRoute', (route) => {
    // The CORS plugin's catch-all OPTIONS route would otherwise make every unknown path a 405.
    if (route.url !== '*' && route.url !== '/*') methods.add(route.method, route.url);
    documentRoute(route);
  });
  installInputGuard(app);

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  installRequestDeadline(app, config.requestTimeoutMs, metrics);

  // During shutdown, responses to in-flight requests close their connection, so close() is not
  // held up by idle keep-alive sockets.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', async (_request, reply, payload) => {
    if (closing) reply.header('connection', 'close');
    return payload;
  });

  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.httpDuration.observe(
      { method: request.method, route, status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });

  const errorTracking = deps.errorTracking ?? disabledErrorTracker;
  app.decorate('errorTracking', errorTracking);
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const fault = isAppError(error) ? undefined : databaseFault(error, metrics);
    if (fault) {
      request.log.warn({ code: faultCode(error), route: request.routeOptions.url }, 'database connection error');
      return sendProblem(request, reply, fault);
    }
    const known = isAppError(error) ? error : platformError(error);
    if (known) {
      metrics.httpErrors.inc({ code: known.code });
      if (known.status >= 500) {
        request.log.error({ err: loggableError(error) }, known.code);
        reportHttpError(errorTracking, error, request, known);
      }
      return sendProblem(request, reply, known);
    }
    request.log.error({ err: loggableError(error) }, 'unhandled error');
    metrics.httpErrors.inc({ code: 'internal' });
    const internal = new AppError(500, 'internal', 'Internal server error', {
      detail: 'An unexpected error occurred. Quote the traceId when reporting it.',
    });
    reportHttpError(errorTracking, error, request, internal);
    return sendProblem(request, reply, internal);
  });

  // Helmet's headers, decided once (security-headers.ts). API responses are JSON: no CSP here; the admin dashboard
  // sets its own (admin-static.ts).
  installSecurityHeaders(app as unknown as FastifyInstance, {
    contentSecurityPolicy: false,
    crossOriginResourcePolicy: { policy: 'same-site' },
  });
  await app.register(cors, {
    origin: config.corsOrigins.includes('*') ? true : config.corsOrigins.length ? config.corsOrigins : false,
    credentials: !config.corsOrigins.includes('*'),
    exposedHeaders: [
      'x-request-id',
      'etag',
      'retry-after',
      'location',
      'x-ratelimit-limit',
      'x-ratelimit-remaining',
      'x-ratelimit-reset',
    ],
  });
  await app.register(rateLimit, {
    global: true,
    max: config.rateLimit.max,
    timeWindow: config.rateLimit.windowMs,
    // Counters shared through Redis; per process while Redis is away (never unlimited, never an error).
    ...(deps.redis && deps.redisHealth
      ? { store: redisStoreWithFallback(deps.redis, `${config.redisKeyPrefix}rl:`, deps.redisHealth) }
      : {}),
    skipOnError: true,
    // The same list the OpenAPI document uses to leave these routes' rate-limit headers out.
    allowList: (request) => {
      const url = request.routeOptions.url ?? '';
      return (RATE_LIMIT_EXEMPT_ROUTES as readonly string[]).includes(url);
    },
    errorResponseBuilder: (_request, context) => {
      const e = errors.tooManyRequests(context.ttl / 1000);
      // The plugin throws what we return; AppError renders as problem+json in the error handler.
      (e as unknown as { statusCode: number }).statusCode = 429;
      return e;
    },
  });

  // Unknown paths count against the rate limit too (scanners are the main source of them).
  app.setNotFoundHandler({ preHandler: app.rateLimit() }, (request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    const allowed = methods.allowed(path);
    if (allowed.length > 0 && !allowed.includes(request.method)) {
      reply.header('allow', allowed.join(', '));
      return sendProblem(
        request,
        reply,
        new AppError(405, 'request.method_not_allowed', 'Method not allowed', {
          detail: `${request.method} is not allowed on ${path}; use ${allowed.join(', ')}.`,
        }),
      );
    }
    return sendProblem(
      request,
      reply,
      errors.notFound('request.route_not_found', `No route ${request.method} ${path}.`),
    );
  });

  await registerOpenApi(app);
  // The admin dashboard's page and assets at /admin (admin-static.ts), outside the API document.
  await registerAdminStatic(app, deps.adminDir ? { dir: deps.adminDir } : {});
  return app;
}
