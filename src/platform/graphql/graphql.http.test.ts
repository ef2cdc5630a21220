// The GraphQL endpoint itself: transport, limits and error hygiene. A test-only module adds a recursive type (the
// storefront schema has no cycle deep enough to hit the depth limit) and a field that fails unexpectedly.
import { Writable } from 'node:stream';
import { getIntrospectionQuery } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/support/create-test-app.ts';
import { graphql } from '../../../test/support/graphql.ts';
import { AppError } from '../errors.ts';

const logs: string[] = [];
const logStream = new Writable({
  write(chunk, _enc, cb) {
    logs.push(chunk.toString());
    cb();
  },
});

interface TestNode {
  id: string;
}

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({
    workers: false,
    logStream,
    extraModules: [
      {
        name: 'graphql_probe',
        graphql: {
          typeDefs: `type Node { id: ID! child: Node }
            extend type Query { node: Node boom: String teapot: String list: [String] }`,
          resolvers: {
            Query: {
              node: () => ({ id: 'n' }),
              list: () => ['a', Promise.reject(new AppError(404, 'probe.gone', 'Gone'))],
              boom: () => {
                throw new Error('connection to postgres://admin:hunter2@db failed');
              },
              teapot: () => {
                throw new AppError(418, 'probe.teapot', 'I am a teapot', { detail: 'Short and stout.' });
              },
            },
            Node: { child: (n: TestNode) => ({ id: `${n.id}.c` }) },
          },
        },
      },
    ],
  });
});
afterAll(async () => {
  await t?.close();
});

const nested = (levels: number) => `{ node { ${'child { '.repeat(levels - 2)}id${' }'.repeat(levels - 2)} } }`;

