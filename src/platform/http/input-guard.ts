// Values that pass JSON Schema but that no handler can use, refused for every route after validation:
// - NUL characters in strings (PostgreSQL text cannot hold U+0000; the insert would fail with a 500);
// - lone UTF-16 surrogates (jsonb refuses their escapes, text silently turns them into U+FFFD);
// - non-finite numbers: `1e400` parses to Infinity in JSON bodies, and ajv's type coercion turns the
//   query string `?limit=1e400` into Infinity without applying `maximum` to it.
// Both answer 400 `request.validation_failed` with one `errors[]` entry per offending field.
import { errors, type FieldError } from '../errors.ts';
import type { App } from './app-type.ts';

const MAX_DEPTH = 64;
/** With the `u` flag a surrogate pair is one code point, so this matches only unpaired surrogates. */
const LONE_SURROGATE = /[\ud800-\udfff]/u;
const wellFormed = (s: string) => !LONE_SURROGATE.test(s);

/**
 * Plain objects only (parsed JSON, and the query and params objects, whose prototype is an empty
 * null-prototype object), never streams or buffers.
 */
function isPlain(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null || Object.getPrototypeOf(proto) === null;
}

function scan(value: unknown, path: string, out: FieldError[], depth = 0): void {
  if (out.length >= 20 || depth > MAX_DEPTH) return;
  if (typeof value === 'string') {
    if (value.includes('\u0000')) out.push({ field: path, message: 'must not contain NUL characters' });
    else if (!wellFormed(value)) out.push({ field: path, message: 'must be well-formed Unicode' });
  } else if (typeof value === 'number') {
    if (!Number.isFinite(value)) out.push({ field: path, message: 'must be a finite number' });
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => {
      scan(v, `${path}/${i}`, out, depth + 1);
    });
  } else if (value && typeof value === 'object' && isPlain(value)) {
    for (const [k, v] of Object.entries(value)) {
      if (k.includes('\u0000') || !wellFormed(k)) {
        out.push({ field: `${path}/${k}`, message: 'must be a well-formed name without NUL characters' });
      }
      scan(v, `${path}/${k}`, out, depth + 1);
    }
  }
}

/** Finds the unusable values in a request's parameters, query and parsed JSON body. */
export function unusableInput(request: { params: unknown; query: unknown; body: unknown }): FieldError[] {
  const out: FieldError[] = [];
  scan(request.params, 'params', out);
  scan(request.query, 'querystring', out);
  scan(request.body, 'body', out);
  return out;
}

export function installInputGuard(app: App): void {
  app.addHook('preHandler', async (request) => {
    const found = unusableInput(request);
    if (found.length > 0) throw errors.validation(found, `${found[0]?.field} ${found[0]?.message}`);
  });
}
