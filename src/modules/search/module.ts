// Builds the search module. It is fed from the catalog: an in-process change listener (until the
// event relay lands) re-reads changed products through catalog's public API and updates the index.
import { fileURLToPath } from 'node:url';
import { Histogram, type Registry } from 'prom-client';
import type { Db } from '../../platform/db/db.ts';
import type { ModuleDefinition } from '../../platform/module.ts';
import type { Logger } from '../../platform/observability/logger.ts';
import type { CatalogApi } from '../catalog/index.ts';
import type { SearchApi } from './contract.ts';
import { registerSearchRoutes } from './search.http.ts';
import { createIndexer } from './search.indexer.ts';
import { createSearchQueries } from './search.query.ts';

export interface SearchModuleDeps {
  db: Db;
  logger: Logger;
  catalog: CatalogApi;
  defaultCurrency: string;
  /** Where `search_index_lag_seconds` is registered (the kernel's registry). */
  registry?: Registry;
}

export function createSearchModule(deps: SearchModuleDeps) {
  const indexer = createIndexer(deps.db, deps.catalog);
  const queries = createSearchQueries(deps.db, deps.defaultCurrency);
  const lag = new Histogram({
    name: 'search_index_lag_seconds',
    help: 'Time from a committed catalog change to the search index reflecting it',
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
    registers: deps.registry ? [deps.registry] : [],
  });
  deps.catalog.onChange(async (productIds) => {
    if (!productIds.length) return;
    const started = performance.now();
    await indexer.indexProducts(productIds);
    lag.observe((performance.now() - started) / 1000);
  });

  const api: SearchApi & { reindexIfEmpty(): Promise<number> } = {
    indexProducts: indexer.indexProducts,
    reindexAll: indexer.reindexAll,
    async reindexIfEmpty() {
      return (await indexer.isEmpty()) ? indexer.reindexAll() : 0;
    },
  };
  const definition: ModuleDefinition = {
    name: 'search',
    migrations: { module: 'search', dir: fileURLToPath(new URL('./migrations/', import.meta.url)) },
    registerRoutes: (http) => registerSearchRoutes(http, queries),
  };
  return { definition, api, queries };
}

export type SearchModule = ReturnType<typeof createSearchModule>;
