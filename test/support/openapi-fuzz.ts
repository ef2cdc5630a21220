// Request generation from OpenAPI 3.1 schemas, for the conformance fuzz test: one valid value per schema
// (its examples first), then hostile variants of it (boundaries, wrong types, missing and unknown fields,
// oversized and odd unicode strings, huge and negative numbers). Deterministic, so a failure reproduces.

export type JsonSchema = {
  type?: string | string[];
  format?: string;
  pattern?: string;
  enum?: unknown[];
  const?: unknown;
  examples?: unknown[];
  example?: unknown;
  default?: unknown;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  minProperties?: number;
  uniqueItems?: boolean;
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  $ref?: string;
};

/** A labelled value: the label says which rule produced it, so a failure names its input. */
export interface Variant {
  label: string;
  value: unknown;
}

/** Strings every text field should survive: control characters, NUL, RTL marks, astral planes, SQL. */
export const HOSTILE_STRINGS: Variant[] = [
  { label: 'empty string', value: '' },
  { label: 'whitespace', value: ' \t ' },
  { label: 'NUL byte', value: 'a\u0000b' },
  { label: 'unicode', value: 'Zoë 🙂 \u202eRTL ẞ 中文' },
  { label: 'lone surrogate', value: 'x\ud800y' },
  { label: 'sql-ish', value: "' OR 1=1; --" },
  { label: 'percent and slashes', value: '%2e%2e/../%00' },
];

const FORMAT_SAMPLES: Record<string, string> = {
  email: 'fuzz@example.com',
  'date-time': '2030-01-02T03:04:05.000Z',
  date: '2030-01-02',
  uri: 'https://example.com/x',
  url: 'https://example.com/x',
  uuid: '0b8a1f4e-2f7c-4a55-9a59-5d1c2b7f9e10',
};

const PATTERN_CANDIDATES = ['DE', 'EUR', 'abc', 'a', 'x1', 'sku-1', 'ABC-123', 'a-b', '1', 'DE-BY', 'demo-slug'];

/** The schema's non-null alternative (TypeBox renders optional-nullable fields as anyOf [T, null]). */
export function concrete(schema: JsonSchema): JsonSchema {
  const alts = schema.anyOf ?? schema.oneOf;
  if (alts) return concrete(alts.find((s) => s.type !== 'null') ?? alts[0] ?? {});
  if (schema.allOf) {
    const merged: JsonSchema = { properties: {}, required: [] };
    for (const part of schema.allOf.map(concrete)) {
      Object.assign(merged, { ...part, properties: merged.properties, required: merged.required });
      Object.assign(merged.properties as object, part.properties);
      merged.required?.push(...(part.required ?? []));
    }
    return merged;
  }
  return schema;
}

export function typeOf(schema: JsonSchema): string | undefined {
  const s = concrete(schema);
  if (Array.isArray(s.type)) return s.type.find((t) => t !== 'null');
  if (s.type) return s.type;
  if (s.properties) return 'object';
  if (s.enum?.length) return typeof s.enum[0];
  return undefined;
}

function sampleString(s: JsonSchema): string {
  if (s.format && FORMAT_SAMPLES[s.format]) return FORMAT_SAMPLES[s.format] as string;
  const min = s.minLength ?? 0;
  const max = s.maxLength ?? Number.POSITIVE_INFINITY;
  if (s.pattern) {
    const re = new RegExp(s.pattern, 'u');
    const hit = PATTERN_CANDIDATES.find((c) => re.test(c) && c.length >= min && c.length <= max);
    if (hit) return hit;
  }
  return 'x'.repeat(Math.min(Math.max(min, 3), max));
}

function sampleNumber(s: JsonSchema, integer: boolean): number {
  let v = s.minimum ?? (s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + 1 : 1);
  if (s.maximum !== undefined && v > s.maximum) v = s.maximum;
  return integer ? Math.ceil(v) : v;
}

/** One valid value: the schema's first example, default, const or enum value, else a minimal one. */
export function sample(schema: JsonSchema, options: { optional?: boolean } = {}, depth = 0): unknown {
  if (schema.examples?.length) return schema.examples[0];
  if (schema.example !== undefined) return schema.example;
  if (schema.const !== undefined) return schema.const;
  if (schema.default !== undefined) return schema.default;
  if (schema.enum?.length) return schema.enum[0];
  const s = concrete(schema);
  if (s !== schema) return sample(s, options, depth);
  switch (typeOf(s)) {
    case 'string':
      return sampleString(s);
    case 'integer':
      return sampleNumber(s, true);
    case 'number':
      return sampleNumber(s, false);
    case 'boolean':
      return true;
    case 'null':
      return null;
    case 'array': {
      const n = Math.max(s.minItems ?? 0, depth < 3 && options.optional ? 1 : 0);
      const item = s.items ?? {};
      // uniqueItems with an example or enum item: distinct enum values where possible.
      const values = concrete(item).enum;
      return Array.from({ length: n }, (_, i) =>
        values && s.uniqueItems ? values[i % values.length] : sample(item, options, depth + 1),
      );
    }
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [key, prop] of Object.entries(s.properties ?? {})) {
        const required = s.required?.includes(key);
        if (required || (options.optional && depth < 3)) out[key] = sample(prop, options, depth + 1);
      }
      return out;
    }
    default:
      return 'x';
  }
}

