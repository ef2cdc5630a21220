// `bench/growth.ts --explain`: runs the storefront's own list-20 and search reads in this process against the bench
// database, records every statement they send (text and parameters, through node-postgres' Client.query), and
// prints EXPLAIN (ANALYZE, BUFFERS) of each one on a connection of its own.
import pg from 'pg';
import { createCatalogModule } from '../../src/modules/catalog/index.ts';
import { createFakeAvailability } from '../../src/modules/catalog/testing.ts';
import { createSearchQueries } from '../../src/modules/search/search.query.ts';
import { createMemoryCache } from '../../src/platform/cache/memory-cache.ts';
import { openPostgres } from '../../src/platform/db/postgres.ts';
import { createLogger } from '../../src/platform/observability/logger.ts';

interface Statement {
  text: string;
  values: unknown[];
}

type QueryFn = (this: pg.Client, ...args: unknown[]) => unknown;

/**
 * Records the statements every pg.Client sends while `fn` runs. Installed before the pool opens its connections:
 * the prepared-statement wrapper binds each client's `query` when the client is created.
 */
function installRecorder() {
  const proto = pg.Client.prototype as unknown as { query: QueryFn };
  const original = proto.query;
  let seen: Statement[] | undefined;
  proto.query = function (this: pg.Client, ...args: unknown[]) {
    const [first, second] = args;
    if (seen && typeof first === 'string') seen.push({ text: first, values: Array.isArray(second) ? second : [] });
    else if (seen && first && typeof first === 'object' && 'text' in first) {
      const c = first as { text: string; values?: unknown[] };
      seen.push({ text: c.text, values: c.values ?? [] });
    }
    return original.apply(this, args);
  };
  return {
    async record(fn: () => Promise<unknown>): Promise<Statement[]> {
      const out: Statement[] = [];
      seen = out;
      try {
        await fn();
      } finally {
        seen = undefined;
      }
      return out;
    },
    uninstall: () => {
      proto.query = original;
    },
  };
}

const SKIP = /^\s*(begin|commit|rollback|set |select 1\b|show )/i;

export async function explainReads(url: string, list: Record<string, unknown>, search: Record<string, unknown>) {
  const recorder = installRecorder();
  const db = await openPostgres({ url, max: 1 });
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  // As the server's connections run (src/platform/db/postgres.ts): without it the plans below carry JIT's compile time.
  await client.query('set jit = off');
  try {
    const catalog = createCatalogModule({
      db,
      logger: createLogger('silent'),
      defaultCurrency: 'EUR',
      cache: createMemoryCache(),
      availability: createFakeAvailability(0).port,
    });
    const queries = createSearchQueries(db, 'EUR');
    const runs: [string, () => Promise<unknown>][] = [
      [`list-20 ${JSON.stringify(list)}`, () => catalog.reads.listProducts(list)],
      [`search ${JSON.stringify(search)}`, () => queries.search(search)],
    ];
    for (const [label, fn] of runs) {
      await fn(); // once to warm the connection (type lookups, prepared statements)
      const statements = (await recorder.record(fn)).filter((s) => !SKIP.test(s.text));
      console.log(`\n### EXPLAIN (ANALYZE, BUFFERS): ${label}, ${statements.length} statement(s)`);
      for (const s of statements) {
        const plan = await client.query(`explain (analyze, buffers) ${s.text}`, s.values);
        console.log(`\n${s.text.replace(/\s+/g, ' ').trim()}`);
        console.log(`-- parameters ${JSON.stringify(s.values).slice(0, 300)}`);
        console.log(plan.rows.map((r: Record<string, string>) => r['QUERY PLAN']).join('\n'));
      }
    }
  } finally {
    recorder.uninstall();
    await client.end();
    await db.close();
  }
}
