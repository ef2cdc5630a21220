import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { createLazySchemas, lazySerializerFactory, lazyValidator } from './lazy-compile.ts';

const schema = {
  type: 'object',
  properties: { limit: { type: 'integer', default: 20 }, q: { type: 'string' } },
  additionalProperties: false,
};

describe('schemas compiled on first use [REQ-KER-024]', () => {
  it('a validator compiles on its first call and answers as the ajv function it stands for', () => {
    const lazy = createLazySchemas();
    let compiled = 0;
    const ajv = new Ajv({ allErrors: true, useDefaults: true, coerceTypes: 'array' });
    const validate = lazyValidator(
      lazy.defer(() => {
        compiled++;
        return ajv.compile(schema);
      }, 'the querystring of GET /x'),
    );
    expect(compiled).toBe(0);
    const data: Record<string, unknown> = { q: 'shoe' };
    expect(validate(data)).toBe(true);
    expect(data).toEqual({ q: 'shoe', limit: 20 });
    expect(validate({ limit: 'many', other: 1 })).toBe(false);
    expect(validate.errors?.map((e) => e.keyword).sort()).toEqual(['additionalProperties', 'type']);
    // Fastify passes the parent object when the function has a schemaEnv (ajv may then replace the root value).
    expect(validate.schemaEnv).toBeDefined();
    expect(compiled).toBe(1);
    expect(lazy.compileAll()).toBe(0);
  });

  it('a serializer compiles on first use and drops what its schema does not declare', () => {
    const lazy = createLazySchemas();
    const compile = lazySerializerFactory(lazy)({}, {});
    const serialize = compile({ schema, method: 'GET', url: '/x', httpStatus: '200' });
    expect(serialize({ limit: 5, secret: 'no' })).toBe('{"limit":5}');
  });

  it('compileAll runs every deferred compilation; a schema that does not build names its route', () => {
    const lazy = createLazySchemas();
    const compile = lazySerializerFactory(lazy)({}, {});
    compile({ schema, method: 'GET', url: '/a', httpStatus: '200' });
    compile({ schema, method: 'GET', url: '/b', httpStatus: '200' });
    expect(lazy.compileAll()).toBe(2);
    expect(lazy.compileAll()).toBe(0);
    compile({ schema: { $ref: 'Missing' }, method: 'POST', url: '/c', httpStatus: '201' });
    expect(() => lazy.compileAll()).toThrow(/the 201 response of POST \/c/);
  });
});
