// The embedded demo shop's data: the demo catalog, its stock in two warehouses and the search index over them. A
// first start seeds it (app.ts), unless the database came from the demo template `npm install` made with this same
// function (scripts/pglite-template.ts, src/platform/db/pglite-template.ts): the start then finds it in place.
import {
  type AvailabilityPort,
  type CatalogModule,
  createCatalogModule,
  DEMO_CATALOG,
} from './modules/catalog/index.ts';
import { createInventoryModule, type InventoryModule } from './modules/inventory/index.ts';
import { createSearchModule, type SearchModule } from './modules/search/index.ts';
import { createMemoryCache } from './platform/cache/memory-cache.ts';
import type { Db } from './platform/db/db.ts';
import { createLogger } from './platform/observability/logger.ts';

/**
 * Inventory's batch availability as the catalog sees it: an untracked variant has no limit, shown as the most one cart
 * line may hold (999).
 */
export function catalogAvailability(
  get: (ids: readonly string[]) => Promise<Map<string, { available: number | null; inStock: boolean }>>,
): AvailabilityPort {
  return async (ids) => {
    const raw = await get(ids);
    return new Map([...raw].map(([id, a]) => [id, { available: a.available ?? 999, inStock: a.inStock }]));
  };
}

/** Seeds the demo catalog and its stock into an empty catalog: the number of products and of stock levels written. */
export async function seedDemo(parts: {
  catalog: Pick<CatalogModule, 'seed' | 'variantIds'>;
  inventory: Pick<InventoryModule, 'seedDemo'>;
}): Promise<{ products: number; stockLevels: number }> {
  const products = await parts.catalog.seed(DEMO_CATALOG);
  if (!products) return { products: 0, stockLevels: 0 };
  return { products, stockLevels: await parts.inventory.seedDemo(await parts.catalog.variantIds()) };
}

/**
 * The demo data written into a migrated database with no process around it (the install's demo template): the same
 * seeding as a first start, and the search index rebuilt over it. Nothing here touches personal data or keys.
 */
export async function seedDemoDatabase(db: Db): Promise<void> {
  const logger = createLogger('silent');
  const inventory = createInventoryModule({ db, config: { reservationTtlSeconds: 900, grpcPort: undefined }, logger });
  const catalog = createCatalogModule({
    db,
    cache: createMemoryCache(),
    logger,
    defaultCurrency: 'EUR',
    availability: catalogAvailability(inventory.storefrontAvailability),
  });
  const search: Pick<SearchModule, 'api'> = createSearchModule({
    db,
    logger,
    catalog: catalog.api,
    defaultCurrency: 'EUR',
  });
  await seedDemo({ catalog, inventory });
  await search.api.reindexIfEmpty();
}
