import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/support/create-test-app.ts';
import { openTestDb, type TestDb } from '../../../test/support/test-db.ts';
import { createMemoryCache } from '../../platform/cache/memory-cache.ts';
import { migrate } from '../../platform/db/migrate.ts';
import { createLogger } from '../../platform/observability/logger.ts';
import { BENCH_CATALOG, DEMO_CATALOG, generateCatalog } from './catalog.demo-data.ts';
import { createCatalogModule } from './module.ts';
import { createFakeAvailability } from './testing.ts';

describe('demo catalog on first start', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { DEMO_DATA: 'on' } });
  });
  afterAll(async () => {
    await t.close();
  });

  it('[REQ-CAT-020] DEMO_DATA=on seeds 200 published products over a category tree, indexed for search', async () => {
    const page = (await t.http.inject({ method: 'GET', url: '/v1/products?limit=1' })).json();
    expect(page.total).toBe(200);
    const usd = (await t.http.inject({ method: 'GET', url: '/v1/products?limit=1&currency=USD' })).json();
    expect(usd.total).toBe(200);
    const cats = (await t.http.inject({ method: 'GET', url: '/v1/categories' })).json();
    expect(cats.items).toHaveLength(16);
    const apparel = (await t.http.inject({ method: 'GET', url: '/v1/products?category=apparel&limit=1' })).json();
    // Products go round-robin over the 12 leaves; apparel holds leaves 3–5: 16 full rounds × 3 + 3 of the last 8.
    expect(apparel.total).toBe(51);
    const search = (await t.http.inject({ method: 'GET', url: '/v1/search?q=headphones&limit=1' })).json();
    expect(search.total).toBeGreaterThan(0);
    expect(search.facets.color.length).toBeGreaterThan(0);
  });
});

describe('generator and bench seed', () => {
  let db: TestDb;
  beforeAll(async () => {
    db = await openTestDb();
  });
  afterAll(async () => {
    await db.dispose();
  });

  it('[REQ-CAT-021] the generator is deterministic', () => {
    expect(generateCatalog(DEMO_CATALOG)).toEqual(generateCatalog(DEMO_CATALOG));
  });

  it('[REQ-CAT-021] bench shape: 500 products, 6,000 variants, 24,000 prices; a second run changes nothing', async () => {
    const catalog = createCatalogModule({
      db: db.db,
      cache: createMemoryCache(),
      logger: createLogger('silent'),
      defaultCurrency: 'EUR',
      availability: createFakeAvailability(0).port,
    });
    const source = catalog.definition.migrations;
    if (!source) throw new Error('no migrations');
    await migrate(db.db, [
      { module: 'platform', dir: new URL('../../platform/db/migrations/', import.meta.url).pathname },
      source,
    ]);
    const started = performance.now();
    expect(await catalog.seed(BENCH_CATALOG)).toBe(500);
    const ms = performance.now() - started;
    const count = async (table: string) =>
      (await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)}`.execute(db.db.k)).rows[0]?.n;
    expect(await count('catalog.products')).toBe(500);
    expect(await count('catalog.variants')).toBe(6000);
    expect(await count('catalog.prices')).toBe(24000);
    expect(await count('catalog.product_views')).toBe(500);
    expect(await count('catalog.product_view_prices')).toBe(2000);
    expect(await catalog.seed(BENCH_CATALOG)).toBe(0);
    expect(await count('catalog.variants')).toBe(6000);
    expect(ms).toBeLessThan(60_000);
    console.info(`bench seed: ${Math.round(ms)} ms on ${db.db.kind}`);
  });
});
