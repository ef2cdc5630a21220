// Builds the requests the conformance test sends for one operation: a valid one (examples first, real
// ids from fixtures where the app has them) and hostile variants of each parameter and body field.
import type { Operation, Parameter } from './openapi-check.ts';
import { mediaExample } from './openapi-check.ts';
import {
  concrete,
  type JsonSchema,
  mutations,
  paramString,
  sample,
  stringMutations,
  typeOf,
  type Variant,
} from './openapi-fuzz.ts';

export interface FuzzRequest {
  label: string;
  url: string;
  headers: Record<string, string>;
  /** A raw body; `undefined` sends none. */
  payload?: string;
}

/** Real values the app holds, by parameter or body-field name, so valid requests reach the handlers. */
export type Fixtures = Record<string, string>;

const BODY_LIMIT = 1_048_576;

/** Replaces known id fields in a sampled body (at any depth) with fixture values. */
function withFixtures(value: unknown, fixtures: Fixtures): unknown {
  if (Array.isArray(value)) return value.map((v) => withFixtures(v, fixtures));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const known = fixtures[`body.${k}`];
      out[k] = known !== undefined && typeof v === 'string' ? known : withFixtures(v, fixtures);
    }
    return out;
  }
  return value;
}

function paramValue(p: Parameter, fixtures: Fixtures): string {
  const known = fixtures[`${p.in}.${p.name}`];
  if (known !== undefined) return known;
  return paramString(p.example !== undefined ? p.example : sample(p.schema));
}

let seq = 0;