/** Hostile values for one field of this schema (each should be refused with a 4xx, or accepted). */
export function mutations(schema: JsonSchema): Variant[] {
  const s = concrete(schema);
  const type = typeOf(s);
  const out: Variant[] = [{ label: 'null', value: null }];
  switch (type) {
    case 'string': {
      out.push({ label: 'number instead of string', value: 12345 });
      out.push({ label: 'array instead of string', value: ['a'] });
      out.push({ label: 'object instead of string', value: { a: 1 } });
      const over = (s.maxLength ?? 9_000) + 1;
      out.push({ label: `oversized string (${over})`, value: 'é'.repeat(over) });
      if (s.minLength) out.push({ label: 'below minLength', value: 'x'.repeat(s.minLength - 1) });
      if (s.format) out.push({ label: `not a ${s.format}`, value: 'not-a-value' });
      out.push(...HOSTILE_STRINGS);
      break;
    }
    case 'integer':
    case 'number': {
      out.push({ label: 'string instead of number', value: 'abc' });
      out.push({ label: 'numeric string', value: '12' });
      out.push({ label: 'negative', value: -1 });
      out.push({ label: 'zero', value: 0 });
      out.push({ label: 'int32 overflow', value: 2 ** 31 });
      out.push({ label: 'int64 overflow', value: 2 ** 63 });
      out.push({ label: 'huge', value: 1e308 });
      out.push({ label: 'negative huge', value: -1e308 });
      if (s.minimum !== undefined) out.push({ label: 'minimum - 1', value: s.minimum - 1 });
      if (s.maximum !== undefined) out.push({ label: 'maximum + 1', value: s.maximum + 1 });
      if (type === 'integer') out.push({ label: 'fraction', value: 1.5 });
      break;
    }
    case 'boolean':
      out.push({ label: 'string instead of boolean', value: 'yes' }, { label: 'number instead of boolean', value: 2 });
      break;
    case 'array': {
      out.push({ label: 'object instead of array', value: { a: 1 } }, { label: 'string instead of array', value: 'x' });
      out.push({ label: 'array of null', value: [null] });
      const many = (s.maxItems ?? 1000) + 1;
      out.push({ label: `too many items (${many})`, value: Array.from({ length: many }, () => sample(s.items ?? {})) });
      for (const m of mutations(s.items ?? {}).slice(1, 4)) out.push({ label: `item: ${m.label}`, value: [m.value] });
      break;
    }
    case 'object':
      out.push({ label: 'array instead of object', value: [] }, { label: 'string instead of object', value: 'x' });
      out.push({ label: 'empty object', value: {} });
      break;
    default:
      out.push({ label: 'unicode', value: 'Zoë 🙂' });
  }
  return out;
}

/** Hostile values for a path, query or header parameter, as strings (what arrives on the wire). */
export function stringMutations(schema: JsonSchema): Variant[] {
  const s = concrete(schema);
  const out: Variant[] = [
    { label: 'empty', value: '' },
    { label: 'unicode', value: 'Zoë 🙂 中文' },
    { label: 'NUL byte', value: 'a\u0000b' },
    { label: 'sql-ish', value: "' OR 1=1; --" },
    { label: 'long (300)', value: 'x'.repeat(300) },
  ];
  const type = typeOf(s);
  if (type === 'integer' || type === 'number') {
    out.push(
      { label: 'not a number', value: 'abc' },
      { label: 'negative', value: '-1' },
      { label: 'huge', value: '99999999999999999999999' },
      { label: 'exponent', value: '1e400' },
      { label: 'fraction', value: '1.5' },
    );
  } else if (type === 'boolean') {
    out.push({ label: 'not a boolean', value: 'maybe' });
  } else {
    out.push(
      { label: 'numeric', value: '-1' },
      { label: 'huge number', value: '1e400' },
      { label: 'NaN', value: 'NaN' },
      { label: 'Infinity', value: 'Infinity' },
    );
    if (s.maxLength !== undefined) out.push({ label: 'maxLength + 1', value: 'y'.repeat(s.maxLength + 1) });
  }
  return out;
}

/** Turns a sampled parameter value into what a client would put in a URL or header. */
export function paramString(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}
