// Builds the search module. It has one feed: catalog's outbox events, delivered by the relay (at least once, across
// processes and crashes, in order per product); each re-reads the product through catalog's public API and upserts it.
import { fileURLToPath } from 'node:url';
import { Histogram, type Registry } from 'prom-client';
import type { Cache } from '../../platform/cache/cache.ts';
import { cachedJson } from '../../platform/cache/cached-json.ts';
import type { Db } from '../../platform/db/db.ts';
import type { ReadDb } from '../../platform/db/replica.ts';
import type { Subscriber } from '../../platform/events/subscriber.ts';
import { tagJson } from '../../platform/http/etag.ts';
import type { ModuleDefinition } from '../../platform/module.ts';
import type { Logger } from '../../platform/observability/logger.ts';
import { CATALOG_EVENTS, type CatalogApi } from '../catalog/index.ts';
import type { SearchApi } from './contract.ts';
import { createSearchGraphql } from './search.graphql.ts';
import { type CachedSearchQueries, registerSearchRoutes } from './search.http.ts';
import { createIndexer } from './search.indexer.ts';
import { createSearchQueries } from './search.query.ts';

export interface SearchModuleDeps {
  db: Db;
  /** Where search and suggest statements run (kernel.readDb; default `db`). The indexer writes and reads on `db`. */
  readDb?: ReadDb;
  logger: Logger;
  catalog: CatalogApi;
  defaultCurrency: string;
  /** Where `search_index_lag_seconds` is registered (the kernel's registry). */
  registry?: Registry;
  /** Caches search and suggest answers; dropped whenever the index changes. */
  cache?: Cache;
}

const CACHE_PREFIX = 'search:';
const CACHE_TTL_SECONDS = 300;

export function createSearchModule(deps: SearchModuleDeps) {
  const indexer = createIndexer(deps.db, deps.catalog);
  const queries = createSearchQueries(deps.db, deps.defaultCurrency, deps.readDb);
  const lag = new Histogram({
    name: 'search_index_lag_seconds',
    help: 'Time from a committed catalog change to the search index reflecting it',
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
    registers: deps.registry ? [deps.registry] : [],
  });
  const cache = deps.cache;
  const cachedQueries: CachedSearchQueries = {
    search: (q) =>
      cache
        ? cachedJson(cache, `${CACHE_PREFIX}${JSON.stringify(q)}`, CACHE_TTL_SECONDS, () => queries.search(q))
        : queries.search(q).then(tagJson),
    suggest: (q, limit) =>
      cache
        ? cachedJson(cache, `${CACHE_PREFIX}suggest:${JSON.stringify([q, limit])}`, CACHE_TTL_SECONDS, () =>
            queries.suggest(q, limit),
          )
        : queries.suggest(q, limit).then(tagJson),
  };

  const api: SearchApi & { reindexIfEmpty(): Promise<number> } = {
    indexProducts: indexer.indexProducts,
    reindexAll: indexer.reindexAll,
    async reindexIfEmpty() {
      if (!(await indexer.isEmpty())) return 0;
      const n = await indexer.reindexAll();
      await deps.readDb?.fence();
      await deps.cache?.delPrefix(CACHE_PREFIX);
      return n;
    },
  };
  // Re-indexing a product is idempotent (a redelivery changes nothing). Ordered per product: each handler reads the
  // catalog after the change it was told about, so the last one leaves the index matching the catalog.
  const indexOnEvent: Subscriber = {
    name: 'search.index_catalog_changes',
    ordered: true,
    eventTypes: [
      CATALOG_EVENTS.productCreated,
      CATALOG_EVENTS.productUpdated,
      CATALOG_EVENTS.productArchived,
      CATALOG_EVENTS.variantCreated,
      CATALOG_EVENTS.variantUpdated,
      CATALOG_EVENTS.variantDeleted,
    ],
    async handle(event) {
      await indexer.indexProducts([event.aggregateId]);
      // Fenced first: an answer re-cached after the drop is read from the primary until the replica has the change.
      await deps.readDb?.fence();
      await deps.cache?.delPrefix(CACHE_PREFIX);
      lag.observe(Math.max(0, Date.now() - Date.parse(event.occurredAt)) / 1000);
    },
  };
  const definition: ModuleDefinition = {
    name: 'search',
    subscribers: [indexOnEvent],
    migrations: { module: 'search', dir: fileURLToPath(new URL('./migrations/', import.meta.url)) },
    registerRoutes: (http) => registerSearchRoutes(http, cachedQueries),
    graphql: createSearchGraphql(queries, deps.catalog, deps.defaultCurrency),
  };
  return { definition, api, queries };
}

export type SearchModule = ReturnType<typeof createSearchModule>;
