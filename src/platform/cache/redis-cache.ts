// The Redis cache. A key's first segment (`catalog:`, `search:`) names a generation: values live under
// `<namespace>{<segment>}:<generation>:<rest>`, and dropping the segment writes a new generation — one SET, whatever
// the number of keys — instead of scanning the keyspace (which cost O(all keys) round trips on every stock change).
// Values of older generations are never read again and expire with their TTL. A generation that is missing (a fresh
// or restarted Redis, or one evicted under memory pressure) is replaced by a new unique one inside the same script,
// so a value written under an earlier generation can never come back.
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Cache } from './cache.ts';

// KEYS[1] = the segment's generation key; ARGV[1] = '<namespace>{<segment>}:', ARGV[2] = the rest of the key,
// ARGV[3] = a fresh generation to use when none is set.
const GENERATION = `local g = redis.call('GET', KEYS[1])
if not g then g = ARGV[3]; redis.call('SET', KEYS[1], g) end
local k = ARGV[1] .. g .. ':' .. ARGV[2]
`;
const SCRIPTS = {
  emporiumCacheGet: `${GENERATION}return redis.call('GET', k)`,
  // ARGV[4] = value, ARGV[5] = TTL in seconds
  emporiumCacheSet: `${GENERATION}redis.call('SET', k, ARGV[4], 'EX', ARGV[5]) return 1`,
  emporiumCacheDel: `${GENERATION}return redis.call('DEL', k)`,
} as const;

type ScriptName = keyof typeof SCRIPTS;
type Scripted = Redis & Record<ScriptName, (...args: (string | number)[]) => Promise<unknown>>;

const newGeneration = () => randomBytes(6).toString('base64url');

/** Redis-backed cache; keys are namespaced so several apps can share one Redis. */
export function createRedisCache(redis: Redis, namespace = 'emporium:cache:'): Cache {
  const r = redis as Scripted;
  for (const [name, lua] of Object.entries(SCRIPTS)) {
    // ioredis sends EVALSHA and falls back to EVAL once after a Redis restart (NOSCRIPT).
    if (!(name in r)) redis.defineCommand(name, { numberOfKeys: 1, lua });
  }
  /** The generation key and the parts of a stored key. */
  const parts = (key: string) => {
    const at = key.indexOf(':');
    const segment = at < 0 ? '_' : key.slice(0, at);
    const rest = at < 0 ? key : key.slice(at + 1);
    const base = `${namespace}{${segment}}:`;
    return { gen: `${base}gen`, base, rest };
  };
  const run = (script: ScriptName, key: string, ...extra: (string | number)[]) => {
    const p = parts(key);
    return r[script](p.gen, p.base, p.rest, newGeneration(), ...extra);
  };

  async function scanDelete(pattern: string) {
    let cursor = '0';
    do {
      const [next, found] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
      cursor = next;
      if (found.length) await redis.del(...found);
    } while (cursor !== '0');
  }

  return {
    kind: 'redis',
    async get(key) {
      return ((await run('emporiumCacheGet', key)) as string | null) ?? undefined;
    },
    async set(key, value, ttlSeconds) {
      await run('emporiumCacheSet', key, value, Math.max(1, Math.ceil(ttlSeconds)));
    },
    async del(keys) {
      for (const key of keys) await run('emporiumCacheDel', key);
    },
    /**
     * A prefix within one segment (`catalog:`, `catalog:json:`) drops that whole segment: one SET of a new
     * generation (dropping more than asked is always safe for a cache). The empty prefix, or one without a `:`,
     * deletes by scanning this namespace (only after Redis recovers from an outage).
     */
    async delPrefix(prefix) {
      const at = prefix.indexOf(':');
      if (at > 0) {
        await redis.set(parts(prefix).gen, newGeneration());
        return;
      }
      await scanDelete(`${namespace}{${prefix}*`);
    },
    async ping() {
      await redis.ping();
    },
    async close() {},
  };
}
