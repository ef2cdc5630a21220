// GraphQL at POST /graphql (GET for queries): the modules' pieces assembled into one schema and served by
// mercurius on the same Fastify instance, behind the same hooks as REST (request id, rate limit, auth → ctx).
// The kernel imports no module: app.ts passes in the pieces the modules declared.
import { GraphQLError, Kind, type ValueNode } from 'graphql';
import mercurius from 'mercurius';
import type { App } from '../http/app-type.ts';
import { access } from '../http/auth.ts';
import { releaseIdempotencyKey } from '../http/idempotency.ts';
import { formatGraphqlErrors } from './errors.ts';
import { DEFAULT_LIMITS, MAX_TEXT_NESTING, type QueryLimits, queryLimitsRule, textNesting } from './limits.ts';
import type { GraphqlContext, GraphqlPiece, Resolver } from './piece.ts';

export interface GraphqlOptions {
  /** Serve GraphiQL at /graphiql (development only). */
  ide: boolean;
  limits?: QueryLimits;
}

/** Types shared by every module: money in integer minor units, as in REST JSON. */
const BASE_SDL = `
"Integer up to 2^53 − 1 (money in minor units may exceed GraphQL's 32-bit Int)."
scalar SafeInt
"A JSON object of string values, e.g. variant attributes {color: \\"black\\", size: \\"M\\"}."
scalar StringMap
"Money: an integer amount of minor units and an ISO 4217 currency."
type Money { amount: SafeInt! currency: String! }
type Query
`;

function safeInt(value: unknown): number {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
  throw new GraphQLError(`SafeInt must be an integer up to 2^53 − 1; got ${JSON.stringify(value)}.`);
}

function stringMap(value: unknown): Record<string, string> {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    if (Object.values(value).every((v) => typeof v === 'string')) return value as Record<string, string>;
  }
  throw new GraphQLError('StringMap must be an object of string values.');
}

const SCALARS = {
  SafeInt: {
    serialize: safeInt,
    parseValue: safeInt,
    parseLiteral: (node: ValueNode) => safeInt(node.kind === Kind.INT ? Number(node.value) : undefined),
  },
  StringMap: {
    serialize: stringMap,
    parseValue: stringMap,
    parseLiteral: () => {
      throw new GraphQLError('StringMap is accepted only as a variable.');
    },
  },
};

/** One schema from the pieces; two pieces resolving the same field is a wiring mistake and stops start-up. */
export function assembleSchema(pieces: GraphqlPiece[]): {
  typeDefs: string[];
  resolvers: Record<string, Record<string, Resolver>>;
} {
  const resolvers: Record<string, Record<string, Resolver>> = {};
  for (const piece of pieces) {
    for (const [type, fields] of Object.entries(piece.resolvers)) {
      const into = resolvers[type] ?? {};
      for (const [field, fn] of Object.entries(fields)) {
        if (into[field]) throw new Error(`GraphQL: ${type}.${field} is resolved by two modules`);
        into[field] = fn;
      }
      resolvers[type] = into;
    }
  }
  const mutation = resolvers.Mutation ? 'type Mutation' : '';
  return { typeDefs: [BASE_SDL, mutation, ...pieces.map((p) => p.typeDefs)], resolvers };
}

/** Mercurius serialises `errors[].path` as strings; list indexes are integers in GraphQL (`["cart", "items", 0]`). */
function withIntegerPathSegments(response: unknown): unknown {
  const all = { ...(response as Record<string, unknown> | undefined) };
  const ok = structuredClone(all['2xx']) as
    | { properties?: { errors?: { items?: { properties?: { path?: { items?: unknown } } } } } }
    | undefined;
  const path = ok?.properties?.errors?.items?.properties?.path;
  if (!path) return response;
  path.items = { type: ['string', 'integer'] };
  return { ...all, '2xx': ok };
}

/**
 * The query text of a request, when it is also JSON (a number, `true`, `null`, an object …). No GraphQL document is
 * valid JSON, and mercurius reads a query that fails to parse as a JSON AST: `?query=1` reached graphql's validator
 * as the number 1 and failed with a 500. Such a query is answered here as the syntax error it is.
 */
