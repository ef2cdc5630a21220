// Domain and platform errors. Every error that reaches a client carries a stable `code`
// (`<module>.<reason>`) and an HTTP status; the HTTP layer renders it as RFC 9457 problem+json.

export interface FieldError {
  /** JSON pointer-ish path of the offending field, e.g. `/body/email`. */
  field: string;
  message: string;
}

export interface AppErrorOptions {
  detail?: string;
  errors?: FieldError[];
  headers?: Record<string, string>;
  /** Extra members placed in the problem document (e.g. `{ field: 'sku' }`). */
  extra?: Record<string, unknown>;
  cause?: unknown;
}

export class AppError extends Error {
  readonly status: number;
  readonly code: string;
  readonly title: string;
  readonly detail: string | undefined;
  readonly errors: FieldError[] | undefined;
  readonly headers: Record<string, string> | undefined;
  readonly extra: Record<string, unknown> | undefined;

  constructor(status: number, code: string, title: string, options: AppErrorOptions = {}) {
    super(options.detail ?? title, { cause: options.cause });
    this.name = 'AppError';
    this.status = status;
    this.code = code;
    this.title = title;
    this.detail = options.detail;
    this.errors = options.errors;
    this.headers = options.headers;
    this.extra = options.extra;
  }
}

export function isAppError(e: unknown): e is AppError {
  return e instanceof AppError;
}

export const errors = {
  validation: (errs: FieldError[], detail = 'The request is not valid.') =>
    new AppError(400, 'request.validation_failed', 'Validation failed', { detail, errors: errs }),
  badRequest: (code: string, detail: string) => new AppError(400, code, 'Bad request', { detail }),
  unauthorized: (detail = 'Authentication is required.') =>
    new AppError(401, 'auth.unauthorized', 'Unauthorized', { detail }),
  forbidden: (detail = 'You do not have permission for this action.') =>
    new AppError(403, 'auth.forbidden', 'Forbidden', { detail }),
  notFound: (code: string, detail: string) => new AppError(404, code, 'Not found', { detail }),
  conflict: (code: string, detail: string, extra?: Record<string, unknown>) =>
    new AppError(409, code, 'Conflict', { detail, ...(extra ? { extra } : {}) }),
  preconditionFailed: (code: string, detail: string) => new AppError(412, code, 'Precondition failed', { detail }),
  unprocessable: (code: string, detail: string, errs?: FieldError[]) =>
    new AppError(422, code, 'Unprocessable content', { detail, ...(errs ? { errors: errs } : {}) }),
  tooManyRequests: (retryAfterSeconds: number, detail = 'Too many requests; retry later.') =>
    new AppError(429, 'request.rate_limited', 'Too many requests', {
      detail,
      headers: { 'retry-after': String(Math.max(1, Math.ceil(retryAfterSeconds))) },
    }),
  unavailable: (code: string, detail: string, retryAfterSeconds?: number) =>
    new AppError(503, code, 'Service unavailable', {
      detail,
      ...(retryAfterSeconds ? { headers: { 'retry-after': String(retryAfterSeconds) } } : {}),
    }),
};
