// npm run bench:soak [-- --minutes 10 --readers 16 --carts 2 --shoppers 2 --port 3960 --no-build]
// Does the server's memory stay bounded under a long mixed load? One built server (`node dist/main.js`) on a scratch
// PostgreSQL database next to BENCH_DATABASE_URL (demo catalog with stock, DEMO_DATA=on; dropped at the end), then
// for `--minutes` at once: readers sending storefront reads that miss the page cache (list-20 with a random price
// floor and page, detail of a random product and currency, search of a random catalog word with a random price
// floor, suggest of a random prefix), cart makers (a cart with 1–3 items) and shoppers (the whole checkout until
// paid). The server's RSS is sampled every second. Prints, per minute, the peak RSS and the throughput, then the
// check "last minute's peak ≤ 1.10 × second minute's peak" as PASS or FAIL.
//   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench:soak
import { execSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import {
  call,
  load,
  machine,
  memory,
  prng,
  query,
  ROOT,
  scratchDatabase,
  staffAuth,
  startServer,
} from './support/server.ts';
import { checkout, fillCart, stockedPool } from './support/shop.ts';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    readers: { type: 'string', default: '16' },
    carts: { type: 'string', default: '2' },
    shoppers: { type: 'string', default: '2' },
    port: { type: 'string', default: '3960' },
    'no-build': { type: 'boolean', default: false },
  },
});
const MINUTES = Number(values.minutes);
const READERS = Number(values.readers);
const CARTS = Number(values.carts);
const SHOPPERS = Number(values.shoppers);
const BASE_URL = process.env.BENCH_DATABASE_URL;
if (!BASE_URL) throw new Error('set BENCH_DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/postgres)');

interface Minute {
  peakRss: number;
  reads: number;
  readMs: number[];
  carts: number;
  orders: number;
  failed: number;
  load: string;
}

const newMinute = (): Minute => ({ peakRss: 0, reads: 0, readMs: [], carts: 0, orders: 0, failed: 0, load: '' });
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0;
};

/** Slugs and name words of the catalog (the reads' vocabulary). */
async function vocabulary(base: string) {
  const slugs: string[] = [];
  const words = new Set<string>();
  for (let page = 1; page <= 20; page++) {
    const r = await call(base, 'GET', `/v1/products?limit=100&page=${page}`);
    for (const p of r.body.items as { slug: string; name: string }[]) {
      slugs.push(p.slug);
      for (const w of p.name.toLowerCase().split(/[^a-z]+/)) if (w.length >= 4) words.add(w);
    }
    if (r.body.items.length < 100) break;
  }
  return { slugs, words: [...words] };
}

