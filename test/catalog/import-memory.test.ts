// REQ-CAT-030 at scale: 100,000 variants streamed over real HTTP (a listening server, a chunked request body
// generated on the fly) into PostgreSQL, with the process's live memory sampled throughout. The bound fails
// when the body is buffered: the generated file is 16.3 MB of text, and holding it whole adds about that much or
// more to the live heap + external memory (the route collecting it as Buffers first measured +36.7 MB).
import { request } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/create-test-app.ts';
import { asStaff, fakeAuth } from '../support/fake-auth.ts';
import { IMPORT_CATEGORIES, importCsvStream } from '../support/import-data.ts';
import { listen } from '../support/listen.ts';
import { needsPostgres, TEST_DATABASE_URL } from '../support/services.ts';

const STAFF = asStaff('catalog:write', 'catalog:read');

const VARIANTS = 100_000;
const PER_PRODUCT = 10;
/**
 * Peak growth of live heapUsed + external (Buffers) over the baseline. Streaming measured 1.6–6.2 MB; the same test
 * with the route buffering the body first (Buffer.concat of its chunks) measured +36.7 MB and failed.
 */
const BOUND_MB = 12;
const MB = 1024 * 1024;

// A full collection before each sample, so a sample is live memory, not garbage V8 has not collected yet
// (the raw heapUsed swings by 50–150 MB with GC timing alone). The worker is not started with --expose-gc.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

interface ImportResult {
  status: string;
  rowsTotal: number;
  rowsOk: number;
  rowsFailed: number;
  productsChanged: number;
  errors: unknown[];
}

let t: TestApp;
let base: string;
beforeAll(async () => {
  if (!TEST_DATABASE_URL) return;
  // No event relay: its delivery of 10,000 product events (search indexing) would compete for the 2 cores.
  t = await createTestApp({ authenticate: fakeAuth, db: 'postgres', workers: false });
  base = await listen(t.http);
  for (const slug of IMPORT_CATEGORIES) {
    const res = await t.http.inject({
      method: 'POST',
      url: '/v1/categories',
      headers: STAFF,
      payload: { slug, name: slug },
    });
    expect(res.statusCode, res.body).toBe(201);
  }
});
afterAll(async () => {
  await t?.close();
});

/** POSTs the generated CSV as a chunked request body, read from the generator only as fast as the server reads. */
async function postImport(variants: number, prefix = 'gen'): Promise<ImportResult> {
  const url = new URL('/v1/admin/imports', base);
  let body = '';
  let status = 0;
  const req = request(url, { method: 'POST', headers: { ...STAFF, 'content-type': 'text/csv' } });
  const response = new Promise<void>((resolve, reject) => {
    req.on('response', (res) => {
      status = res.statusCode ?? 0;
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        body += c;
      });
      res.on('end', resolve);
      res.on('error', reject);
    });
    req.on('error', reject);
  });
  await pipeline(importCsvStream(variants, { perProduct: PER_PRODUCT, prefix }), req);
  await response;
  expect(status, body).toBe(201);
  return JSON.parse(body) as ImportResult;
}

/**
 * Runs `fn` while sampling memory: every 2 s after a full collection (live memory: what a buffered body would
 * hold for the whole run; a full GC costs ~0.1–0.2 s here, so more often slows the import several-fold), and
 * every 50 ms without one (raw peak heap and RSS, reported only: GC timing alone moves them by 50–150 MB).
 */
async function measured<T>(fn: () => Promise<T>) {
  gc();
  const start = process.memoryUsage();
  const peak = { heap: 0, external: 0, total: 0, rawHeap: 0, rss: start.rss };
  const live = () => {
    gc();
    const m = process.memoryUsage();
    const heap = m.heapUsed - start.heapUsed;
    // external: memory outside the JS heap owned by JS objects (Buffers, external strings); includes arrayBuffers.
    const external = m.external - start.external;
    peak.heap = Math.max(peak.heap, heap);
    peak.external = Math.max(peak.external, external);
    peak.total = Math.max(peak.total, heap + external);
  };
  const raw = () => {
    const m = process.memoryUsage();
    peak.rawHeap = Math.max(peak.rawHeap, m.heapUsed - start.heapUsed);
    peak.rss = Math.max(peak.rss, m.rss);
  };
  const timers = [setInterval(live, 2_000), setInterval(raw, 50)];
  const started = performance.now();
  try {
    const result = await fn();
    raw();
    live();
    return { result, seconds: (performance.now() - started) / 1000, peak };
  } finally {
    for (const timer of timers) clearInterval(timer);
  }
}

