// Builds the search module. It is fed from the catalog: an in-process change listener (until the
// event relay lands) re-reads changed products through catalog's public API and updates the index.
import { fileURLToPath } from 'node:url';
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
}

export function createSearchModule(deps: SearchModuleDeps) {
  const indexer = createIndexer(deps.db, deps.catalog);
  const queries = createSearchQueries(deps.db, deps.defaultCurrency);
  deps.catalog.onChange((productIds) => indexer.indexProducts(productIds));

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
