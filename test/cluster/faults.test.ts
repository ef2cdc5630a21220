// Fault injection: three Emporium processes behind haproxy (deploy/haproxy.cfg) on our own PostgreSQL, Redis and NATS,
// 40 guest shoppers checking out through haproxy, and one fault per test in the middle of the load. After each:
// every acknowledged order is readable and paid, stock is exact, nothing stays reserved, and clients saw errors only
// inside the fault window. One JSON line per fault is printed: errors, recovery time, orders acknowledged and lost.
// Last, haproxy's keep-alive promise to clients (a broken one showed as socket errors outside any fault).
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type FaultWindow, failuresOutside, RECOVERY_ALLOWANCE_MS, summarize } from './fault-report.ts';
import { type Cluster, HAPROXY_CONFIG, needsHaproxy, startCluster } from './harness.ts';
import { type LoadReport, resolveUnresolved, startLoad } from './load.ts';
import { acceptsConnections, type ServiceSet, sleep, startOwnServices, waitUntil } from './services.ts';
import {
  checkAcknowledgedOrders,
  demoVariants,
  receiveStock,
  sqlValue,
  staffToken,
  stockOf,
  unitsOrdered,
  waitSettled,
} from './store-state.ts';

const CONCURRENCY = 40;
const VARIANTS_PER_FAULT = 10;
const STOCK_PER_VARIANT = 5000;
/** Load before the fault, and after it (longer than the recovery allowance, so late errors are seen). */
const WARMUP_MS = 4000;
const AFTER_MS = RECOVERY_ALLOWANCE_MS + 4000;
/** A checkout interrupted by a dead process is taken over when its 30 s lease expires: retry for longer. */
const RESOLVE_MS = 40_000;
const PAID_WAIT_MS = 20_000;
const SETTLE_WAIT_MS = 45_000;

let services: ServiceSet | undefined;
let cluster: Cluster;
let token: string;
let variantPool: string[] = [];
let faultNo = 0;

/** Runs the load, injects the fault, stops the load, then checks orders, stock and errors. */
async function underLoad(
  fault: string,
  inject: () => Promise<FaultWindow>,
  opts: { deliberatelyKilled?: number } = {},
): Promise<void> {
  const variants = variantPool.slice(faultNo * VARIANTS_PER_FAULT, (faultNo + 1) * VARIANTS_PER_FAULT);
  faultNo++;
  expect(variants).toHaveLength(VARIANTS_PER_FAULT);
  await receiveStock(cluster.url, token, variants, STOCK_PER_VARIANT);
  const initial = await stockOf(cluster.url, token, variants);

  const load = startLoad({ url: cluster.url, variants, concurrency: CONCURRENCY, maxDurationMs: 90_000 });
  let window: FaultWindow | undefined;
  let report: LoadReport;
  try {
    await sleep(WARMUP_MS);
    window = await inject();
    await sleep(AFTER_MS);
  } finally {
    report = await load.stop();
  }
  if (!window) throw new Error('the fault was not injected');
  await resolveUnresolved(cluster.url, report, RESOLVE_MS);

  const orders = await checkAcknowledgedOrders(cluster.url, report.flows, PAID_WAIT_MS);
  const settled = await waitSettled(cluster.databaseUrl, () => stockOf(cluster.url, token, variants), SETTLE_WAIT_MS);
  const final = await stockOf(cluster.url, token, variants);
  const units = unitsOrdered(report.flows);
  const stockErrors = variants.flatMap((v) => {
    const expected = (initial.get(v)?.available ?? 0) - (units.get(v) ?? 0);
    const actual = final.get(v)?.available;
    return actual === expected ? [] : [`${v}: expected ${expected} available, found ${actual}`];
  });
  const summary = summarize(fault, window, report, {
    lost: orders.lost.length,
    notPaid: Object.keys(orders.notPaid).length,
  });
  console.log(JSON.stringify(summary));
  const exited = cluster.processes
    .filter((p) => p.index !== opts.deliberatelyKilled && p.exitCode !== null)
    .map((p) => `process ${p.index} exited with ${p.exitCode}: ${p.logs().slice(-1500)}`);

  expect(summary.ordersAcknowledged, 'orders acknowledged under load').toBeGreaterThan(0);
  expect.soft(orders.lost, 'acknowledged orders the API does not return').toEqual([]);
  expect.soft(orders.notPaid, 'acknowledged orders not paid in time').toEqual({});
  expect.soft(summary.unresolved, 'checkouts still without an answer after retrying').toBe(0);
  expect.soft(stockErrors, 'available = initial − units ordered').toEqual([]);
  expect.soft(settled, 'nothing left reserved or running').toMatchObject({
    activeReservations: 0,
    openCheckouts: 0,
    reservedUnits: 0,
  });
  expect.soft(failuresOutside(report, window), 'client errors outside the fault window').toEqual([]);
  expect.soft(exited, 'processes that died').toEqual([]);
}

