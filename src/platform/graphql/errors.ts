// GraphQL errors in our vocabulary: every error carries `extensions: {code, status, traceId}` with the same
// stable codes as REST's problem+json (`cart.not_found`, `request.validation_failed`, …). A request that cannot
// run (syntax, unknown field, bad variable, limits) answers HTTP 400 with `data: null`; errors raised while
// resolving fields answer 200 with the partial data, as the GraphQL-over-HTTP spec asks for application/json.
// Every error graphql-js raises about the request itself — syntax, validation, a variable or an argument it cannot
// coerce to its type — is the client's (400, `graphql.invalid_query` unless it names its own code). Unexpected errors
// are logged with their stack and reach the client only as `internal`; a graphql-js error among them is logged
// without its message, which may quote the values the client sent.
import type { FastifyError, FastifyReply } from 'fastify';
import { type ExecutionResult, GraphQLError, type GraphQLFormattedError } from 'graphql';
import { type AppError, isAppError } from '../errors.ts';
import { databaseFaultError, platformError } from '../http/server.ts';
import type { ErrorTracker } from '../observability/error-tracking.ts';
import { reportGraphqlError } from '../observability/error-tracking-http.ts';
import { loggableError } from '../observability/logged-error.ts';
import { traceIdOf } from '../observability/tracing-context.ts';

interface Classified {
  message: string;
  status: number;
  extensions: Record<string, unknown>;
  headers?: Record<string, string> | undefined;
}

const fromAppError = (e: AppError): Classified => ({
  message: e.detail ?? e.title,
  status: e.status,
  extensions: { ...(e.extra ?? {}), code: e.code, status: e.status, ...(e.errors ? { errors: e.errors } : {}) },
  headers: e.headers,
});

const MERCURIUS_CODES: Record<string, string> = {
  MER_ERR_METHOD_NOT_ALLOWED: 'graphql.method_not_allowed',
  MER_ERR_GQL_VALIDATION: 'graphql.invalid_query',
  MER_ERR_GQL_CSRF_PREVENTION: 'graphql.csrf_blocked',
};

/**
 * An error graphql-js raised while reading a field's arguments (`Argument "n" of non-null type "Int!" must not be
 * null.`): a GraphQLError naming the query's nodes, with no cause of its own. What resolvers and a scalar's
 * `serialize` throw (the server's own values) names no node.
 */
function isArgumentError(original: Error | undefined): boolean {
  return original instanceof GraphQLError && original.nodes !== undefined && original.originalError === undefined;
}

function requestError(error: GraphQLError): Classified {
  const code = typeof error.extensions?.code === 'string' ? error.extensions.code : 'graphql.invalid_query';
  return { message: error.message, status: 400, extensions: { code, status: 400 } };
}

/** `request`: graphql-js refused the request before anything ran (syntax, validation, variables' values). */
function classify(error: GraphQLError, request: boolean): Classified | undefined {
  const original = error.originalError as (Error & { statusCode?: number; code?: string }) | undefined;
  if (isAppError(original)) return fromAppError(original);
  // Parsing, validation (standard rules and our limits), coercion of variables and arguments: the query is wrong.
  if (request || !original || isArgumentError(original)) return requestError(error);
  const status = original.statusCode;
  const mercurius = MERCURIUS_CODES[original.code ?? ''];
  if (mercurius && typeof status === 'number') {
    return { message: original.message, status, extensions: { code: mercurius, status } };
  }
  const known = databaseFaultError(original) ?? platformError(original as FastifyError);
  return known ? fromAppError(known) : undefined;
}

/**
 * Mercurius wraps request-level failures (syntax, validation, limits, variables' values) in one error listing the
 * real ones; graphql's execute answers variables it cannot coerce with errors that have no path (and no data).
 */
function flatten(execution: ExecutionResult & { errors: readonly GraphQLError[] }): [GraphQLError, boolean][] {
  const noData = execution.data === undefined || execution.data === null;
  return execution.errors.flatMap((e): [GraphQLError, boolean][] => {
    const wrapper = e.originalError as { code?: string; errors?: unknown } | undefined;
    const inner = wrapper?.code === 'MER_ERR_GQL_VALIDATION' ? wrapper.errors : undefined;
    if (Array.isArray(inner) && inner.length) return (inner as GraphQLError[]).map((i) => [i, true]);
    return [[e, noData && e.path === undefined && (wrapper === undefined || wrapper instanceof GraphQLError)]];
  });
}

/** The error behind `error` for the log; graphql-js's own (a GraphQLError) without its message. */
function logged(error: GraphQLError): unknown {
  const original = error.originalError ?? error;
  return loggableError(original, { withoutMessage: original instanceof GraphQLError });
}

interface FormatterContext {
  reply?: FastifyReply;
  app: { log: FastifyReply['log']; errorTracking?: ErrorTracker };
}

export function formatGraphqlErrors(
  execution: ExecutionResult & { errors: readonly GraphQLError[] },
  context: FormatterContext,
): { statusCode: number; response: ExecutionResult } {
  const reply = context.reply;
  const log = reply?.log ?? context.app.log;
  const traceId = reply ? traceIdOf(reply.request) : undefined;
  const tracker = reply?.server.errorTracking ?? context.app.errorTracking;
  let requestStatus = 0;
  const formatted: GraphQLFormattedError[] = flatten(execution).map(([error, request]) => {
    let c = classify(error, request);
    if (!c) {
      log.error({ err: logged(error), path: error.path }, 'graphql: unexpected error');
      c = {
        message: 'Internal server error. Quote the traceId when reporting it.',
        status: 500,
        extensions: { code: 'internal', status: 500 },
      };
      const answer = { traceId, status: 500, code: 'internal' };
      reportGraphqlError(tracker, error.originalError ?? error, reply?.request, answer);
    } else if (c.status >= 500) {
      log.error({ err: logged(error), path: error.path }, String(c.extensions.code));
      const code = String(c.extensions.code);
      reportGraphqlError(tracker, error.originalError ?? error, reply?.request, { traceId, status: c.status, code });
    }
    if (c.headers && reply) reply.headers(c.headers);
    requestStatus = Math.max(requestStatus, c.status);
    return {
      message: c.message,
      ...(error.locations ? { locations: error.locations } : {}),
      ...(error.path ? { path: error.path } : {}),
      extensions: { ...c.extensions, ...(traceId ? { traceId } : {}) },
    };
  });
  const hasData = execution.data !== undefined && execution.data !== null;
  return {
    statusCode: hasData ? 200 : requestStatus || 400,
    response: { data: execution.data ?? null, errors: formatted as unknown as GraphQLError[] },
  };
}
