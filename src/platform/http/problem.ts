// RFC 9457 problem details: the one error shape every endpoint answers with.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { type Static, Type } from 'typebox';
import { type AppError, type FieldError, isAppError } from '../errors.ts';
import { traceIdOf } from '../observability/tracing-context.ts';
import { Int, List, Text, Url } from './schema-helpers.ts';

/** The bounds of a problem document (a body with thousands of unknown keys made a 200 kB detail). */
const MAX_DETAIL = 10_000;
const MAX_ERRORS = 100;
const MAX_TEXT = 1000;

/** `s` cut to at most `max` UTF-16 units, ending with an ellipsis when it was longer (never a lone surrogate). */
export function cut(s: string, max: number): string {
  if (s.length <= max) return s;
  let end = max - 1;
  const last = s.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return `${s.slice(0, end)}…`;
}

export const ProblemSchema = Type.Object(
  {
    type: Url({
      description: 'A URI naming the problem type',
      examples: ['https://emporium.dev/problems/request.validation_failed'],
    }),
    title: Text(200, { examples: ['Validation failed'] }),
    status: Int(400, 599, { examples: [400] }),
    detail: Type.Optional(
      Text(MAX_DETAIL, {
        description: `A human-readable explanation; one longer than ${MAX_DETAIL} characters is cut and ends with "…"`,
        examples: ['body/email must match format "email"'],
      }),
    ),
    code: Text(100, {
      pattern: '^[a-z][a-z0-9_]*(\\.[a-z0-9_]+)*$',
      description: 'Stable machine-readable error code `<module>.<reason>`',
      examples: ['request.validation_failed'],
    }),
    traceId: Text(128, {
      description:
        "The request's OpenTelemetry trace id (32 lowercase hex digits): the incoming `traceparent`'s trace id, else a fresh one; it is in the server's log lines too. Quote it when reporting a problem",
      examples: ['4bf92f3577b34da6a3ce929d0e0e4736'],
    }),
    instance: Type.Optional(Text(2000, { description: 'The path of the request' })),
    errors: Type.Optional(
      List(Type.Object({ field: Text(MAX_TEXT), message: Text(MAX_TEXT) }), MAX_ERRORS, {
        description: `One entry per invalid field, the first ${MAX_ERRORS} when there are more (detail then says how many there were in all); a field or message longer than ${MAX_TEXT} characters is cut and ends with "…"`,
      }),
    ),
  },
  { $id: 'Problem', title: 'Problem', additionalProperties: true },
);
export type Problem = Static<typeof ProblemSchema>;

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
export const PROBLEM_BASE = 'https://emporium.dev/problems/';

/** A response entry for a route schema: `{ 404: problemResponse('Not found') }`. */
export function problemResponse(description: string) {
  return { description, content: { [PROBLEM_CONTENT_TYPE]: { schema: Type.Ref('Problem') } } };
}

/** Standard error responses every route may answer with; routes add their own on top. */
export const STANDARD_PROBLEMS: Record<string, string> = {
  '400': 'The request is malformed or fails validation',
  '413': 'The body is larger than the limit',
  '415': 'The content type, its charset or the content encoding is not supported',
  '429': 'Too many requests; see Retry-After',
  '500': 'Unexpected server error; quote traceId',
};

export function buildProblem(request: FastifyRequest, e: AppError): Problem & Record<string, unknown> {
  const body: Problem & Record<string, unknown> = {
    ...(e.extra ?? {}),
    type: PROBLEM_BASE + e.code,
    title: e.title,
    status: e.status,
    code: e.code,
    traceId: traceIdOf(request),
    instance: request.url.split('?')[0] ?? request.url,
  };
  let detail = e.detail;
  if (e.errors) {
    body.errors = e.errors
      .slice(0, MAX_ERRORS)
      .map((f) => ({ field: cut(f.field, MAX_TEXT), message: cut(f.message, MAX_TEXT) }));
    if (e.errors.length > MAX_ERRORS) {
      detail = `${e.errors.length} errors; the first ${MAX_ERRORS} are listed. ${detail ?? ''}`.trimEnd();
    }
  }
  if (detail) body.detail = cut(detail, MAX_DETAIL);
  return body;
}

export function sendProblem(request: FastifyRequest, reply: FastifyReply, e: AppError): FastifyReply {
  if (e.headers) reply.headers(e.headers);
  return reply.code(e.status).type(PROBLEM_CONTENT_TYPE).send(buildProblem(request, e));
}

interface AjvError {
  instancePath?: string;
  message?: string;
  keyword?: string;
  params?: Record<string, unknown>;
}

/** Turns Fastify/ajv validation errors into one entry per bad field. */
export function fieldErrors(error: FastifyError): FieldError[] {
  const ctx = error.validationContext ?? 'body';
  const list = (error.validation ?? []) as AjvError[];
  return list.map((v) => {
    let path = v.instancePath ?? '';
    const missing = v.params?.missingProperty;
    if (typeof missing === 'string') path += `/${missing}`;
    const extra = v.params?.additionalProperty;
    if (typeof extra === 'string') path += `/${extra}`;
    return { field: `${ctx}${path}`, message: v.message ?? 'is invalid' };
  });
}

export { isAppError };
