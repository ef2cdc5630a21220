// The rate-limit store: counters in Redis, shared by every process, and in this process's memory while Redis is
// away (errors or timeouts; see cache/redis-health.ts). A Redis fault never lets a request through unlimited and
// never fails it: the limit holds per process until Redis answers again.
import type { FastifyRateLimitStore, FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import LocalStore from '@fastify/rate-limit/store/LocalStore.js';
import RedisStore from '@fastify/rate-limit/store/RedisStore.js';
import type { Redis } from 'ioredis';
import type { RedisHealth } from '../cache/redis-health.ts';

type Options = ConstructorParameters<FastifyRateLimitStoreCtor>[0] & {
  continueExceeding?: boolean;
  exponentialBackoff?: boolean;
};
type StoreCtor = new (...args: unknown[]) => FastifyRateLimitStore;

function fallbackStore(shared: FastifyRateLimitStore, local: FastifyRateLimitStore, health: RedisHealth) {
  const store: FastifyRateLimitStore = {
    incr(key, callback, timeWindow, max) {
      if (!health.up) return local.incr(key, callback, timeWindow, max);
      shared.incr(
        key,
        (error, result) => {
          if (!error) return callback(null, result);
          health.failed(error);
          local.incr(key, callback, timeWindow, max);
        },
        timeWindow,
        max,
      );
    },
    child(routeOptions) {
      return fallbackStore(shared.child(routeOptions), local.child(routeOptions), health);
    },
  };
  return store;
}

/** The store class the rate-limit plugin instantiates (`store` option). */
export function redisStoreWithFallback(
  redis: Redis,
  nameSpace: string,
  health: RedisHealth,
): FastifyRateLimitStoreCtor {
  return function Store(options: Options) {
    const shared = new (RedisStore as StoreCtor)(
      options.continueExceeding,
      options.exponentialBackoff,
      redis,
      nameSpace,
    );
    const local = new (LocalStore as StoreCtor)(options.continueExceeding, options.exponentialBackoff);
    return fallbackStore(shared, local, health);
  } as unknown as FastifyRateLimitStoreCtor;
}
