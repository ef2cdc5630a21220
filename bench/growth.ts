// npm run bench:growth [-- --sizes 500,5000,50000 --seconds 10 --connections 32 --port 3950 --explain --no-build --keep]
// Does the storefront's cost stay flat as the catalog grows? For each catalog size: a scratch PostgreSQL database
// (next to BENCH_DATABASE_URL, dropped at the end), the built server (`node dist/main.js`) on it, the generated
// catalog (bench/support/catalog-csv.ts: 2–3 variants per product, EUR and USD prices, categories, brands,
// attributes) streamed through the public bulk import `POST /v1/admin/imports` with a progress line, then COLD
// storefront reads (every request a new page-cache key: random price floor, page, word, slug, currency) replayed by
// autocannon: list-20, detail, search, suggest. Prints import time and peak server RSS (VmHWM), a markdown table
// of req/s, p50 and p99 per read and size, and p99(largest) / p99(smallest). `--explain` prints
// EXPLAIN (ANALYZE, BUFFERS) of the list-20 and search statements at the largest size.
//   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench:growth
import { execSync } from 'node:child_process';
import { request } from 'node:http';
import { parseArgs } from 'node:util';
import { CATEGORIES, catalogCsv, coldPaths, rowsOf } from './support/catalog-csv.ts';
import { explainReads } from './support/explain.ts';
import {
  call,
  load,
  machine,
  memory,
  prng,
  query,
  type Replay,
  ROOT,
  replay,
  rssSampler,
  type Server,
  scratchDatabase,
  staffAuth,
  startServer,
} from './support/server.ts';

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '500,5000,50000' },
    seconds: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    connections: { type: 'string', default: '32' },
    port: { type: 'string', default: '3950' },
    'bust-ms': { type: 'string', default: '250' },
    explain: { type: 'boolean', default: false },
    'no-build': { type: 'boolean', default: false },
    /** Keeps each scratch database (its URL is printed) for profiling the same catalog again. */
    keep: { type: 'boolean', default: false },
  },
});
const SIZES = values.sizes.split(',').map(Number);
const SECONDS = Number(values.seconds);
const WARMUP = Number(values.warmup);
const CONNECTIONS = Number(values.connections);
const BUST_MS = Number(values['bust-ms']);
const BASE_URL = process.env.BENCH_DATABASE_URL;
if (!BASE_URL) throw new Error('set BENCH_DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/postgres)');
const READS = ['list-20', 'detail', 'search', 'suggest'] as const;
type Read = (typeof READS)[number];
const TTY = process.stdout.isTTY;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

function status(line: string, final = false) {
  if (TTY) process.stdout.write(`\r\x1b[K${line}${final ? '\n' : ''}`);
  else console.log(line);
}

/** Streams the CSV into POST /v1/admin/imports, printing progress every 2 s; resolves with the import's result. */
async function importCatalog(server: Server, dbUrl: string, products: number, auth: { authorization: string }) {
  const total = rowsOf(products);
  let streamed = 0;
  const t0 = performance.now();
  const committed = async () =>
    Number(
      (await query<{ n: string }>(dbUrl, 'select coalesce(max(rows_total), 0) as n from catalog.imports'))[0]?.n ?? 0,
    );
  const timer = setInterval(async () => {
    const s = (performance.now() - t0) / 1000;
    const done = await committed().catch(() => 0);
    const m = memory(server.pid);
    status(
      `  importing: ${fmt(done)} / ${fmt(total)} rows committed (${fmt(streamed)} sent), ${fmt(done / s)} rows/s, ` +
        `${s.toFixed(0)} s, server RSS ${m.rss.toFixed(0)} MB (peak ${m.hwm.toFixed(0)}), load ${load()}`,
    );
  }, 2000);
  try {
    const body = await new Promise<string>((resolve, reject) => {
      const req = request(
        `${server.base}/v1/admin/imports`,
        { method: 'POST', headers: { ...auth, 'content-type': 'text/csv' } },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c) => {
            text += c;
          });
          res.on('end', () =>
            res.statusCode === 201 ? resolve(text) : reject(new Error(`${res.statusCode} ${text}`)),
          );
        },
      );
      req.on('error', reject);
      catalogCsv(products, (n) => {
        streamed += n;
      }).pipe(req);
    });
    const r = JSON.parse(body) as { rowsOk: number; rowsFailed: number; errors: unknown[] };
    const seconds = (performance.now() - t0) / 1000;
    status(`  imported ${fmt(r.rowsOk)} / ${fmt(total)} rows in ${seconds.toFixed(1)} s`, true);
    if (r.rowsFailed) throw new Error(`${r.rowsFailed} rows failed: ${JSON.stringify(r.errors.slice(0, 3))}`);
    return { seconds, rows: r.rowsOk };
  } finally {
    clearInterval(timer);
  }
}

