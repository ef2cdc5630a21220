// Request validation: one ajv for JSON bodies, without type coercion, and one for the URL and headers,
// with it. Query strings, path parameters and headers arrive as text, so `?limit=20` must become 20; a
// JSON body already has types, and coercing it let `{"name": 12345}` through as "12345", `{"city": ["a"]}`
// as "a" and `{"phone": ""}` as null — accepting bodies the OpenAPI document says are invalid.
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifySchema, FastifySchemaCompiler } from 'fastify';
import { ISO_FORMATS } from '../iso-codes.ts';
import { type LazySchemas, lazyValidator } from './lazy-compile.ts';

// ajv-formats is CommonJS: under nodenext its default import is typed as the module object.
type AddFormats = (ajv: Ajv) => unknown;
const addFormats = ((addFormatsModule as unknown as { default?: AddFormats }).default ??
  addFormatsModule) as unknown as AddFormats;

/**
 * An ajv with the standard formats and the ISO code formats of iso-codes.ts (`iso-4217`, `iso-3166-1-alpha-2`).
 * The GraphQL argument checks use one too (graphql/piece.ts), without defaults: both transports refuse the same input.
 */
export function createAjv(coerceTypes: 'array' | false, useDefaults = true): Ajv {
  const ajv = new Ajv({
    allErrors: true,
    removeAdditional: false,
    useDefaults,
    coerceTypes,
    addUsedSchema: false,
  });
  addFormats(ajv);
  for (const [name, validate] of Object.entries(ISO_FORMATS)) ajv.addFormat(name, { type: 'string', validate });
  return ajv;
}

/** Validators compile on a route's first request (lazy-compile.ts); the ajv instances are created then too. */
export function createValidatorCompiler(lazy: LazySchemas): FastifySchemaCompiler<FastifySchema> {
  const ajvs: { body?: Ajv; text?: Ajv } = {};
  const ajvFor = (httpPart: string | undefined): Ajv => {
    if (httpPart === 'body') {
      ajvs.body ??= createAjv(false);
      return ajvs.body;
    }
    ajvs.text ??= createAjv('array');
    return ajvs.text;
  };
  return ({ schema, httpPart, method, url }) =>
    lazyValidator(lazy.defer(() => ajvFor(httpPart).compile(schema as object), `the ${httpPart} of ${method} ${url}`));
}
