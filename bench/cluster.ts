// Checkout throughput of 1 process and of 3 processes, both behind haproxy (deploy/haproxy.cfg), back to back on
// this machine, with the cluster suite's harness and load generator (test/cluster): 40 guest shoppers run the whole
// flow (cart → item → address → shipping → POST /v1/orders) over and over.
// Run: node --experimental-strip-types --disable-warning=ExperimentalWarning bench/cluster.ts
// Env: BENCH_SECONDS (20, measured), BENCH_WARMUP_SECONDS (3, not measured), BENCH_CONCURRENCY (40),
// BENCH_PROCESSES ("1,3"). Needs haproxy, PostgreSQL 15 binaries, redis-server and nats-server (own instances).
import { loadavg } from 'node:os';
import { needsHaproxy, startCluster } from '../test/cluster/harness.ts';
import { startLoad } from '../test/cluster/load.ts';
import { sleep, startOwnServices } from '../test/cluster/services.ts';
import { demoVariants, receiveStock, staffToken } from '../test/cluster/store-state.ts';

const seconds = Number(process.env.BENCH_SECONDS ?? 20);
const warmupSeconds = Number(process.env.BENCH_WARMUP_SECONDS ?? 3);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 40);
const sizes = (process.env.BENCH_PROCESSES ?? '1,3').split(',').map(Number);

if (needsHaproxy) {
  process.stderr.write(`bench/cluster.ts: ${needsHaproxy}\n`);
  process.exit(1);
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? (sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0) : 0;
};

const services = await startOwnServices();
try {
  for (const processes of sizes) {
    const cluster = await startCluster({ processes, services });
    try {
      const token = await staffToken(cluster.url, cluster.admin);
      const variants = (await demoVariants(cluster.url, 40)).slice(0, 20);
      await receiveStock(cluster.url, token, variants, 100_000);
      const load = startLoad({
        url: cluster.url,
        variants,
        concurrency,
        maxDurationMs: (warmupSeconds + seconds + 5) * 1000,
      });
      await sleep(warmupSeconds * 1000);
      const from = Date.now();
      await sleep(seconds * 1000);
      const to = Date.now();
      const report = await load.stop();
      const inWindow = (t: number | undefined) => t !== undefined && t >= from && t < to;
      const orders = report.requests.filter((r) => r.step === 'order' && r.status === 201 && inWindow(r.end));
      const flows = report.flows.filter((f) => f.outcome === 'placed' && inWindow(f.endedAt));
      const measured = report.requests.filter((r) => inWindow(r.end));
      const failed = measured.filter((r) => r.status === 0 || r.status >= 500).length;
      console.log(
        JSON.stringify({
          processes,
          concurrency,
          seconds: (to - from) / 1000,
          ordersPerSecond: Number((orders.length / ((to - from) / 1000)).toFixed(1)),
          orderP95Ms: percentile(
            orders.map((r) => r.end - r.start),
            95,
          ),
          flowP95Ms: percentile(
            flows.map((f) => (f.endedAt ?? 0) - f.startedAt),
            95,
          ),
          requestsPerSecond: Math.round(measured.length / ((to - from) / 1000)),
          failedRequests: failed,
          loadAverage: loadavg().map((l) => Number(l.toFixed(2))),
        }),
      );
    } finally {
      await cluster.stop();
    }
  }
} finally {
  await services.stop();
}