/** Waits until the relay has indexed every product for search (documents = products). */
async function searchCaughtUp(server: Server, dbUrl: string, products: number): Promise<number> {
  const t0 = performance.now();
  for (;;) {
    const n = Number(
      (await query<{ n: string }>(dbUrl, 'select count(*) as n from search.documents'))[0]?.n ?? Number.NaN,
    );
    const s = (performance.now() - t0) / 1000;
    if (n >= products) {
      status(`  search index: ${fmt(n)} documents after ${s.toFixed(1)} s`, true);
      return s;
    }
    if (!server.alive()) throw new Error('the server died while indexing');
    status(
      `  search index: ${fmt(n)} / ${fmt(products)} documents, ${s.toFixed(0)} s, RSS ${memory(server.pid).rss.toFixed(0)} MB`,
    );
    await new Promise((r) => setTimeout(r, 2000));
  }
}

interface SizeResult {
  products: number;
  variants: number;
  readyMs: number;
  importS: number;
  indexS: number;
  importPeakRss: number;
  reads: Partial<Record<Read, Replay & { peakRss: number; load: string }>>;
}

async function runSize(products: number, index: number): Promise<SizeResult> {
  console.log(`\n## ${fmt(products)} products (${fmt(rowsOf(products))} variants); ${machine()}`);
  const db = await scratchDatabase(BASE_URL as string, String(products));
  let server: Server | undefined;
  try {
    server = await startServer({ databaseUrl: db.url, port: Number(values.port) + index });
    console.log(`  server ready in ${server.readyMs.toFixed(0)} ms, RSS ${memory(server.pid).rss.toFixed(0)} MB`);
    const auth = await staffAuth(server.base);
    for (const slug of CATEGORIES) {
      const r = await call(server.base, 'POST', '/v1/categories', { slug, name: slug }, auth);
      if (r.status !== 201) throw new Error(`category ${slug}: ${r.status} ${JSON.stringify(r.body)}`);
    }
    const imported = await importCatalog(server, db.url, products, auth);
    const importPeakRss = memory(server.pid).hwm;
    const indexS = await searchCaughtUp(server, db.url, products);
    console.log(
      `  peak server RSS so far (VmHWM) ${importPeakRss.toFixed(0)} MB; now ${memory(server.pid).rss.toFixed(0)} MB`,
    );
    const result: SizeResult = {
      products,
      variants: imported.rows,
      readyMs: server.readyMs,
      importS: imported.seconds,
      indexS,
      importPeakRss,
      reads: {},
    };
    const sampler = rssSampler(server.pid);
    try {
      for (const [i, read] of READS.entries()) {
        const s = server;
        const lists = (seed: number) => (k: number) => {
          const rand = prng(seed * 1000 + k);
          const paths = coldPaths(rand, products);
          const make = { 'list-20': paths.list, detail: paths.detail, search: paths.search, suggest: paths.suggest }[
            read
          ];
          return Array.from({ length: 3000 }, make);
        };
        if (WARMUP > 0) await replay(s.base, CONNECTIONS, WARMUP, lists(products + i + 7777));
        // Detail has a finite key space (products × 2 currencies): a catalog write every BUST_MS drops the page
        // cache, so repeats of a key miss as well. List, search and suggest keys never repeat in practice.
        let bust: NodeJS.Timeout | undefined;
        let busts = 0;
        if (read === 'detail' && BUST_MS > 0) {
          bust = setInterval(() => {
            const slug = `bench-bust-${Date.now().toString(36)}-${busts++}`;
            void call(s.base, 'POST', '/v1/categories', { slug, name: slug }, auth).catch(() => {});
          }, BUST_MS);
        }
        const before = load();
        sampler.reset();
        const r = await replay(s.base, CONNECTIONS, SECONDS, lists(products + i));
        if (bust) clearInterval(bust);
        if (!s.alive()) throw new Error(`the server died during ${read}`);
        result.reads[read] = { ...r, peakRss: sampler.peak(), load: before };
        console.log(
          `  ${read}: ${fmt(r.reqPerSec)} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms, ${fmt(r.requests)} requests, ` +
            `errors ${r.errors}, non-2xx ${r.non2xx}, peak RSS ${sampler.peak().toFixed(0)} MB` +
            `${bust ? `, ${busts} cache drops` : ''}; load average before ${before}`,
        );
      }
    } finally {
      sampler.stop();
    }
    if (values.explain && index === SIZES.length - 1) {
      await explainReads(
        db.url,
        { limit: 20, sort: 'price-asc', currency: 'EUR', minPrice: '42.17', page: 3 },
        { q: 'lantern', minPrice: '42.17', limit: 20 },
      );
    }
    return result;
  } finally {
    await server?.stop();
    if (values.keep) console.log(`kept the ${fmt(products)}-product database: ${db.url}`);
    else await db.drop();
  }
}