describe('GraphQL endpoint', () => {
  it('[REQ-GQL-001] POST and GET /graphql answer queries; GET refuses mutations; no batches; no GraphiQL outside development', async () => {
    const post = await graphql(t, '{ node { id child { id } } }');
    expect(post).toEqual({ status: 200, body: { data: { node: { id: 'n', child: { id: 'n.c' } } } } });
    const get = await t.http.inject({ method: 'GET', url: `/graphql?query=${encodeURIComponent('{ node { id } }')}` });
    expect([get.statusCode, get.json()]).toEqual([200, { data: { node: { id: 'n' } } }]);
    const mutation = await t.http.inject({
      method: 'GET',
      url: `/graphql?query=${encodeURIComponent('mutation { createCart { id } }')}`,
    });
    expect(mutation.statusCode).toBe(405);
    expect(mutation.json().errors[0].extensions).toMatchObject({ code: 'graphql.method_not_allowed', status: 405 });
    const batch = await t.http.inject({
      method: 'POST',
      url: '/graphql',
      payload: [{ query: '{ node { id } }' }, { query: '{ node { id } }' }] as never,
    });
    expect(batch.statusCode).toBe(400);
    expect(batch.json().data).toBeNull();
    const malformed = await t.http.inject({
      method: 'POST',
      url: '/graphql',
      headers: { 'content-type': 'application/json' },
      payload: '{"query": ',
    });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().errors[0].extensions).toMatchObject({ code: 'request.malformed_json', status: 400 });
    expect((await t.http.inject({ method: 'GET', url: '/graphiql' })).statusCode).toBe(404);
  });

  it('[REQ-GQL-001] the standard introspection query passes the limits', async () => {
    const { status, body } = await graphql(t, getIntrospectionQuery());
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    const names = body.data.__schema.types.map((x: { name: string }) => x.name);
    expect(names).toEqual(expect.arrayContaining(['Product', 'Cart', 'SearchResult', 'Money', 'SafeInt']));
  });

  it('[REQ-GQL-008] a query nested deeper than 8 levels is refused before anything runs', async () => {
    expect((await graphql(t, nested(8))).status).toBe(200);
    const { status, body } = await graphql(t, nested(9));
    expect(status).toBe(400);
    expect(body).toEqual({
      data: null,
      errors: [
        {
          message: 'Operation anonymous nests 9 levels; the limit is 8.',
          extensions: { code: 'graphql.too_deep', status: 400, traceId: expect.any(String) },
        },
      ],
    });
    // Fragments do not hide depth.
    const viaFragment = await graphql(t, `{ node { ...deep } } fragment deep on Node { ${nested(9).slice(9, -4)} }`);
    expect(viaFragment.body.errors?.[0]?.extensions.code).toBe('graphql.too_deep');
    const deepIntrospection = `{ __schema { types { fields { type ${'{ ofType '.repeat(12)}{ name }${' }'.repeat(12)} } } } }`;
    expect((await graphql(t, deepIntrospection)).body.errors?.[0]?.extensions.code).toBe('graphql.too_deep');
  });

  it('[REQ-GQL-008] thousands of nested brackets are refused before parsing, never a stack overflow', async () => {
    for (const n of [3000, 20_000]) {
      const selection = `{ __schema { types { ${'ofType { '.repeat(n)} name ${'} '.repeat(n)} } } }`;
      const list = `query($v: [[Int]] = ${'['.repeat(n)}${']'.repeat(n)}) { __typename }`;
      for (const query of [selection, list]) {
        const { status, body } = await graphql(t, query);
        expect(status).toBe(400);
        expect(body.data).toBeNull();
        expect(body.errors?.[0]?.extensions.code).toBe('graphql.too_deep');
        expect(JSON.stringify(body)).not.toMatch(/call stack/i);
      }
    }
    // Brackets inside strings and comments do not count.
    const quoted = `{ __typename # ${'{'.repeat(100)}\n }`;
    expect((await graphql(t, quoted)).status).toBe(200);
  });

  it('[REQ-GQL-008] cost (fields × page sizes), root fields (aliases) and query size are bounded', async () => {
    const page = 'products(limit: 100) { items { id slug name variants { id sku price { amount currency } } } }';
    const aliases = (n: number, field: string) =>
      `{ ${Array.from({ length: n }, (_, i) => `a${i}: ${field}`).join(' ')} }`;
    const three = await graphql(t, aliases(3, page));
    expect(three.status).toBe(200);
    const ten = await graphql(t, aliases(10, page));
    expect(ten.status).toBe(400);
    expect(ten.body.errors?.map((e) => [e.message, e.extensions.code])).toEqual([
      ['Operation anonymous costs 10010 (fields × page sizes); the limit is 10000.', 'graphql.too_complex'],
    ]);
    const variableLimit = await graphql(
      t,
      `query($n: Int) { ${Array.from({ length: 10 }, (_, i) => `a${i}: products(limit: $n) { items { id slug name variants { id sku price { amount currency } } } }`).join(' ')} }`,
      { n: 1 },
    );
    expect(variableLimit.body.errors?.[0]?.extensions.code).toBe('graphql.too_complex');
    const many = await graphql(t, aliases(11, 'node { id }'));
    expect(many.body.errors?.map((e) => e.extensions.code)).toEqual(['graphql.too_many_fields']);
    const huge = await graphql(t, aliases(10, `node { ${'id '.repeat(600)} }`));
    expect(huge.status).toBe(400);
    expect(huge.body.errors?.[0]?.extensions.code).toBe('graphql.invalid_query');
    expect(huge.body.errors?.[0]?.message).toContain('tokens');
  });

  it('[REQ-GQL-004] a query that is JSON rather than GraphQL (1, true, null, {}) is a 400 syntax error, never a 500', async () => {
    for (const q of ['1', '-1', 'true', 'null', '{}', '"x"']) {
      const get = await t.http.inject({ method: 'GET', url: `/graphql?query=${encodeURIComponent(q)}` });
      const post = await t.http.inject({ method: 'POST', url: '/graphql', payload: { query: q } });
      for (const r of [get, post]) {
        expect(r.statusCode).toBe(400);
        expect(r.json().errors[0].extensions).toEqual({ code: 'graphql.invalid_query', status: 400 });
      }
    }
    expect((await graphql(t, '{ node { id } }')).body.data).toEqual({ node: { id: 'n' } });
  });

  it('[REQ-GQL-004] an unexpected error is logged with its stack and reaches the client only as `internal`', async () => {
    const { status, body } = await graphql(t, '{ boom teapot node { id } }');
    expect(status).toBe(200);
    expect(body.data).toEqual({ boom: null, teapot: null, node: { id: 'n' } });
    expect(body.errors).toEqual([
      {
        message: 'Internal server error. Quote the traceId when reporting it.',
        locations: [{ line: 1, column: 3 }],
        path: ['boom'],
        extensions: { code: 'internal', status: 500, traceId: expect.any(String) },
      },
      {
        message: 'Short and stout.',
        locations: [{ line: 1, column: 8 }],
        path: ['teapot'],
        extensions: { code: 'probe.teapot', status: 418, traceId: body.errors?.[0]?.extensions.traceId },
      },
    ]);
    expect(JSON.stringify(body)).not.toContain('hunter2');
    const logged = logs.map((l) => JSON.parse(l)).find((l) => l.msg === 'graphql: unexpected error');
    expect(logged.err.message).toContain('hunter2');
    expect(logged.err.stack).toContain('graphql.http.test.ts');
    // Paths name list items by integer index, as GraphQL specifies.
    const list = await graphql(t, '{ list }');
    expect(list.body.data).toEqual({ list: ['a', null] });
    expect(list.body.errors?.map((e) => [e.path, e.extensions.code])).toEqual([[['list', 1], 'probe.gone']]);
    const syntax = await graphql(t, '{ node { id }');
    expect(syntax.status).toBe(400);
    expect(syntax.body.errors?.[0]).toMatchObject({
      message: 'Syntax Error: Expected Name, found <EOF>.',
      extensions: { code: 'graphql.invalid_query', status: 400 },
    });
  });
});
