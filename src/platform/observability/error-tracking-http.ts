// The HTTP side of error tracking: the error handlers (REST in http/server.ts, GraphQL in graphql/errors.ts) report
// a 5xx they answer with the traceId of the problem they send, read from the problem as it is built.
import type { FastifyRequest } from 'fastify';
import type { AppError } from '../errors.ts';
import { buildProblem } from '../http/problem.ts';
import { type ErrorTracker, reportsStatus } from './error-tracking.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** Where 5xx answers are reported (the disabled tracker when SENTRY_DSN is unset). */
    errorTracking: ErrorTracker;
  }
}

/** Reports `error`, answered as `problem`, when its status is one error tracking takes (every 5xx but 503). */
export function reportHttpError(
  tracker: ErrorTracker,
  error: unknown,
  request: FastifyRequest,
  problem: AppError,
): void {
  if (!tracker.enabled || !reportsStatus(problem.status)) return;
  tracker.captureRequestError(error, {
    traceId: String(buildProblem(request, problem).traceId),
    method: request.method,
    route: request.routeOptions.url ?? 'unmatched',
    status: problem.status,
    code: problem.code,
    surface: 'http',
  });
}

/** As reportHttpError, for an error in a GraphQL response: `traceId` is the one its `extensions` carry. */
export function reportGraphqlError(
  tracker: ErrorTracker | undefined,
  error: unknown,
  request: FastifyRequest | undefined,
  answer: { traceId: string | undefined; status: number; code: string },
): void {
  if (!tracker?.enabled || !reportsStatus(answer.status)) return;
  tracker.captureRequestError(error, {
    traceId: answer.traceId ?? '',
    method: request?.method ?? 'POST',
    route: request?.routeOptions.url ?? '/graphql',
    status: answer.status,
    code: answer.code,
    surface: 'graphql',
  });
}