async function main() {
  if (!values['no-build']) execSync('npm run -s build', { cwd: ROOT, stdio: 'inherit' });
  console.log(
    `growth bench: sizes ${SIZES.join(', ')} products; ${CONNECTIONS} connections, ${SECONDS} s per read after ` +
      `${WARMUP} s warm-up; PostgreSQL scratch databases; ${machine()}`,
  );
  const results: SizeResult[] = [];
  for (const [i, n] of SIZES.entries()) results.push(await runSize(n, i));

  const out = [
    '\n| products | variants | ready ms | import s | rows/s | search indexed after s | peak RSS during import MB |',
    '|---|---|---|---|---|---|---|',
    ...results.map(
      (r) =>
        `| ${fmt(r.products)} | ${fmt(r.variants)} | ${r.readyMs.toFixed(0)} | ${r.importS.toFixed(1)} | ` +
        `${fmt(r.variants / r.importS)} | ${r.indexS.toFixed(1)} | ${r.importPeakRss.toFixed(0)} |`,
    ),
    '',
    '| products | read | req/s | p50 ms | p99 ms | errors | non-2xx | peak RSS MB | load average before |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of results)
    for (const read of READS) {
      const x = r.reads[read];
      if (x)
        out.push(
          `| ${fmt(r.products)} | ${read} | ${fmt(x.reqPerSec)} | ${x.p50} | ${x.p99} | ${x.errors} | ${x.non2xx} | ` +
            `${x.peakRss.toFixed(0)} | ${x.load} |`,
        );
    }
  const first = results[0];
  const last = results.at(-1);
  if (first && last && first !== last) {
    out.push('', `| read | p99 ${fmt(first.products)} ms | p99 ${fmt(last.products)} ms | ratio (target ≤ 2) |`);
    out.push('|---|---|---|---|');
    for (const read of READS) {
      const a = first.reads[read];
      const b = last.reads[read];
      if (a && b) out.push(`| ${read} | ${a.p99} | ${b.p99} | ${(b.p99 / Math.max(a.p99, 1)).toFixed(2)} |`);
    }
  }
  console.log(out.join('\n'));
  console.log(`\nload average at the end ${load()}`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
