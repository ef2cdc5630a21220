// Variables that do not fit their declared types are the client's mistake: graphql-js refuses them while coercing
// (before anything runs, or when a field's arguments are read) and the answer is a 400 with a stable code, never a
// 500 `internal`. The value sent is never written to a log line. A test-only module declares an enum, an input
// object and a required argument; the storefront's own fields (products, updateCart) are used as the probe found.
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/support/create-test-app.ts';
import { graphql } from '../../../test/support/graphql.ts';

const logs: string[] = [];
const logStream = new Writable({
  write(chunk, _enc, cb) {
    logs.push(chunk.toString());
    cb();
  },
});

const calls: unknown[] = [];
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({
    workers: false,
    logStream,
    extraModules: [
      {
        name: 'graphql_variables_probe',
        graphql: {
          typeDefs: `enum Shade { LIGHT DARK }
            input ProbeInput { name: String! size: Int }
            extend type Query { shade(s: Shade): String probe(input: ProbeInput): String need(n: Int!): Int leak: SafeInt }`,
          resolvers: {
            Query: {
              shade: (_p: unknown, args: { s?: string }) => calls.push(args) && (args.s ?? 'none'),
              probe: (_p: unknown, args: { input?: { name: string } }) => calls.push(args) && 'ok',
              need: (_p: unknown, args: { n: number }) => calls.push(args) && args.n,
              // A server bug: a value SafeInt cannot serialize; its message quotes the value.
              leak: () => PERSONAL,
            },
          },
        },
      },
    ],
  });
});
afterAll(async () => {
  await t?.close();
});

const PERSONAL = 'leaky.person@example.com Unter den Linden 1';

describe('GraphQL variables of the wrong type', () => {
  it('[REQ-GQL-009] every coercion error is a 400 graphql.invalid_query with data null; nothing runs', async () => {
    const cases: [string, Record<string, unknown>, RegExp][] = [
      ['query($l: Int) { products(limit: $l) { total } }', { l: PERSONAL }, /Int cannot represent/],
      ['query($s: Shade) { shade(s: $s) }', { s: 'PURPLE' }, /Value "PURPLE" does not exist in "Shade" enum/],
      ['query($i: ProbeInput) { probe(input: $i) }', { i: { size: 1 } }, /Field "name" of required type/],
      ['query($i: ProbeInput) { probe(input: $i) }', { i: { name: 'a', colour: 'x' } }, /Field "colour" is not/],
      ['query($n: Int!) { need(n: $n) }', { n: null }, /must not be null/],
      ['query($n: Int!) { need(n: $n) }', {}, /was not provided/],
      [
        'mutation($a: AddressInput) { updateCart(cartId: "x", shippingAddress: $a) { id } }',
        { a: { name: 'A', line1: PERSONAL, postalCode: '10117', country: 'DE' } },
        /Field "city" of required type "String!" was not provided/,
      ],
    ];
    for (const [query, variables, message] of cases) {
      const { status, body } = await graphql(t, query, variables);
      expect({ query, status }).toEqual({ query, status: 400 });
      expect(body.data).toBeNull();
      expect(body.errors).toHaveLength(1);
      expect(body.errors?.[0]?.message).toMatch(message);
      expect(body.errors?.[0]?.extensions).toEqual({
        code: 'graphql.invalid_query',
        status: 400,
        traceId: expect.any(String),
      });
    }
    expect(calls).toEqual([]);
  });

  it('[REQ-GQL-009] an argument refused while the field runs (null for a non-null argument) is a 400 error', async () => {
    // `$n` has a default, so validation lets it stand for `Int!`; an explicit null reaches the argument itself. The
    // field's error is a client error (400 in its extensions); the answer has data, so HTTP 200 as for any field.
    const { status, body } = await graphql(t, 'query($n: Int = 3) { need(n: $n) }', { n: null });
    expect(status).toBe(200);
    expect(body.data).toEqual({ need: null });
    expect(body.errors).toEqual([
      expect.objectContaining({
        message: 'Argument "n" of non-null type "Int!" must not be null.',
        path: ['need'],
        extensions: { code: 'graphql.invalid_query', status: 400, traceId: expect.any(String) },
      }),
    ]);
    expect(calls).toEqual([]);
    expect((await graphql(t, 'query($n: Int = 3) { need(n: $n) }')).body).toEqual({ data: { need: 3 } });
  });

  it('[REQ-GQL-009] the value sent never reaches a log line, and nothing is logged as an error', async () => {
    logs.length = 0;
    await graphql(t, 'query($l: Int) { products(limit: $l) { total } }', { l: PERSONAL });
    await graphql(t, 'mutation($a: AddressInput) { updateCart(cartId: "x", shippingAddress: $a) { id } }', {
      a: { name: 'A', line1: PERSONAL, postalCode: '10117', country: 'DE' },
    });
    const lines = logs.map((l) => JSON.parse(l) as { level: number });
    expect(logs.join('\n')).not.toContain('leaky.person');
    expect(logs.join('\n')).not.toContain('Unter den Linden');
    expect(lines.filter((l) => l.level >= 50)).toEqual([]);
  });

  it('[REQ-GQL-009] a value the server cannot serialize stays `internal`, logged without the message quoting it', async () => {
    logs.length = 0;
    const { status, body } = await graphql(t, '{ leak }');
    expect(status).toBe(200);
    expect(body.data).toEqual({ leak: null });
    expect(body.errors?.map((e) => e.extensions.code)).toEqual(['internal']);
    const lines = logs.map((l) => JSON.parse(l) as { level: number; msg: string; err: Record<string, string> });
    const logged = lines.find((l) => l.msg === 'graphql: unexpected error');
    expect(logged).toMatchObject({ level: 50, err: { type: 'GraphQLError', message: '[redacted]' } });
    expect(logged?.err.stack).toMatch(/^\[redacted\]\n {4}at /);
    expect(logs.join('\n')).not.toContain('leaky.person');
  });
});