const count = async (query: string) =>
  (await sql<{ n: number }>`${sql.raw(query)}`.execute(t.kernel.db.k)).rows[0]?.n ?? Number.NaN;

const fmt = (p: { heap: number; external: number; total: number; rawHeap: number; rss: number }) =>
  `peak live growth: heap +${(p.heap / MB).toFixed(1)} MB, external +${(p.external / MB).toFixed(1)} MB, ` +
  `sum +${(p.total / MB).toFixed(1)} MB (bound ${BOUND_MB} MB); raw heapUsed +${(p.rawHeap / MB).toFixed(0)} MB, ` +
  `peak RSS ${(p.rss / MB).toFixed(0)} MB`;

describe.skipIf(!TEST_DATABASE_URL)(`bulk import at scale ${needsPostgres}`, () => {
  it('[REQ-CAT-030] 100,000 variants stream over HTTP into PostgreSQL in bounded memory; a re-import changes nothing', async () => {
    // Warm-up (JIT, lazily loaded code, connection pool, statement caches) on other SKUs, then the baseline.
    expect(await postImport(2_000, 'warm')).toMatchObject({ status: 'completed', rowsOk: 2_000 });

    const first = await measured(() => postImport(VARIANTS));
    console.info(
      `import of ${VARIANTS} variants: ${first.seconds.toFixed(1)} s (${Math.round(VARIANTS / first.seconds)} rows/s), ${fmt(first.peak)}`,
    );
    expect(first.result).toEqual(
      expect.objectContaining({
        status: 'completed',
        rowsTotal: VARIANTS,
        rowsOk: VARIANTS,
        rowsFailed: 0,
        productsChanged: VARIANTS / PER_PRODUCT,
        errors: [],
      }),
    );
    expect(await count(`select count(*)::int as n from catalog.variants where sku like 'GEN-%'`)).toBe(VARIANTS);
    expect(await count(`select count(*)::int as n from catalog.products where slug like 'gen-%'`)).toBe(
      VARIANTS / PER_PRODUCT,
    );
    expect(
      await count(`select count(*)::int as n from catalog.prices p join catalog.variants v on v.id = p.variant_id
          where v.sku like 'GEN-%'`),
    ).toBe(2 * VARIANTS);
    expect(await count(`select count(*)::int as n from catalog.product_views where slug like 'gen-%'`)).toBe(
      VARIANTS / PER_PRODUCT,
    );
    expect(first.peak.total, fmt(first.peak)).toBeLessThan(BOUND_MB * MB);

    const versions = `select sum(version)::int as n from catalog.products`;
    const versionsBefore = await count(versions);
    const eventsBefore = await count('select count(*)::int as n from platform.outbox');
    const again = await measured(() => postImport(VARIANTS));
    console.info(
      `re-import of ${VARIANTS} unchanged variants: ${again.seconds.toFixed(1)} s (${Math.round(VARIANTS / again.seconds)} rows/s), ${fmt(again.peak)}`,
    );
    expect(again.result).toEqual(
      expect.objectContaining({
        status: 'completed',
        rowsTotal: VARIANTS,
        rowsOk: VARIANTS,
        rowsFailed: 0,
        productsChanged: 0,
        errors: [],
      }),
    );
    expect(await count(versions)).toBe(versionsBefore);
    expect(await count('select count(*)::int as n from platform.outbox')).toBe(eventsBefore);
    expect(again.peak.total, fmt(again.peak)).toBeLessThan(BOUND_MB * MB);
  }, 180_000);
});
