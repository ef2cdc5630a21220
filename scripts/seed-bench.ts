// `npm run seed:bench`: loads Medusa's benchmark catalog shape (500 products, 6,000 variants,
// 24,000 prices in EUR/USD/GBP/SEK) into DATABASE_URL (or the embedded database), then indexes it
// for search. Skips when the catalog already has products. Restart a running server afterwards
// (or wait for its read cache TTL) — this process does not share its cache.
import { PLATFORM_MIGRATIONS } from '../src/app.ts';
import { BENCH_CATALOG, createCatalogModule } from '../src/modules/catalog/index.ts';
import { createFakeAvailability } from '../src/modules/catalog/testing.ts';
import { createSearchModule } from '../src/modules/search/index.ts';
import { createMemoryCache } from '../src/platform/cache/memory-cache.ts';
import { loadConfig } from '../src/platform/config.ts';
import { migrate } from '../src/platform/db/migrate.ts';
import { openDatabase } from '../src/platform/kernel.ts';
import { createLogger } from '../src/platform/observability/logger.ts';

const config = loadConfig({ ...process.env, DEMO_DATA: 'off' });
const logger = createLogger(config.logLevel);
const db = await openDatabase(config);
try {
  const deps = { db, logger, defaultCurrency: config.defaultCurrency };
  const catalog = createCatalogModule({
    ...deps,
    cache: createMemoryCache(),
    availability: createFakeAvailability(0).port,
  });
  const search = createSearchModule({ ...deps, catalog: catalog.api });
  const sources = [PLATFORM_MIGRATIONS, catalog.definition.migrations, search.definition.migrations].flatMap((s) =>
    s ? [s] : [],
  );
  await migrate(db, sources);
  const started = performance.now();
  const products = await catalog.seed(BENCH_CATALOG);
  const indexed = products ? await search.api.reindexAll() : 0;
  logger.info(
    { products, indexed, ms: Math.round(performance.now() - started), database: db.kind },
    products ? 'bench catalog seeded' : 'catalog not empty; nothing seeded',
  );
} finally {
  await db.close();
}