export function buildRequests(path: string, op: Operation, fixtures: Fixtures, full: boolean): FuzzRequest[] {
  const params = op.parameters ?? [];
  const base: Record<string, Record<string, string | undefined>> = { path: {}, query: {}, header: {} };
  for (const p of params) {
    const slot = base[p.in];
    if (!slot) continue;
    // Optional query parameters are left out of the base request; headers we know are sent.
    if (p.in === 'query' && !p.required) continue;
    if (p.in === 'header' && !p.required && fixtures[`header.${p.name}`] === undefined) continue;
    slot[p.name] = paramValue(p, fixtures);
  }
  const media = op.requestBody?.content['application/json'];
  const bodySchema = media?.schema;
  const example = mediaExample(media);
  const validBody = bodySchema
    ? withFixtures(example !== undefined ? example : sample(bodySchema, { optional: true }), fixtures)
    : undefined;

  const make = (
    label: string,
    over: { path?: Record<string, string>; query?: Record<string, string | string[]>; header?: Record<string, string> },
    body: { json?: unknown; raw?: string; type?: string; none?: boolean } = {},
  ): FuzzRequest => {
    let url = path;
    for (const [name, value] of Object.entries({ ...base.path, ...over.path })) {
      url = url.replace(`{${name}}`, encodeURIComponent(value ?? ''));
    }
    const qs = new URLSearchParams();
    for (const [name, value] of Object.entries({ ...base.query, ...over.query })) {
      if (value === undefined) continue;
      for (const v of Array.isArray(value) ? value : [value]) qs.append(name, v);
    }
    const q = qs.toString();
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries({ ...base.header, ...over.header })) {
      if (value !== undefined) headers[name] = value;
    }
    if (params.some((p) => p.name === 'idempotency-key') && !over.header?.['idempotency-key']) {
      headers['idempotency-key'] = `fuzz-${process.pid}-${++seq}`;
    }
    const req: FuzzRequest = { label, url: q ? `${url}?${q}` : url, headers };
    if (!body.none) {
      const json = body.json !== undefined ? body.json : validBody;
      const raw = body.raw ?? (json !== undefined ? JSON.stringify(json) : undefined);
      if (raw !== undefined) {
        req.payload = raw;
        req.headers['content-type'] = body.type ?? 'application/json';
      }
    }
    return req;
  };

  const out: FuzzRequest[] = [make('valid', {})];
  if (bodySchema) {
    out.push(make('valid, required fields only', {}, { json: withFixtures(sample(bodySchema), fixtures) }));
  }
  if (!full) {
    if (bodySchema) out.push(make('body: empty object', {}, { json: {} }));
    return out;
  }

  for (const p of params) {
    if (p.in !== 'path' && p.in !== 'query' && p.in !== 'header') continue;
    const variants: Variant[] = stringMutations(p.schema);
    if (p.in === 'header') {
      // Header values on the wire are Latin-1 without control characters; anything else cannot be sent.
      for (const v of variants.splice(0)) {
        if (/^[\u0020-\u007e\u00a0-\u00ff]*$/.test(String(v.value))) variants.push(v);
      }
    }
    for (const v of variants) {
      const value = String(v.value);
      if (p.in === 'path' && value === '') continue; // an empty segment is another route
      out.push(make(`${p.in} ${p.name}: ${v.label}`, { [p.in]: { [p.name]: value } }));
    }
    if (p.in === 'query') {
      out.push(make(`query ${p.name}: repeated`, { query: { [p.name]: [paramValue(p, fixtures), 'x'] } }));
      const enumValues = concrete(p.schema).enum ?? concrete(p.schema).anyOf?.flatMap((s) => s.enum ?? []);
      for (const e of enumValues ?? [])
        out.push(make(`query ${p.name}: ${String(e)}`, { query: { [p.name]: String(e) } }));
    }
  }
  if (params.some((p) => p.in === 'path')) {
    const first = params.find((p) => p.in === 'path') as Parameter;
    for (const raw of ['%E0%A4%A', '%', '..', '%2F']) {
      const req = make(`path ${first.name}: raw ${raw}`, {});
      req.url = path.replace(/\{[^}]+\}/g, (m) =>
        m === `{${first.name}}` ? raw : encodeURIComponent(base.path?.[m.slice(1, -1)] ?? 'x'),
      );
      out.push(req);
    }
  }
  out.push(make('query: unknown parameter', { query: { zzUnknown: '1' } }));

  if (bodySchema) {
    const body = concrete(bodySchema);
    const fields = Object.entries(body.properties ?? {});
    for (const [name, schema] of fields) {
      for (const v of mutations(schema))
        out.push(make(`body.${name}: ${v.label}`, {}, { json: put(validBody, [name], v.value) }));
      // One level deeper for nested objects and object arrays (addresses, variants, prices).
      const inner = nestedObject(schema);
      if (inner) {
        for (const [child, childSchema] of Object.entries(inner.schema.properties ?? {})) {
          for (const v of mutations(childSchema).slice(0, 8)) {
            out.push(
              make(
                `body.${name}.${child}: ${v.label}`,
                {},
                { json: put(validBody, [...inner.at(name), child], v.value) },
              ),
            );
          }
        }
      }
    }
    for (const name of body.required ?? []) {
      out.push(make(`body: missing ${name}`, {}, { json: put(validBody, [name], undefined) }));
    }
    out.push(make('body: unknown property', {}, { json: { ...(validBody as object), zzUnknown: 1 } }));
    for (const [label, json] of [
      ['null', null],
      ['array', []],
      ['string', 'x'],
      ['number', 1],
      ['empty object', {}],
    ] as const) {
      out.push(make(`body: ${label}`, {}, { json }));
    }
  }
  // Whether or not the operation takes a body, these must be refused cleanly.
  out.push(make('body: malformed JSON', {}, { raw: '{"a":', type: 'application/json' }));
  out.push(make('body: empty with JSON content type', {}, { raw: '', type: 'application/json' }));
  out.push(make('body: deeply nested JSON', {}, { raw: `${'['.repeat(20_000)}${']'.repeat(20_000)}` }));
  out.push(make('body: duplicate keys', {}, { raw: '{"a":1,"a":2,"__proto__":{"x":1}}' }));
  out.push(make('body: text/plain', {}, { raw: JSON.stringify(validBody ?? {}), type: 'text/plain' }));
  out.push(make('body: form-encoded', {}, { raw: 'a=1', type: 'application/x-www-form-urlencoded' }));
  out.push(
    make(
      'body: charset latin1',
      {},
      { raw: JSON.stringify(validBody ?? {}), type: 'application/json; charset=latin1' },
    ),
  );
  out.push(make('body: over the size limit', {}, { raw: JSON.stringify({ a: 'x'.repeat(BODY_LIMIT) }) }));
  if (bodySchema) out.push(make('body: none', {}, { none: true }));
  return out;
}

/** The object schema inside a property (an object, or an array of objects), and how to reach it. */
function nestedObject(
  schema: JsonSchema,
): { schema: JsonSchema; at: (name: string) => (string | number)[] } | undefined {
  const s = concrete(schema);
  if (typeOf(s) === 'object' && s.properties) return { schema: s, at: (n) => [n] };
  if (typeOf(s) === 'array' && s.items && typeOf(s.items) === 'object' && concrete(s.items).properties) {
    return { schema: concrete(s.items), at: (n) => [n, 0] };
  }
  return undefined;
}

/** A copy of `root` with the value at `path` replaced (`undefined` deletes it); creates what is missing. */
export function put(root: unknown, path: (string | number)[], value: unknown): unknown {
  const copy = structuredClone(root ?? {}) as Record<string | number, unknown>;
  let node: Record<string | number, unknown> = copy;
  for (const [i, key] of path.entries()) {
    if (i === path.length - 1) {
      if (value === undefined) delete node[key];
      else node[key] = value;
    } else {
      const next = node[key];
      node[key] = next && typeof next === 'object' ? next : typeof path[i + 1] === 'number' ? [{}] : {};
      node = node[key] as Record<string | number, unknown>;
    }
  }
  return copy;
}
