import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/create-test-app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

describe('OpenAPI [REQ-KER-010]', () => {
  it('[REQ-KER-010] /openapi.json is a valid OpenAPI 3.1 document (independent validator)', async () => {
    const res = await t.http.inject({ method: 'GET', url: '/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toBe('3.1.0');
    const validator = new Validator();
    const result = await validator.validate(doc);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    // Every $ref resolves (the validator checks structure; we check the references).
    await expect(validator.validateBundle([doc])).resolves.toMatchObject({ valid: true });
  });

  it('[REQ-KER-010] the headers a guest needs are declared where the server reads them (X-Order-Token)', async () => {
    const doc = (await t.http.inject({ method: 'GET', url: '/openapi.json' })).json();
    const headerNames = (path: string, method: string): string[] =>
      (doc.paths[path]?.[method]?.parameters ?? [])
        .filter((p: { in: string }) => p.in === 'header')
        .map((p: { name: string }) => p.name.toLowerCase());
    for (const [path, method] of [
      ['/v1/orders/{id}', 'get'],
      ['/v1/orders/{id}/cancel', 'post'],
      ['/v1/orders/{id}/returns', 'get'],
      ['/v1/orders/{id}/returns', 'post'],
    ] as const) {
      expect(headerNames(path, method), `${method} ${path}`).toContain('x-order-token');
    }
    expect(headerNames('/v1/orders/{id}/returns', 'post')).toContain('idempotency-key');
  });

  it('[REQ-KER-010] documents the shared problem schema on every operation, with tags', async () => {
    const doc = (await t.http.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(doc.components.schemas.Problem.required).toEqual(['type', 'title', 'status', 'code', 'traceId']);
    const ops = Object.entries(
      doc.paths as Record<string, Record<string, { tags?: string[]; responses: Record<string, unknown> }>>,
    );
    expect(ops.length).toBeGreaterThanOrEqual(3);
    for (const [path, methods] of ops) {
      for (const [method, op] of Object.entries(methods)) {
        expect(op.tags?.length, `${method} ${path} has a tag`).toBeGreaterThan(0);
        expect(op.responses['500'], `${method} ${path} documents 500`).toMatchObject({
          content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
        });
      }
    }
    expect(doc.paths['/readyz'].get.responses['503']).toBeDefined();
  });

  it('[REQ-KER-010] no allOf joins a closed object (additionalProperties: false) with one that adds properties', async () => {
    // Such a schema accepts nothing that has the added properties: the closed member refuses them.
    const doc = (await t.http.inject({ method: 'GET', url: '/openapi.json' })).json();
    type Schema = { $ref?: string; properties?: Record<string, unknown>; additionalProperties?: unknown };
    const resolve = (s: Schema): Schema => {
      const ref = s.$ref?.match(/^#\/components\/schemas\/(.+)$/)?.[1];
      return ref ? resolve(doc.components.schemas[decodeURIComponent(ref)]) : s;
    };
    const flaws: string[] = [];
    const walk = (node: unknown, at: string): void => {
      if (!node || typeof node !== 'object') return;
      const allOf = (node as { allOf?: Schema[] }).allOf;
      if (Array.isArray(allOf)) {
        const members = allOf.map(resolve);
        for (const closed of members.filter((m) => m.additionalProperties === false)) {
          const own = new Set(Object.keys(closed.properties ?? {}));
          const added = members.flatMap((m) => Object.keys(m.properties ?? {})).filter((k) => !own.has(k));
          if (added.length) flaws.push(`${at}: a closed member refuses ${[...new Set(added)].join(', ')}`);
        }
      }
      for (const [k, v] of Object.entries(node)) walk(v, `${at}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`);
    };
    walk(doc, '#');
    expect(flaws).toEqual([]);
  });
});
