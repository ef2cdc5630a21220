// `npm run import -- file.csv|file.ndjson`: the bulk import from the command line, streaming the
// file in bounded memory and printing progress (rows, errors) while it runs.
import { createReadStream, statSync } from 'node:fs';
import { PLATFORM_MIGRATIONS } from '../src/app.ts';
import { createCatalogModule } from '../src/modules/catalog/index.ts';
import { createFakeAvailability } from '../src/modules/catalog/testing.ts';
import { createSearchModule } from '../src/modules/search/index.ts';
import { createMemoryCache } from '../src/platform/cache/memory-cache.ts';
import { loadConfig } from '../src/platform/config.ts';
import { systemCtx } from '../src/platform/context.ts';
import { migrate } from '../src/platform/db/migrate.ts';
import { openDatabase } from '../src/platform/kernel.ts';
import { createLogger } from '../src/platform/observability/logger.ts';

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: npm run import -- <file.csv | file.ndjson>\n');
  process.exit(2);
}
const format = /\.(nd)?jsonl?$|\.ndjson$/.test(file) ? 'ndjson' : 'csv';
const size = statSync(file).size;
const config = loadConfig({ ...process.env, DEMO_DATA: 'off' });
const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel);
const db = await openDatabase(config);
try {
  const deps = { db, logger, defaultCurrency: config.defaultCurrency };
  const catalog = createCatalogModule({
    ...deps,
    cache: createMemoryCache(),
    availability: createFakeAvailability(0).port,
  });
  const search = createSearchModule({ ...deps, catalog: catalog.api });
  const sources = [PLATFORM_MIGRATIONS, catalog.definition.migrations, search.definition.migrations];
  await migrate(
    db,
    sources.flatMap((s) => (s ? [s] : [])),
  );
  const stream = createReadStream(file);
  let read = 0;
  stream.on('data', (chunk) => {
    read += chunk.length;
  });
  const timer = setInterval(() => {
    const pct = size ? Math.floor((read / size) * 100) : 100;
    const bar = '#'.repeat(Math.floor(pct / 5)).padEnd(20, '.');
    process.stderr.write(`\r[${bar}] ${pct}% of ${file}`);
  }, 250);
  const result = await catalog.importer.run(systemCtx('import-cli'), format, stream);
  clearInterval(timer);
  process.stderr.write(`\r[${'#'.repeat(20)}] 100% of ${file}\n`);
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  process.exitCode = result.status === 'completed' ? 0 : 1;
} finally {
  await db.close();
}