async function main() {
  if (!values['no-build']) execSync('npm run -s build', { cwd: ROOT, stdio: 'inherit' });
  const db = await scratchDatabase(BASE_URL as string, 'soak');
  const server = await startServer({ databaseUrl: db.url, port: Number(values.port), env: { DEMO_DATA: 'on' } });
  try {
    const auth = await staffAuth(server.base);
    const pool = await stockedPool(server.base, auth, 64, 1_000_000);
    const { slugs, words } = await vocabulary(server.base);
    // With autovacuum off, dead rows pile up in the busy tables and the carts and orders a second fall minute by
    // minute (docs/runbooks/dead-rows.md): say which it was.
    const [av] = await query<{ autovacuum: string }>(db.url, "select current_setting('autovacuum') as autovacuum");
    console.log(
      `soak: ${MINUTES} min; ${READERS} readers (cold list-20 / detail / search / suggest), ${CARTS} cart makers, ` +
        `${SHOPPERS} shoppers (checkout until paid); ${slugs.length} products, ${pool.length} stocked variants, ` +
        `${words.length} search words; PostgreSQL scratch database (autovacuum ${av?.autovacuum}), DEMO_DATA=on; ` +
        `server ready in ` +
        `${server.readyMs.toFixed(0)} ms, RSS ${memory(server.pid).rss.toFixed(0)} MB; ${machine()}`,
    );
    const minutes: Minute[] = Array.from({ length: MINUTES }, newMinute);
    const t0 = performance.now();
    const until = t0 + MINUTES * 60_000;
    const now = () => minutes[Math.min(MINUTES - 1, Math.floor((performance.now() - t0) / 60_000))] as Minute;
    const sampler = setInterval(() => {
      const m = now();
      m.peakRss = Math.max(m.peakRss, memory(server.pid).rss);
    }, 1000);
    let reported = 0;
    const reporter = setInterval(() => {
      const done = Math.floor((performance.now() - t0) / 60_000);
      while (reported < Math.min(done, MINUTES)) {
        const m = minutes[reported] as Minute;
        m.load = load();
        console.log(
          `minute ${reported + 1}: peak RSS ${m.peakRss.toFixed(0)} MB; reads ${(m.reads / 60).toFixed(0)}/s ` +
            `(p50 ${pct(m.readMs, 50).toFixed(0)} ms, p99 ${pct(m.readMs, 99).toFixed(0)} ms), carts ` +
            `${(m.carts / 60).toFixed(1)}/s, orders ${(m.orders / 60).toFixed(1)}/s, failed ${m.failed}; load average ${m.load}`,
        );
        reported++;
      }
      if (!server.alive()) console.log('the server died');
    }, 1000);

    const reader = async (k: number) => {
      const rand = prng(4242 + k);
      const int = (n: number) => Math.floor(rand() * n);
      const price = () => (int(20000) / 100).toFixed(2);
      const pick = <T>(xs: T[]) => xs[int(xs.length)] as T;
      const currency = () => (rand() < 0.5 ? 'EUR' : 'USD');
      while (performance.now() < until && server.alive()) {
        const x = rand();
        const path =
          x < 0.4
            ? `/v1/products?limit=20&sort=price-asc&currency=${currency()}&minPrice=${price()}&page=${1 + int(5)}`
            : x < 0.65
              ? `/v1/products/${pick(slugs)}?currency=${currency()}`
              : x < 0.9
                ? `/v1/search?q=${pick(words)}&minPrice=${price()}&limit=20`
                : `/v1/search/suggest?q=${pick(words).slice(0, 2 + int(4))}&limit=${1 + int(20)}`;
        const started = performance.now();
        const m = now();
        try {
          const res = await fetch(server.base + path);
          await res.arrayBuffer();
          if (res.ok) {
            m.reads++;
            m.readMs.push(performance.now() - started);
          } else m.failed++;
        } catch {
          m.failed++;
        }
      }
    };
    const cartMaker = async (k: number) => {
      const rand = prng(777 + k);
      while (performance.now() < until && server.alive()) {
        const items = Array.from({ length: 1 + Math.floor(rand() * 3) }, () => pool[Math.floor(rand() * pool.length)]);
        const ok = await fillCart(server.base, items as string[]).catch(() => false);
        if (ok) now().carts++;
        else now().failed++;
      }
    };
    const shopper = async (k: number) => {
      let n = k;
      while (performance.now() < until && server.alive()) {
        const r = await checkout(server.base, pool[n++ % pool.length] as string).catch(() => ({ ok: false }));
        if (r.ok) now().orders++;
        else now().failed++;
      }
    };
    await Promise.all([
      ...Array.from({ length: READERS }, (_, k) => reader(k)),
      ...Array.from({ length: CARTS }, (_, k) => cartMaker(k)),
      ...Array.from({ length: SHOPPERS }, (_, k) => shopper(k)),
    ]);
    await new Promise((r) => setTimeout(r, 1100));
    clearInterval(sampler);
    clearInterval(reporter);
    if (!server.alive()) throw new Error('the server died during the soak');

    const rows = [
      '\n| minute | peak RSS MB | reads/s | read p50 ms | read p99 ms | carts/s | orders/s | failed | load average |',
      '|---|---|---|---|---|---|---|---|---|',
      ...minutes.map(
        (m, i) =>
          `| ${i + 1} | ${m.peakRss.toFixed(0)} | ${(m.reads / 60).toFixed(0)} | ${pct(m.readMs, 50).toFixed(0)} | ` +
          `${pct(m.readMs, 99).toFixed(0)} | ${(m.carts / 60).toFixed(1)} | ${(m.orders / 60).toFixed(1)} | ${m.failed} | ${m.load || load()} |`,
      ),
    ];
    console.log(rows.join('\n'));
    const second = minutes[1]?.peakRss ?? minutes[0]?.peakRss ?? 0;
    const last = minutes.at(-1)?.peakRss ?? 0;
    const pass = last <= 1.1 * second;
    console.log(
      `\nlast minute's peak ${last.toFixed(0)} MB ≤ 1.10 × second minute's peak ${second.toFixed(0)} MB ` +
        `(= ${(1.1 * second).toFixed(0)} MB): ${pass ? 'PASS' : 'FAIL'}; peak over the run (VmHWM) ` +
        `${memory(server.pid).hwm.toFixed(0)} MB; load average at the end ${load()}`,
    );
  } finally {
    await server.stop();
    await db.drop();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
