// Reservation throughput at the service level on real PostgreSQL (no HTTP).
//   node bench/reservations.ts            (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test)
//   BENCH_SECONDS=3 BENCH_CONCURRENCY=32 BENCH_POOL=20 node bench/reservations.ts
// Scenarios: one hot variant (every reservation updates the same row), the same load spread over
// 1,000 variants, and a reserve+commit cycle on the hot variant. A fresh database is created and dropped.
import { PLATFORM_MIGRATIONS } from '../src/app.ts';
import { createInventoryModule } from '../src/modules/inventory/index.ts';
import type { Ctx } from '../src/platform/context.ts';
import { migrate } from '../src/platform/db/migrate.ts';
import { openPostgres } from '../src/platform/db/postgres.ts';
import { createLogger } from '../src/platform/observability/logger.ts';
import { createPostgresDatabase } from '../test/support/test-db.ts';

const baseUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const seconds = Number(process.env.BENCH_SECONDS ?? 3);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 32);
const pool = Number(process.env.BENCH_POOL ?? 20);
const ctx: Ctx = { requestId: 'bench', actor: { kind: 'system', name: 'bench' } };

const created = await createPostgresDatabase(baseUrl);
const db = await openPostgres({ url: created.url, max: pool });
try {
  const inv = createInventoryModule({
    db,
    logger: createLogger('silent'),
    config: { reservationTtlSeconds: 900, grpcPort: undefined },
  });
  if (!inv.definition.migrations) throw new Error('no migrations');
  await migrate(db, [PLATFORM_MIGRATIONS, inv.definition.migrations]);
  const wh = await inv.stock.createWarehouse(ctx, { name: 'Bench', country: 'DE' });
  const receive = (variantId: string, quantity: number) =>
    inv.stock.recordMovement(ctx, { variantId, warehouseId: wh.id, kind: 'receive', quantity, reason: 'bench' });
  await receive('var_hot', 100_000_000);
  const spread = Array.from({ length: 1000 }, (_, i) => `var_s${String(i).padStart(4, '0')}`);
  for (const v of spread) await receive(v, 1_000_000);

  let seq = 0;
  async function run(name: string, op: () => Promise<unknown>) {
    const latencies: number[] = [];
    let errors = 0;
    const until = performance.now() + seconds * 1000;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (performance.now() < until) {
          const t0 = performance.now();
          try {
            await op();
            latencies.push(performance.now() - t0);
          } catch {
            errors++;
          }
        }
      }),
    );
    latencies.sort((a, b) => a - b);
    const pct = (p: number) =>
      (latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] ?? 0).toFixed(1);
    console.log(
      `${name.padEnd(34)} ${(latencies.length / seconds).toFixed(0).padStart(6)} ops/s  p50 ${pct(0.5)} ms  p99 ${pct(0.99)} ms  errors ${errors}`,
    );
  }

  console.log(`PostgreSQL, pool ${pool}, ${concurrency} concurrent callers, ${seconds} s per scenario`);
  await run('reserve 1 unit, one hot variant', () =>
    inv.api.reserve(ctx, { key: `b${++seq}`, lines: [{ variantId: 'var_hot', quantity: 1 }] }),
  );
  await run('reserve 1 unit, 1,000 variants', () =>
    inv.api.reserve(ctx, {
      key: `b${++seq}`,
      lines: [{ variantId: spread[Math.floor(Math.random() * spread.length)] as string, quantity: 1 }],
    }),
  );
  await run('reserve 3 lines, 1,000 variants', () =>
    inv.api.reserve(ctx, {
      key: `b${++seq}`,
      lines: [0, 1, 2].map(() => ({
        variantId: spread[Math.floor(Math.random() * spread.length)] as string,
        quantity: 1,
      })),
    }),
  );
  await receive('var_sold_out', 1);
  await inv.api.reserve(ctx, { key: 'sold-out', lines: [{ variantId: 'var_sold_out', quantity: 1 }] });
  await run('refused (sold out), one hot variant', async () => {
    const r = await inv.api
      .reserve(ctx, { key: `b${++seq}`, lines: [{ variantId: 'var_sold_out', quantity: 1 }] })
      .catch((e: { code?: string }) => e);
    if ((r as { code?: string }).code !== 'inventory.insufficient_stock') throw new Error('expected a refusal');
  });
  await run('reserve + commit, one hot variant', async () => {
    const key = `b${++seq}`;
    await inv.api.reserve(ctx, { key, lines: [{ variantId: 'var_hot', quantity: 1 }] });
    await inv.api.commit(ctx, key);
  });
} finally {
  await db.close();
  await created.drop();
}
