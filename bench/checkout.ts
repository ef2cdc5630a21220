// The whole purchase per shopper, repeated: create cart → add item → address → shipping options → shipping method →
// place order (tok_visa) → poll until paid. Prints orders/s and flow latency percentiles per concurrency level.
// Against a running server: BENCH_URL=http://127.0.0.1:3000 node --experimental-strip-types bench/checkout.ts [seconds]
// (run the server with DEMO_DATA=on and RATE_LIMIT_MAX raised; on PostgreSQL set DATABASE_URL for it).
import { call as callAt } from './support/server.ts';
import { checkout } from './support/shop.ts';

const BASE = process.env.BENCH_URL ?? 'http://127.0.0.1:3000';
const SECONDS = Number(process.argv[2] ?? 10);
const LEVELS = (process.env.BENCH_SHOPPERS ?? '1,10,32').split(',').map(Number);

const call = (method: string, path: string) => callAt(BASE, method, path);

async function variants(): Promise<string[]> {
  const out: string[] = [];
  for (let page = 1; page <= 10; page++) {
    const r = await call('GET', `/v1/products?limit=100&page=${page}`);
    for (const p of r.body.items) for (const v of p.variants) if (v.available > 5) out.push(v.id);
    if (r.body.items.length < 100) break;
  }
  return out;
}

/** The whole purchase (bench/support/shop.ts, shared with the soak bench). */
const flow = (variantId: string) => checkout(BASE, variantId);

const pct = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? 0;

/** The server's `db_statements_total` (NaN when /metrics is not reachable). */
async function statements(): Promise<number> {
  const text = await (await fetch(`${BASE}/metrics`)).text();
  return Number(/^db_statements_total (\d+)$/m.exec(text)?.[1]);
}

const pool = await variants();
console.log(`${pool.length} in-stock variants; ${SECONDS} s per level; ${BASE}`);
console.log(
  '| shoppers | orders paid | orders/s | flow p50 ms | flow p95 ms | SQL statements / order | failed (status) |',
);
console.log('|---|---|---|---|---|---|---|');
for (const shoppers of LEVELS) {
  const statementsBefore = await statements();
  const until = performance.now() + SECONDS * 1000;
  const times: number[] = [];
  const failed: Record<number, number> = {};
  let n = 0;
  await Promise.all(
    Array.from({ length: shoppers }, async () => {
      while (performance.now() < until) {
        const v = pool[n++ % pool.length] as string;
        const r = await flow(v);
        if (r.ok) times.push(r.ms);
        else failed[r.status] = (failed[r.status] ?? 0) + 1;
      }
    }),
  );
  times.sort((a, b) => a - b);
  const perOrder = ((await statements()) - statementsBefore) / times.length;
  console.log(
    `| ${shoppers} | ${times.length} | ${(times.length / SECONDS).toFixed(1)} | ${pct(times, 50).toFixed(0)} | ${pct(times, 95).toFixed(0)} | ${perOrder.toFixed(0)} | ${JSON.stringify(failed)} |`,
  );
}