function queryText(request: { query: unknown; body: unknown }): string | undefined {
  const q =
    (request.body as { query?: unknown } | undefined)?.query ??
    (request.query as { query?: unknown } | undefined)?.query;
  return typeof q === 'string' ? q : undefined;
}

function jsonQuery(request: { query: unknown; body: unknown }): boolean {
  const q = queryText(request);
  if (q === undefined) return false;
  try {
    JSON.parse(q);
    return true;
  } catch {
    return false;
  }
}

export async function installGraphql(http: App, pieces: GraphqlPiece[], options: GraphqlOptions): Promise<void> {
  const { typeDefs, resolvers } = assembleSchema(pieces);
  // /graphql is described in one line in OpenAPI (its real schema is the GraphQL SDL, by introspection);
  // GraphiQL's static files are not part of the API.
  http.addHook('onRoute', (route) => {
    if (route.url.startsWith('/graphiql')) route.schema = { ...route.schema, hide: true };
    else if (route.url === '/graphql') {
      // Not in OpenAPI: its contract is the GraphQL schema (introspection), and its errors follow the GraphQL
      // over HTTP answer format ({data, errors} as application/json), not REST's problem+json.
      route.schema = { ...route.schema, response: withIntegerPathSegments(route.schema?.response), hide: true };
      const refuse = async (
        request: Parameters<typeof jsonQuery>[0],
        reply: { code(n: number): { send(b: unknown): unknown } },
      ) => {
        const nesting = textNesting(queryText(request) ?? '');
        if (nesting > MAX_TEXT_NESTING) {
          return reply.code(400).send({
            data: null,
            errors: [
              {
                message: `The query nests ${nesting} levels of brackets; the limit is ${MAX_TEXT_NESTING}.`,
                extensions: { code: 'graphql.too_deep', status: 400 },
              },
            ],
          });
        }
        if (!jsonQuery(request)) return;
        return reply.code(400).send({
          data: null,
          errors: [
            {
              message: 'Syntax Error: the query is not a GraphQL document.',
              extensions: { code: 'graphql.invalid_query', status: 400 },
            },
          ],
        });
      };
      route.preHandler = [
        ...(Array.isArray(route.preHandler) ? route.preHandler : route.preHandler ? [route.preHandler] : []),
        refuse as never,
      ];
    }
  });
  await http.register(mercurius, {
    schema: typeDefs,
    resolvers: { ...resolvers, ...SCALARS } as never,
    path: '/graphql',
    graphiql: options.ide,
    allowBatchedQueries: false,
    validationRules: [queryLimitsRule(options.limits ?? DEFAULT_LIMITS)],
    // Bounds the work of parsing before any rule runs (a large query is refused as a syntax error).
    graphql: { parseOptions: { maxTokens: 5_000 } },
    errorFormatter: formatGraphqlErrors as never,
    // An Idempotency-Key makes a retried mutation safe, as on REST: the same key and body replay the first answer.
    // Guests and signed-in callers alike; a Bearer token, when sent, must be valid (else 401), as on REST.
    additionalRouteOptions: { config: { access: access.optionalCustomerOr('orders:read'), idempotency: true } },
    context: (request): GraphqlContext => {
      const header = (name: string, max: number) => {
        const v = request.headers[name];
        return typeof v === 'string' && v.length > 0 && v.length <= max ? v : undefined;
      };
      return {
        ctx: request.ctx ?? { requestId: String(request.id), actor: { kind: 'anonymous' } },
        cartToken: header('x-cart-token', 200),
        orderToken: header('x-order-token', 200),
        // Checked by the idempotency layer before any resolver runs (1 to 255 printable ASCII characters without
        // spaces; another → 400 request.validation_failed).
        idempotencyKey: header('idempotency-key', 255),
        releaseIdempotencyKey: () => releaseIdempotencyKey(request),
        setPrivacySubject: (subject: string) => {
          request.privacySubject = subject;
        },
        loaders: new Map(),
      };
    },
  });
}
