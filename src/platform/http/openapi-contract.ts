// What the platform adds to every operation of the OpenAPI document, from what it knows about the server rather than
// from each route (the runtime schemas are left alone: these are declarations, not new validation):
// - the security schemes: customers' access tokens, staff access tokens and API keys under separate names;
// - the request headers every route reads (X-Request-Id, traceparent) and If-None-Match where a route answers 304;
// - the response headers the server sends: the rate-limit headers (@fastify/rate-limit's X-RateLimit-*, registered
//   globally in server.ts) on every route but the health probes it exempts, Retry-After on 429 and 503, and the CORS
//   Access-Control-Allow-Origin when the request's Origin is allowed (CORS_ORIGINS).
import type { RouteOptions } from 'fastify';

/** Routes the rate limiter lets through without counting (server.ts `allowList`): they send no rate-limit headers. */
export const RATE_LIMIT_EXEMPT_ROUTES: readonly string[] = ['/healthz', '/readyz', '/metrics'];

export const SECURITY_SCHEMES = {
  customerBearer: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description:
      "A signed-in customer's access token from POST /v1/auth/login: an EdDSA-signed JWT (`typ: at+jwt`) following " +
      'RFC8725 (the algorithm is fixed, `alg: none` is refused, issuer, audience and expiry are checked; short-lived, ' +
      'renewed with POST /v1/auth/refresh).',
  },
  staffBearer: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description:
      "A staff member's access token (same issuance and RFC8725 checks as customers' tokens). The scope list of a " +
      'requirement names the permission the operation needs (granted through the staff roles).',
  },
  apiKey: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'API key (emp_live_…)',
    description:
      'An API key created by staff (POST /v1/admin/api-keys), sent as `Authorization: Bearer emp_live_…`. The scope ' +
      'list of a requirement names the permission the key must hold.',
  },
} as const;

type Json = Record<string, unknown>;

const header = (description: string, schema: Json) => ({ description, schema });
const RATE_LIMIT_HEADERS = {
  'X-RateLimit-Limit': header('Requests allowed per window (RATE_LIMIT_MAX)', {
    type: 'integer',
    format: 'int32',
    minimum: 1,
    maximum: 10_000_000,
  }),
  'X-RateLimit-Remaining': header('Requests left in the current window', {
    type: 'integer',
    format: 'int32',
    minimum: 0,
    maximum: 10_000_000,
  }),
  'X-RateLimit-Reset': header('Seconds until the window resets', {
    type: 'integer',
    format: 'int32',
    minimum: 0,
    maximum: 86_400,
  }),
};
const RETRY_AFTER = header('Seconds to wait before retrying', {
  type: 'integer',
  format: 'int32',
  minimum: 0,
  maximum: 86_400,
});
const CORS_ORIGIN = header("The request's Origin, echoed when it is allowed (CORS_ORIGINS); absent otherwise", {
  type: 'string',
  maxLength: 2000,
  pattern: '^(\\*|https?://[^/\\s]+)$',
});

const REQUEST_HEADERS: Json = {
  'x-request-id': {
    type: 'string',
    maxLength: 128,
    pattern: '^[A-Za-z0-9._:-]{1,128}$',
    description:
      'Your id for this request, echoed in X-Request-Id and logged as `requestId` (one is made otherwise); problem `traceId`s are the trace id of `traceparent`, not this id',
  },
  traceparent: {
    type: 'string',
    maxLength: 55,
    pattern: '^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$',
    description:
      "W3C Trace Context: a valid one's trace id is the request's trace id (problem `traceId`, log lines, spans when tracing is on) and is carried into the events this request causes",
  },
};
const IF_NONE_MATCH: Json = {
  'if-none-match': {
    type: 'string',
    maxLength: 1000,
    pattern: '^(\\*|(W/)?"[^"]*"(\\s*,\\s*(W/)?"[^"]*")*)$',
    description: 'An ETag you hold; the server answers 304 without a body while it still matches',
  },
};

/** Headers particular routes read: the client's User-Agent (kept, sealed, with the session and audit entry), and
 * the providers' webhook signatures (checked on the raw body). */
const USER_AGENT: Json = {
  'user-agent': {
    type: 'string',
    maxLength: 8192,
    description: 'Recorded (sealed) with the session or audit entry this request creates',
  },
};
/** The language of the emails about what the request creates (an account, an order); `en` and `de` are kept. */
const ACCEPT_LANGUAGE: Json = {
  'accept-language': {
    type: 'string',
    maxLength: 1000,
    description: 'The language of the emails about what this request creates (en or de; else the shop default)',
    example: 'de-DE,de;q=0.9,en;q=0.8',
  },
};
const ROUTE_HEADERS: Record<string, Json> = {
  ...Object.fromEntries(
    [
      '/v1/auth/register',
      '/v1/auth/login',
      '/v1/auth/refresh',
      '/v1/auth/logout',
      '/v1/auth/password-reset/confirm',
      '/v1/me',
      '/v1/admin/users',
      '/v1/admin/users/:id',
      '/v1/admin/users/:id/roles',
      '/v1/admin/api-keys',
      '/v1/admin/api-keys/:id',
    ].map((url) => [url, USER_AGENT]),
  ),
  '/v1/auth/register': { ...USER_AGENT, ...ACCEPT_LANGUAGE },
  '/v1/orders': ACCEPT_LANGUAGE,
  '/v1/payments/webhooks/:provider': {
    'emporium-signature': {
      type: 'string',
      maxLength: 1024,
      description: "The sandbox provider's signature (`t=<unix seconds>,v1=<hex HMAC-SHA256>`); required for `sandbox`",
    },
    'stripe-signature': {
      type: 'string',
      maxLength: 1024,
      description: "Stripe's signature header; required for `stripe`",
    },
  },
};

/**
 * Per route (the swagger plugin's `transform`): declares the request headers the platform reads on a copy of the
 * route's header schema (the runtime schema, and so validation, stay as they are).
 */
export function transformRoute({ schema, url }: { schema: RouteOptions['schema']; url: string }) {
  if (!schema || schema.hide) return { schema, url };
  const own = (schema.headers ?? {}) as { properties?: Json; required?: string[] };
  const responses = (schema.response ?? {}) as Json;
  const properties: Json = {
    ...REQUEST_HEADERS,
    ...('304' in responses ? IF_NONE_MATCH : {}),
    ...ROUTE_HEADERS[url],
    ...own.properties,
  };
  const headers = { type: 'object', properties, ...(own.required ? { required: own.required } : {}) };
  return { schema: { ...schema, headers }, url };
}

/** On the finished document (the swagger plugin's `transformObject`): declares the response headers. */
export function transformDocument<T extends object>(doc: T): T {
  const paths = ((doc as Json).paths ?? {}) as Record<string, Record<string, { responses?: Record<string, Json> }>>;
  for (const [path, methods] of Object.entries(paths)) {
    const limited = !RATE_LIMIT_EXEMPT_ROUTES.includes(path);
    for (const op of Object.values(methods)) {
      for (const [status, response] of Object.entries(op.responses ?? {})) {
        const headers: Json = { ...((response.headers as Json | undefined) ?? {}) };
        if (limited) Object.assign(headers, RATE_LIMIT_HEADERS);
        if (status === '429' || status === '503') headers['Retry-After'] = RETRY_AFTER;
        headers['Access-Control-Allow-Origin'] = CORS_ORIGIN;
        response.headers = headers;
      }
    }
  }
  return doc;
}
