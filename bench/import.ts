// Bulk-import benchmark: streams a generated CSV (test/support/import-data.ts) through the importer
// service on a scratch database and prints rows/s and the peak heap, external and RSS sampled every 20 ms.
// A second run re-imports the same file (everything unchanged).
//   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres BENCH_VARIANTS=100000 \
//     node --experimental-strip-types --expose-gc bench/import.ts
// Env: BENCH_DATABASE_URL (absent → in-memory PGlite), BENCH_VARIANTS (default 100000),
// BENCH_PER_PRODUCT (variants per product, default 10), BENCH_BATCH (rows per transaction, default 500).
import { PLATFORM_MIGRATIONS } from '../src/app.ts';
import { createCatalogModule } from '../src/modules/catalog/index.ts';
import { createFakeAvailability } from '../src/modules/catalog/testing.ts';
import { createSearchModule } from '../src/modules/search/index.ts';
import { createMemoryCache } from '../src/platform/cache/memory-cache.ts';
import { systemCtx } from '../src/platform/context.ts';
import type { Db } from '../src/platform/db/db.ts';
import { migrate } from '../src/platform/db/migrate.ts';
import { openPglite } from '../src/platform/db/pglite.ts';
import { openPostgres } from '../src/platform/db/postgres.ts';
import { createLogger } from '../src/platform/observability/logger.ts';
import { IMPORT_CATEGORIES, importCsvStream } from '../test/support/import-data.ts';
import { createPostgresDatabase } from '../test/support/test-db.ts';

const VARIANTS = Number(process.env.BENCH_VARIANTS ?? 100_000);
const PER_PRODUCT = Number(process.env.BENCH_PER_PRODUCT ?? 10);
const BATCH = process.env.BENCH_BATCH ? Number(process.env.BENCH_BATCH) : undefined;
const logger = createLogger('silent');
const gc = (globalThis as { gc?: () => void }).gc;

async function openDb(): Promise<{ db: Db; dispose: () => Promise<void> }> {
  const base = process.env.BENCH_DATABASE_URL;
  if (!base) {
    const db = await openPglite({ dataDir: undefined });
    return { db, dispose: () => db.close() };
  }
  const created = await createPostgresDatabase(base);
  const db = await openPostgres({ url: created.url, max: 10 });
  return {
    db,
    dispose: async () => {
      await db.close();
      await created.drop();
    },
  };
}

const MB = (n: number) => Math.round(n / 1e5) / 10;
const { db, dispose } = await openDb();
try {
  const deps = { db, logger, defaultCurrency: 'EUR' };
  const catalog = createCatalogModule({
    ...deps,
    cache: createMemoryCache(),
    availability: createFakeAvailability(0).port,
    ...(BATCH ? { importBatchSize: BATCH } : {}),
  });
  const search = createSearchModule({ ...deps, catalog: catalog.api });
  const sources = [PLATFORM_MIGRATIONS, catalog.definition.migrations, search.definition.migrations];
  await migrate(
    db,
    sources.flatMap((s) => (s ? [s] : [])),
  );
  const ctx = systemCtx('bench-import');
  for (const slug of IMPORT_CATEGORIES) await catalog.service.createCategory(ctx, { slug, name: slug });
  for (const label of ['first import', 're-import (unchanged)']) {
    gc?.();
    const base = process.memoryUsage();
    const peak = { heapUsed: 0, external: 0, rss: 0 };
    const sample = () => {
      const m = process.memoryUsage();
      peak.heapUsed = Math.max(peak.heapUsed, m.heapUsed - base.heapUsed);
      peak.external = Math.max(peak.external, m.external - base.external);
      peak.rss = Math.max(peak.rss, m.rss);
    };
    const timer = setInterval(sample, 20);
    // With --expose-gc: the live heap (after a full collection) once a second, which is what bounded memory means.
    let live = 0;
    const liveTimer = setInterval(() => {
      if (!gc) return;
      gc();
      live = Math.max(live, process.memoryUsage().heapUsed - base.heapUsed);
    }, 1000);
    const started = performance.now();
    const r = await catalog.importer.run(ctx, 'csv', importCsvStream(VARIANTS, { perProduct: PER_PRODUCT }));
    const s = (performance.now() - started) / 1000;
    clearInterval(timer);
    clearInterval(liveTimer);
    sample();
    console.log(
      `${label}: ${db.kind} ${VARIANTS} rows in ${s.toFixed(1)} s = ${Math.round(VARIANTS / s)} rows/s; ` +
        `ok ${r.rowsOk} failed ${r.rowsFailed} changed ${r.productsChanged}; ` +
        `peak growth heapUsed +${MB(peak.heapUsed)} MB, external +${MB(peak.external)} MB, live heap (after GC) +${MB(live)} MB; peak RSS ${MB(peak.rss)} MB`,
    );
  }
} finally {
  await dispose();
}
