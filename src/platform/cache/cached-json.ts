// A read-through cache of HTTP representations: the value is serialised and tagged once (strong ETag),
// kept as `<etag>\n<json>`, and served from the cache without SQL or JSON work until it is dropped.
import { type TaggedJson, tagText } from '../http/etag.ts';
import type { Cache } from './cache.ts';

export function cachedJson(
  cache: Cache,
  key: string,
  ttlSeconds: number,
  load: () => Promise<unknown>,
): Promise<TaggedJson> {
  return cachedJsonText(cache, key, ttlSeconds, async () => JSON.stringify(await load()));
}

/** cachedJson for a loader that returns the JSON text itself. */
export async function cachedJsonText(
  cache: Cache,
  key: string,
  ttlSeconds: number,
  load: () => Promise<string>,
): Promise<TaggedJson> {
  const hit = await cache.get(key);
  if (hit !== undefined) {
    const nl = hit.indexOf('\n');
    return { etag: hit.slice(0, nl), json: hit.slice(nl + 1) };
  }
  const tagged = tagText(await load());
  await cache.set(key, `${tagged.etag}\n${tagged.json}`, ttlSeconds);
  return tagged;
}
