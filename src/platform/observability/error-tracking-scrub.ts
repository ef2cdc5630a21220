// The last word on what an error event may carry (Sentry's beforeSend and beforeBreadcrumb): no credentials, no
// personal data. Request headers outside a short allow-list, request bodies, cookies, query-string values and the
// user's address are dropped; email-like and card-like strings are masked wherever text appears (messages, exception
// values, breadcrumbs, extra, contexts); values under secret or personal keys (the logger's own lists) are redacted.
// A pure function over the event: it never throws and never reaches the network.
import type { Breadcrumb, Event } from '@sentry/node';
import { PERSONAL_KEYS, SECRET_KEYS } from './logger.ts';

export const REDACTED = '[redacted]';

/** Request headers an event may keep: none identifies or authenticates anyone. */
export const SAFE_HEADERS: ReadonlySet<string> = new Set([
  'accept',
  'accept-encoding',
  'accept-language',
  'content-length',
  'content-type',
  'host',
  'traceparent',
  'tracestate',
  'x-request-id',
]);

const normalizeKey = (k: string) => k.toLowerCase().replace(/[-_\s]/g, '');

/** Keys whose value is a secret or personal data wherever they appear (compared without case, `-` or `_`). */
const SENSITIVE_KEYS: ReadonlySet<string> = new Set(
  [
    ...SECRET_KEYS,
    ...PERSONAL_KEYS,
    'authorization',
    'cookie',
    'set-cookie',
    'x-cart-token',
    'x-order-token',
    'x-api-key',
    'x-forwarded-for',
    'user-agent',
    'ip_address',
    'card',
    'pan',
    // Request and message bodies, wherever someone attached one.
    'body',
    'request_body',
    'raw_body',
    'payload',
  ].map(normalizeKey),
);

const isSensitiveKey = (key: string) => {
  const k = normalizeKey(key);
  return SENSITIVE_KEYS.has(k) || /password|secret|token|cookie|authorization|apikey/.test(k);
};

// An address, also percent-encoded as it appears in a URL (a%40b.example).
const EMAIL = /[A-Za-z0-9._%+-]+(?:@|%40)[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/gi;
// 13 to 19 digits, optionally grouped by spaces or dashes: the shape of a payment card number.
const CARD = /(?<![\dA-Za-z])\d(?:[ -]?\d){12,18}(?![\dA-Za-z])/g;
// An `Authorization`-style credential quoted in a message.
const BEARER = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi;

/** Masks email-like, card-like and bearer-credential-like substrings. */
export function scrubText(text: string): string {
  return text.replace(EMAIL, '[email]').replace(CARD, '[card]').replace(BEARER, '$1 [redacted]');
}

const MAX_DEPTH = 8;

/** Scrubs any JSON-like value: strings masked, sensitive keys redacted, deeper than MAX_DEPTH dropped. */
export function scrubValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return scrubText(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) return REDACTED;
  if (Array.isArray(value)) return value.map((v) => scrubValue(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = isSensitiveKey(k) ? REDACTED : scrubValue(v, depth + 1);
  return out;
}

function scrubUrl(raw: string): string {
  const q = raw.search(/[?#]/);
  return scrubText(q === -1 ? raw : raw.slice(0, q));
}

/** Query-string keys survive (they are our API's names); every value is replaced. */
function scrubQuery(query: unknown): string | undefined {
  let keys: string[] = [];
  if (typeof query === 'string') keys = [...new URLSearchParams(query).keys()];
  else if (Array.isArray(query)) keys = query.map((pair) => String((pair as unknown[])[0]));
  else if (query && typeof query === 'object') keys = Object.keys(query);
  if (keys.length === 0) return undefined;
  return keys.map((k) => `${encodeURIComponent(scrubText(k))}=${encodeURIComponent(REDACTED)}`).join('&');
}

function scrubRequest(request: NonNullable<Event['request']>): Event['request'] {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers ?? {})) {
    if (SAFE_HEADERS.has(name.toLowerCase())) headers[name] = scrubText(String(value));
  }
  const query = scrubQuery(request.query_string);
  return {
    ...(request.method ? { method: request.method } : {}),
    ...(request.url ? { url: scrubUrl(request.url) } : {}),
    ...(Object.keys(headers).length ? { headers } : {}),
    ...(query ? { query_string: query } : {}),
    // data (the body), cookies and env are never kept.
  };
}

function scrubBreadcrumbInPlace(b: Breadcrumb): Breadcrumb {
  if (typeof b.message === 'string') b.message = scrubText(b.message);
  if (b.data) b.data = scrubValue(b.data) as Breadcrumb['data'];
  return b;
}

/** Sentry's beforeBreadcrumb: the same rules as for events. */
export function scrubBreadcrumb(breadcrumb: Breadcrumb): Breadcrumb {
  return scrubBreadcrumbInPlace({ ...breadcrumb });
}

/** Sentry's beforeSend: returns the event with everything identifying or secret removed (the argument is changed). */
export function scrubEvent<E extends Event>(event: E): E {
  if (typeof event.message === 'string') event.message = scrubText(event.message);
  if (event.logentry) {
    if (typeof event.logentry.message === 'string') event.logentry.message = scrubText(event.logentry.message);
    if (event.logentry.params) event.logentry.params = scrubValue(event.logentry.params) as unknown[];
  }
  for (const ex of event.exception?.values ?? []) {
    if (typeof ex.value === 'string') ex.value = scrubText(ex.value);
    for (const frame of ex.stacktrace?.frames ?? []) delete frame.vars;
  }
  if (event.breadcrumbs) event.breadcrumbs = event.breadcrumbs.map(scrubBreadcrumbInPlace);
  if (event.extra) event.extra = scrubValue(event.extra) as Event['extra'];
  if (event.contexts) {
    const { trace, ...rest } = event.contexts;
    event.contexts = { ...(scrubValue(rest) as Event['contexts']), ...(trace ? { trace } : {}) };
  }
  if (event.tags) {
    for (const [k, v] of Object.entries(event.tags)) {
      if (typeof v === 'string') event.tags[k] = isSensitiveKey(k) ? REDACTED : v.replace(EMAIL, '[email]');
    }
  }
  if (event.request) event.request = scrubRequest(event.request);
  // The user: an opaque id at most; never an address, an email or a name.
  if (event.user) {
    const id = event.user.id;
    if (id === undefined || id === null || id === '') delete event.user;
    else event.user = { id };
  }
  return event;
}
