// Checks one response against the operation that produced it, the way black-box OpenAPI tools do:
// no 5xx, a declared status, a declared content type, a body valid against the declared schema, and
// RFC 9457 problem documents for errors.
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { ISO_FORMATS } from '../../src/platform/iso-codes.ts';
import type { JsonSchema } from './openapi-fuzz.ts';

// ajv-formats is CommonJS; its default export arrives wrapped under ESM.
type AddFormats = (ajv: Ajv2020) => unknown;
const addFormats = ((addFormatsModule as unknown as { default?: AddFormats }).default ??
  addFormatsModule) as unknown as AddFormats;

export interface MediaType {
  schema?: JsonSchema;
  example?: unknown;
  examples?: Record<string, { value?: unknown }>;
}
export interface Parameter {
  in: 'path' | 'query' | 'header' | 'cookie';
  name: string;
  required?: boolean;
  schema: JsonSchema;
  example?: unknown;
}
export interface Operation {
  operationId?: string;
  summary?: string;
  tags?: string[];
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content: Record<string, MediaType> };
  security?: Record<string, string[]>[];
  responses: Record<string, { description: string; content?: Record<string, MediaType> }>;
}
export interface OpenApiDoc {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, JsonSchema> };
}

export interface Observed {
  statusCode: number;
  headers: Record<string, unknown>;
  body: string;
}

const COMPONENTS_ID = 'https://emporium.test/components';
const PROBLEM_CODE = /^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$/;

/** Rewrites local `#/components/...` references to the components document registered with ajv. */
function rebase(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(rebase);
  if (schema && typeof schema === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(schema)) {
      out[k] = k === '$ref' && typeof v === 'string' && v.startsWith('#/') ? `${COMPONENTS_ID}${v}` : rebase(v);
    }
    return out;
  }
  return schema;
}

export function createResponseChecker(doc: OpenApiDoc) {
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
  addFormats(ajv);
  for (const [name, validate] of Object.entries(ISO_FORMATS)) ajv.addFormat(name, { type: 'string', validate });
  ajv.addSchema({ $id: COMPONENTS_ID, components: rebase(doc.components ?? {}) });
  const compiled = new Map<string, ValidateFunction>();
  const validator = (key: string, schema: JsonSchema) => {
    let v = compiled.get(key);
    if (!v) {
      v = ajv.compile(rebase(schema) as object);
      compiled.set(key, v);
    }
    return v;
  };

  /** Whether a raw JSON request body is valid for the operation (undefined: not a JSON body we can judge). */
  const bodyValid = (key: string, op: Operation, raw: string | undefined, type: string | undefined) => {
    const schema = op.requestBody?.content['application/json']?.schema;
    if (!schema || raw === undefined || type !== 'application/json') return undefined;
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      return false;
    }
    return validator(`${key} request`, schema)(body);
  };

  /** Problems with this response; an empty list means it conforms. */
  const check = function check(key: string, op: Operation, res: Observed): string[] {
    const out: string[] = [];
    const status = res.statusCode;
    if (status >= 500) out.push(`server error ${status}`);
    const declared = op.responses[String(status)] ?? op.responses[`${String(status)[0]}XX`] ?? op.responses.default;
    if (!declared) {
      out.push(`undeclared status ${status}`);
      return out;
    }
    const contentType = String(res.headers['content-type'] ?? '')
      .split(';')[0]
      ?.trim();
    if (status >= 400 && contentType !== 'application/problem+json') {
      out.push(`error ${status} served as ${contentType || 'no content type'}`);
    }
    if (!declared.content || status === 204 || status === 304) {
      if (res.body.length > 0 && (status === 204 || status === 304)) out.push(`${status} with a body`);
      return out;
    }
    const media = contentType ? declared.content[contentType] : undefined;
    if (!media) {
      out.push(`content type ${contentType || '(none)'} not declared for ${status}`);
      return out;
    }
    if (!contentType?.endsWith('json') || !media.schema) return out;
    let body: unknown;
    try {
      body = JSON.parse(res.body);
    } catch {
      out.push(`${status} body is not JSON`);
      return out;
    }
    const validate = validator(`${key} ${status} ${contentType}`, media.schema);
    if (!validate(body)) {
      const errs = (validate.errors ?? []).slice(0, 3).map((e) => `${e.instancePath || '/'} ${e.message}`);
      out.push(`${status} body does not match its schema: ${errs.join('; ')}`);
    }
    if (contentType === 'application/problem+json') {
      const p = body as Record<string, unknown>;
      if (typeof p.type !== 'string' || typeof p.title !== 'string') out.push('problem without type/title');
      if (p.status !== status) out.push(`problem status ${String(p.status)} ≠ ${status}`);
      if (typeof p.code !== 'string' || !PROBLEM_CODE.test(p.code)) out.push(`problem code ${String(p.code)}`);
    }
    return out;
  };
  return { check, bodyValid };
}

/** The media type's example (OpenAPI `example` or the first of `examples`), if any. */
export function mediaExample(media: MediaType | undefined): unknown {
  if (!media) return undefined;
  if (media.example !== undefined) return media.example;
  const first = media.examples ? Object.values(media.examples)[0] : undefined;
  return first?.value;
}