const skip = needsHaproxy;
describe.skipIf(!!skip)(skip ? `faults under checkout load (${skip})` : 'faults under checkout load', () => {
  beforeAll(async () => {
    services = await startOwnServices();
    cluster = await startCluster({ processes: 3, services });
    token = await staffToken(cluster.url, cluster.admin);
    variantPool = await demoVariants(cluster.url, 100);
  }, 180_000);

  afterAll(async () => {
    await cluster?.stop();
    await services?.stop();
  }, 120_000);

  // Each fault starts from a whole cluster, whatever the previous one left behind.
  beforeEach(async () => {
    if (!services || !cluster) return;
    if (!(await acceptsConnections(services.databaseUrl))) await services.startPostgres();
    if (!(await acceptsConnections(services.redisUrl))) await services.startRedis();
    if (!(await acceptsConnections(services.natsUrl))) await services.startNats();
    for (const p of cluster.processes) if (p.exitCode !== null) await p.start();
    await cluster.waitAllUp(30_000);
  }, 120_000);

  it('[REQ-FLT-001] every database connection is terminated three times under load: no order lost, stock exact', async () => {
    const svc = cluster.services;
    const terminated: number[] = [];
    await underLoad('terminate-backends-x3', async () => {
      const start = Date.now();
      for (let i = 0; i < 3; i++) {
        if (i) await sleep(3000);
        terminated.push(await svc.terminateBackends(cluster.databaseName));
      }
      return { start, end: Date.now() };
    });
    // The fault happened: each round ended connections of the three processes' pools.
    expect(
      terminated.every((n) => n >= 3),
      `terminated per round: ${terminated}`,
    ).toBe(true);
  }, 240_000);

  it('[REQ-FLT-002] PostgreSQL restarts under load: no order lost, stock exact', async () => {
    const svc = cluster.services;
    const startedAt = () => sqlValue(svc.adminUrl, 'select pg_postmaster_start_time()::text');
    const before = await startedAt();
    await underLoad('restart-postgres', async () => {
      const start = Date.now();
      await svc.restartPostgres();
      return { start, end: Date.now() };
    });
    expect(await startedAt()).not.toBe(before);
  }, 240_000);

  it('[REQ-FLT-003] Redis is down for 10 s under load: no order lost, stock exact', async () => {
    const svc = cluster.services;
    await underLoad('redis-down-10s', async () => {
      const start = Date.now();
      await svc.stopRedis();
      try {
        expect(await acceptsConnections(svc.redisUrl), 'Redis is down').toBe(false);
        await sleep(10_000);
      } finally {
        await svc.startRedis();
      }
      return { start, end: Date.now() };
    });
  }, 240_000);

  it('[REQ-FLT-004] NATS is down for 10 s under load: no order lost, stock exact', async () => {
    const svc = cluster.services;
    await underLoad('nats-down-10s', async () => {
      const start = Date.now();
      await svc.stopNats();
      try {
        expect(await acceptsConnections(svc.natsUrl), 'NATS is down').toBe(false);
        await sleep(10_000);
      } finally {
        await svc.startNats();
      }
      return { start, end: Date.now() };
    });
  }, 240_000);

  it('[REQ-FLT-005] one of three processes is killed (SIGKILL) under load and restarted: no order lost, stock exact', async () => {
    const victim = cluster.processes[1];
    if (!victim) throw new Error('needs 3 processes');
    await underLoad(
      'kill-9-one-process',
      async () => {
        const start = Date.now();
        await victim.kill9();
        expect(victim.exitCode).toBe(137);
        await victim.start();
        return { start, end: Date.now() };
      },
      { deliberatelyKilled: victim.index },
    );
    expect(victim.exitCode).toBeNull();
  }, 240_000);

  it('[REQ-FLT-006] a client connection left idle as long as haproxy advertises (Keep-Alive) is still open', async () => {
    const u = new URL(cluster.url);
    const socket = createConnection({ host: u.hostname, port: Number(u.port) });
    let received = '';
    let closed = false;
    socket.on('data', (d) => {
      received += d;
    });
    socket.on('close', () => {
      closed = true;
    });
    socket.on('error', () => {});
    try {
      await once(socket, 'connect');
      const request = 'GET /healthz HTTP/1.1\r\nHost: emporium\r\n\r\n';
      socket.write(request);
      await waitUntil('first answer', async () => received.includes('{"status":"ok"}'), 5000);
      const advertised = Number(/^keep-alive:\s*timeout=(\d+)/im.exec(received)?.[1]);
      // A client honouring the hint keeps the connection this long; haproxy must not close it sooner.
      expect(advertised, `Keep-Alive hint in:\n${received}`).toBeGreaterThan(0);
      const idleSeconds = Number(/timeout http-keep-alive (\d+)s/.exec(readFileSync(HAPROXY_CONFIG, 'utf8'))?.[1]);
      expect(advertised, 'the hint is shorter than haproxy keeps idle client connections').toBeLessThan(idleSeconds);
      received = '';
      await sleep(advertised * 1000);
      expect(closed, 'haproxy closed the idle connection before the advertised time').toBe(false);
      socket.write(request);
      await waitUntil('second answer on the same connection', async () => received.includes('{"status":"ok"}'), 5000);
      expect(received).toMatch(/^HTTP\/1\.1 200/);
    } finally {
      socket.destroy();
    }
  }, 60_000);
});
