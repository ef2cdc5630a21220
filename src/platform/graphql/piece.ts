// What a module contributes to the GraphQL schema, and what every resolver receives. Modules build their
// piece in `<m>.graphql.ts` and hand it to app.ts in their ModuleDefinition; the kernel assembles them.
// Resolvers call the module's own services with `context.ctx`, exactly as its REST routes do.
import type { Ajv, ValidateFunction } from 'ajv';
import DataLoader from 'dataloader';
import type { GraphQLResolveInfo } from 'graphql';
import type { TSchema } from 'typebox';
import type { Ctx } from '../context.ts';
import { errors, type FieldError } from '../errors.ts';
import { createAjv } from '../http/validation.ts';

/** The per-request GraphQL context. */
export interface GraphqlContext {
  /** The same request context REST handlers get (actor from the Bearer token, request id). */
  ctx: Ctx;
  /** The `X-Cart-Token` header: a guest's credential for their cart. */
  cartToken: string | undefined;
  /** The `X-Order-Token` header: a guest's credential for their order. */
  orderToken: string | undefined;
  /** The `Idempotency-Key` header, when sent. */
  idempotencyKey: string | undefined;
  /**
   * For a field that is idempotent by its own key (placeOrder): the request's answer is not stored under the
   * Idempotency-Key header, so a retry runs the field again instead of replaying the first answer.
   */
  releaseIdempotencyKey(): void;
  /**
   * The data key subject of the personal data this request answers with (privacy/data-keys.ts): the answer stored
   * under the Idempotency-Key is then sealed under it, so erasing the person shreds the stored answer too.
   */
  setPrivacySubject(subject: string): void;
  /** Per-request DataLoaders by name (see perRequestLoader); dropped with the request. */
  loaders: Map<string, unknown>;
}

// biome-ignore lint/suspicious/noExplicitAny: resolver signatures vary per field; each piece types its own.
export type Resolver = (parent: any, args: any, context: GraphqlContext, info: GraphQLResolveInfo) => unknown;

export interface ScalarDefinition {
  serialize(value: unknown): unknown;
  parseValue(value: unknown): unknown;
}

/** One module's part of the schema: SDL (`extend type Query { … }`, its own types) and the resolvers of those fields. */
export interface GraphqlPiece {
  typeDefs: string;
  resolvers: Record<string, Record<string, Resolver>>;
}

/**
 * Declares a DataLoader created once per request (per GraphQL context) on first use, so a batch never mixes
 * callers and its cache never outlives the request. Usage: `const products = perRequestLoader('catalog.products',
 * (context, keys) => …)`, then `products(context).load(key)` from any resolver.
 */
export function perRequestLoader<K, V>(
  name: string,
  batch: (context: GraphqlContext, keys: readonly K[]) => Promise<(V | Error)[]>,
  options: { cacheKey?: (key: K) => string; maxBatchSize?: number } = {},
): (context: GraphqlContext) => DataLoader<K, V, string | K> {
  return (context) => {
    let loader = context.loaders.get(name) as DataLoader<K, V, string | K> | undefined;
    if (!loader) {
      loader = new DataLoader<K, V, string | K>((keys) => batch(context, keys), {
        maxBatchSize: options.maxBatchSize ?? 500,
        ...(options.cacheKey ? { cacheKeyFn: options.cacheKey } : {}),
      });
      context.loaders.set(name, loader);
    }
    return loader;
  };
}

/** The validator of each schema checkArgs met, compiled on first use (one ajv, no defaults, no type coercion). */
const argValidators = new WeakMap<TSchema, ValidateFunction>();
let argsAjv: Ajv | undefined;

function argValidator(schema: TSchema): ValidateFunction {
  let validate = argValidators.get(schema);
  if (!validate) {
    argsAjv ??= createAjv(false, false);
    validate = argsAjv.compile(schema);
    argValidators.set(schema, validate);
  }
  return validate;
}

/**
 * Checks GraphQL arguments against the same TypeBox schema the REST route validates its body with, by an ajv set
 * up as REST's (the same formats, ISO codes included), so both transports accept exactly the same input. Throws
 * `request.validation_failed` (400) naming each bad field.
 */
export function checkArgs<T>(schema: TSchema, value: unknown, path = 'args'): T {
  const validate = argValidator(schema);
  if (validate(value)) return value as T;
  const seen = new Set<string>();
  const list: FieldError[] = [];
  const all = validate.errors ?? [];
  // A nullable field's union reports its null branch and the union itself too; keep the specific error.
  const specific = all.filter((e) => !(e.keyword === 'type' && (e.params as { type?: unknown }).type === 'null'));
  const useful = specific.filter(
    (e) => e.keyword !== 'anyOf' || !specific.some((o) => o !== e && o.instancePath.startsWith(e.instancePath)),
  );
  for (const e of useful) {
    const missing = (e.params as { missingProperty?: string } | undefined)?.missingProperty;
    const field = `${path}${e.instancePath}${missing ? `/${missing}` : ''}`;
    if (seen.has(field)) continue;
    seen.add(field);
    list.push({ field, message: e.message ?? 'is invalid' });
  }
  throw errors.validation(list, list.map((e) => `${e.field} ${e.message}`).join('; '));
}

/** GraphQL clients send `null` for optional input fields they leave empty; REST bodies leave them out. */
export function dropNulls<T extends object>(input: T): T {
  return Object.fromEntries(Object.entries(input).filter(([, v]) => v !== null)) as T;
}
