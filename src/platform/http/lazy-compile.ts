// Route schemas compile on first use instead of at start-up. Fastify compiles every route's validators and response
// serializers while it gets ready: several hundred functions (each route also declares five to nine problem
// responses), most of which a process never needs, and the largest item of a start-up's CPU profile. Here each one is
// a stand-in that compiles the real function the first time a request needs it, with the same compiler and the same
// schema, so every answer is the same as with eager compilation. compileAllSchemas (tests) compiles them all.
import { createRequire } from 'node:module';
import type { ValidateFunction } from 'ajv';
import { ISO_FORMATS } from '../iso-codes.ts';

type Serialize = (data: unknown) => string;
/** What Fastify passes a serializer compiler for one response schema. */
export interface SerializerRoute {
  schema?: unknown;
  method: string;
  url: string;
  httpStatus: string;
}
export type SerializerFactory = (externalSchemas?: unknown, options?: object) => (route: SerializerRoute) => Serialize;

/** One app's deferred compilations: those not run yet are kept so a test can run them all. */
export interface LazySchemas {
  /** Wraps a compilation: it runs on the first call of the function returned. */
  defer<T>(build: () => T, where: string): () => T;
  /** Runs every compilation still deferred; the first failure throws, naming its route. Returns how many ran. */
  compileAll(): number;
}

export function createLazySchemas(): LazySchemas {
  const pending = new Set<() => unknown>();
  return {
    defer<T>(build: () => T, where: string) {
      let built: T | undefined;
      const get = (): T => {
        if (built === undefined) {
          try {
            built = build();
          } catch (e) {
            throw new Error(`Could not compile the schema of ${where}: ${(e as Error).message}`, { cause: e });
          }
          pending.delete(get);
        }
        return built;
      };
      pending.add(get);
      return get;
    },
    compileAll() {
      const all = [...pending];
      for (const get of all) get();
      return all.length;
    },
  };
}

/**
 * An ajv validator compiled on first call. Fastify reads `schemaEnv` before calling (it then passes the parent
 * object, so ajv may fill defaults into the root) and `errors` after a failed call: both come from the real function.
 */
export function lazyValidator(get: () => ValidateFunction): ValidateFunction {
  const validate = function (this: unknown, data: unknown, dataCxt?: unknown) {
    return (get() as (this: unknown, d: unknown, c?: unknown) => boolean).call(this, data, dataCxt);
  } as ValidateFunction;
  Object.defineProperties(validate, {
    schemaEnv: { get: () => get().schemaEnv },
    schema: { get: () => get().schema },
    errors: {
      get: () => get().errors,
      set: (v) => {
        get().errors = v;
      },
    },
  });
  return validate;
}

// Fastify's own default serializer compiler (fast-json-stringify), resolved from Fastify itself so it is the very
// copy and version Fastify would use.
const fastifyRequire = createRequire(createRequire(import.meta.url).resolve('fastify'));
const defaultSerializerFactory = (
  fastifyRequire('@fastify/fast-json-stringify-compiler') as { SerializerSelector: () => SerializerFactory }
).SerializerSelector();

/**
 * The ISO code formats as fast-json-stringify's ajv sees them (it picks a union's branch with ajv): known, so it does
 * not warn about them, and not checked, so a row stored before the lists (a withdrawn currency) is still answered.
 */
const RESPONSE_FORMATS = Object.fromEntries(Object.keys(ISO_FORMATS).map((name) => [name, true]));

/** Fastify's default response serializers (fast-json-stringify), each compiled when its first response is sent. */
export function lazySerializerFactory(lazy: LazySchemas): SerializerFactory {
  return (externalSchemas, options: { ajv?: { formats?: object } } = {}) => {
    const ajv = { ...options.ajv, formats: { ...options.ajv?.formats, ...RESPONSE_FORMATS } };
    const compile = defaultSerializerFactory(externalSchemas, { ...options, ajv });
    return (route) => {
      const get = lazy.defer(() => compile(route), `the ${route.httpStatus} response of ${route.method} ${route.url}`);
      return (data) => get()(data);
    };
  };
}
