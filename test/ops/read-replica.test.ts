// Read replicas with a real streaming replica (test/support/replica-cluster.ts: pg_basebackup of the test server,
// started on a free port). Storefront reads (list, detail, search, suggest) are served by the replica, also while the
// primary holds locks on every table they read; with WAL replay paused (a replica as far behind as one likes) a
// staff change shows at once (the fence sends reads to the primary until the replica has it) and a customer's cart and
// order are always fresh; with the replica stopped, reads fall back to the primary, /readyz stays ready, and reads
// go back to the replica by themselves when it returns. PostgreSQL only (TEST_DATABASE_URL).
import { randomBytes, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import { loadConfig } from '../../src/platform/config.ts';
import { createStaff, registerCustomer, type TestIdentity } from '../support/auth.ts';
import { createVariant, readyCart, type TestVariant } from '../support/cart.ts';
import type { TestApp } from '../support/create-test-app.ts';
import { waitFor } from '../support/events-harness.ts';
import { createReplicaCluster, type ReplicaCluster } from '../support/replica-cluster.ts';
import { searchCaughtUp } from '../support/search.ts';
import { TEST_DATABASE_URL, TEST_REDIS_URL } from '../support/services.ts';
import { createPostgresDatabase } from '../support/test-db.ts';

async function startApp(env: Record<string, string>): Promise<TestApp> {
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    REDIS_KEY_PREFIX: `test:${randomBytes(4).toString('hex')}:`,
    ...(TEST_REDIS_URL ? { REDIS_URL: TEST_REDIS_URL } : {}),
    ...env,
  });
  const app = await createApp(config, { defaultMetrics: false });
  return { ...app, config, databaseUrl: config.databaseUrl };
}

/** Storefront reads by the database that served them, from `db_replica_reads_total`. */
async function servedBy(t: TestApp): Promise<{ replica: number; primary: number }> {
  const metric = t.kernel.metrics.registry.getSingleMetric('db_replica_reads_total');
  const values = metric ? (await metric.get()).values : [];
  const n = (who: string) => values.filter((v) => v.labels.served_by === who).reduce((s, v) => s + v.value, 0);
  return { replica: n('replica'), primary: n('primary') };
}

async function delta<T>(t: TestApp, fn: () => Promise<T>): Promise<{ result: T; replica: number; primary: number }> {
  const before = await servedBy(t);
  const result = await fn();
  const after = await servedBy(t);
  return { result, replica: after.replica - before.replica, primary: after.primary - before.primary };
}

/** Every outbox event delivered and handled (in-process relay), so no fence is still to come. */
async function eventsSettled(t: TestApp): Promise<void> {
  await waitFor(async () => {
    const r = await sql<{ pending: number }>`select
      (select count(*) from platform.outbox where published_at is null)
      + (select count(*) from platform.event_deliveries) as pending`.execute(t.kernel.db.k);
    return Number(r.rows[0]?.pending) === 0;
  }, 30_000);
}

/** The replica answers and has replayed every fence: storefront reads may use it. */
async function replicaCaughtUp(t: TestApp): Promise<void> {
  await waitFor(() => {
    const s = t.kernel.readDb.status();
    return s.usable && s.replayed >= s.fence;
  }, 30_000);
}

/** Drops the storefront caches without a fence, as their expiry would. */
async function dropCaches(t: TestApp): Promise<void> {
  await t.kernel.cache.delPrefix('catalog:');
  await t.kernel.cache.delPrefix('search:');
}

async function get<T>(t: TestApp, url: string, headers: Record<string, string> = {}): Promise<T> {
  const res = await t.http.inject({ method: 'GET', url, headers });
  if (res.statusCode !== 200) throw new Error(`GET ${url}: ${res.statusCode} ${res.body}`);
  return res.json() as T;
}

interface Named {
  id: string;
  name: string;
}

/** The four storefront reads of one product: list, detail, search, suggest. */
async function storefront(t: TestApp, product: TestVariant, term: string) {
  const list = await get<{ items: Named[] }>(t, '/v1/products?limit=50');
  const detail = await get<Named>(t, `/v1/products/${product.productId}`);
  const search = await get<{ items: Named[] }>(t, `/v1/search?q=${term}`);
  const suggest = await get<{ items: Named[] }>(t, `/v1/search/suggest?q=${term}`);
  const names = (items: Named[]) => items.filter((i) => i.id === product.productId).map((i) => i.name);
  return { list: names(list.items), detail: detail.name, search: names(search.items), suggest: names(suggest.items) };
}

describe.skipIf(!TEST_DATABASE_URL)('read replicas [REQ-SCL-002] [REQ-SCL-003] [REQ-SCL-004] [REQ-SCL-005]', () => {
  let database: { url: string; drop(): Promise<void> };
  let dbName: string;
  let cluster: ReplicaCluster;
  let t: TestApp;
  let staff: TestIdentity;
  let lamp: TestVariant;
  let tag: string;
  let originalName: string;

  beforeAll(async () => {
    database = await createPostgresDatabase(TEST_DATABASE_URL ?? '');
    dbName = new URL(database.url).pathname.slice(1);
    cluster = await createReplicaCluster(TEST_DATABASE_URL ?? '');
    t = await startApp({ DATABASE_URL: database.url, DATABASE_REPLICA_URL: cluster.url(dbName) });
    staff = await createStaff(t, 'admin');
    lamp = await createVariant(t, staff, { price: 2500, stock: 20 });
    originalName = (await get<Named>(t, `/v1/products/${lamp.productId}`)).name;
    tag = originalName.replace('Product ', '');
    await searchCaughtUp(t);
    await eventsSettled(t);
    await replicaCaughtUp(t);
  }, 180_000);

  afterAll(async () => {
    await t?.close();
    await cluster?.destroy();
    await database?.drop();
  }, 60_000);

  it('[REQ-SCL-002] storefront list, detail, search and suggest are served by the replica: they show its view of the data', async () => {
    await cluster.pauseReplay();
    // A change made on the primary behind the application's back (no fence): only a read on the primary can see it.
    const primary = new pg.Client({ connectionString: database.url });
    await primary.connect();
    try {
      await primary.query(
        `update catalog.product_views set doc = jsonb_set(doc, '{name}', '"Primary only"') where product_id = $1`,
        [lamp.productId],
      );
      await primary.query(`update search.documents set name = 'Primary only' where product_id = $1`, [lamp.productId]);
    } finally {
      await primary.end();
    }
    await dropCaches(t);
    const { result, replica, primary: onPrimary } = await delta(t, () => storefront(t, lamp, tag));
    expect(result).toEqual({
      list: [originalName],
      detail: originalName,
      search: [originalName],
      suggest: [originalName],
    });
    expect(onPrimary).toBe(0);
    expect(replica).toBeGreaterThanOrEqual(4);
  });

  it('[REQ-SCL-002] storefront reads are served while the primary holds every table they read locked', async () => {
    // Replay is still paused, so the replica never sees these locks either.
    const primary = new pg.Client({ connectionString: database.url });
    await primary.connect();
    try {
      await primary.query('begin');
      await primary.query(
        `lock table catalog.product_views, catalog.product_view_prices, search.documents, search.words,
           inventory.levels, inventory.policies, inventory.warehouses in access exclusive mode`,
      );
      await dropCaches(t);
      const { result, primary: onPrimary } = await delta(t, () => storefront(t, lamp, tag));
      expect(result.detail).toBe(originalName);
      expect(result.list).toEqual([originalName]);
      expect(onPrimary).toBe(0);
      const [held] = (
        await primary.query<{ n: number }>(
          `select count(*)::int as n from pg_locks where pid = pg_backend_pid() and mode = 'AccessExclusiveLock'`,
        )
      ).rows;
      expect(held?.n).toBeGreaterThanOrEqual(7);
    } finally {
      await primary.query('rollback').catch(() => {});
      await primary.end();
    }
  });

  it('[REQ-SCL-003] with replay paused, a staff change shows at once (read from the primary) and the cache keeps it', async () => {
    const renamed = `Renamed ${tag}`;
    const res = await t.http.inject({
      method: 'PATCH',
      url: `/v1/products/${lamp.productId}`,
      headers: staff.headers,
      payload: { name: renamed },
    });
    expect(res.statusCode).toBe(200);
    await searchCaughtUp(t);
    await eventsSettled(t);
    const first = await delta(t, () => storefront(t, lamp, tag));
    expect(first.result).toEqual({ list: [renamed], detail: renamed, search: [renamed], suggest: [renamed] });
    expect(first.replica).toBe(0);
    // The pages cached by those reads hold the new name too.
    expect((await get<Named>(t, `/v1/products/${lamp.productId}`)).name).toBe(renamed);
    // The replica really is behind: it still has the name from before the change.
    const [row] = await cluster.query<{ name: string }>(
      'select name from catalog.product_views where product_id = $1',
      [lamp.productId],
      dbName,
    );
    expect(row?.name).toBe(originalName);
  });

  it("[REQ-SCL-004] with replay paused, a customer's cart and order are always fresh", async () => {
    const customer = await registerCustomer(t);
    const cart = await readyCart(t, lamp.variantId, { quantity: 2, auth: customer.headers });
    const seen = await get<{ items: { variantId: string; quantity: number }[] }>(
      t,
      `/v1/carts/${cart.id}`,
      cart.headers,
    );
    expect(seen.items.map((i) => [i.variantId, i.quantity])).toEqual([[lamp.variantId, 2]]);
    const placed = await t.http.inject({
      method: 'POST',
      url: '/v1/orders',
      headers: { ...cart.headers, 'idempotency-key': randomUUID() },
      payload: { cartId: cart.id, payment: { provider: 'sandbox', token: 'tok_visa' } },
    });
    expect(placed.statusCode).toBe(201);
    const orderId = (placed.json() as { id: string }).id;
    expect((await get<{ id: string; status: string }>(t, `/v1/orders/${orderId}`, customer.headers)).status).toBe(
      'paid',
    );
    const mine = await get<{ items: { id: string }[] }>(t, '/v1/orders', customer.headers);
    expect(mine.items.map((o) => o.id)).toContain(orderId);
    // The replica has neither: read there, both would be stale.
    const [onReplica] = await cluster.query<{ carts: number; orders: number }>(
      `select (select count(*)::int from cart.carts where id = $1) as carts,
              (select count(*)::int from orders.orders where id = $2) as orders`,
      [cart.id, orderId],
      dbName,
    );
    expect(onReplica).toEqual({ carts: 0, orders: 0 });
  });

  it('[REQ-SCL-003] once replay resumes, storefront reads go back to the replica, with the new data', async () => {
    await cluster.resumeReplay();
    await eventsSettled(t);
    await replicaCaughtUp(t);
    await dropCaches(t);
    const { result, replica, primary } = await delta(t, () => storefront(t, lamp, tag));
    expect(result.detail).toBe(`Renamed ${tag}`);
    expect(result.search).toEqual([`Renamed ${tag}`]);
    expect(primary).toBe(0);
    expect(replica).toBeGreaterThanOrEqual(4);
  });

  it('[REQ-SCL-005] with the replica stopped, reads fall back to the primary, /readyz stays ready, and they return to the replica with it', async () => {
    await cluster.stop();
    await dropCaches(t);
    const down = await delta(t, () => storefront(t, lamp, tag));
    expect(down.result.detail).toBe(`Renamed ${tag}`);
    expect(down.result.list).toEqual([`Renamed ${tag}`]);
    expect(down.primary).toBeGreaterThanOrEqual(4);
    await waitFor(() => !t.kernel.readDb.status().usable, 30_000);
    expect((await t.http.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
    const metrics = (await t.http.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toContain('dependency_up{dependency="postgres_replica"} 0');
    await dropCaches(t);
    const stillDown = await delta(t, () => storefront(t, lamp, tag));
    expect(stillDown.replica).toBe(0);

    await cluster.start();
    await replicaCaughtUp(t);
    await dropCaches(t);
    const back = await delta(t, () => storefront(t, lamp, tag));
    expect(back.result.detail).toBe(`Renamed ${tag}`);
    expect(back.replica).toBeGreaterThanOrEqual(4);
    expect((await t.http.inject({ method: 'GET', url: '/metrics' })).body).toContain(
      'dependency_up{dependency="postgres_replica"} 1',
    );
  });

  it('[REQ-SCL-005] a replica that is not there at start-up changes nothing: the app starts, reads use the primary', async () => {
    const other = await startApp({
      DATABASE_URL: database.url,
      // Nothing listens on port 1: the replica is "not started yet".
      DATABASE_REPLICA_URL: `postgres://postgres@127.0.0.1:1/${dbName}`,
    });
    try {
      const { result, replica } = await delta(other, () => storefront(other, lamp, tag));
      expect(result.detail).toBe(`Renamed ${tag}`);
      expect(replica).toBe(0);
      expect((await other.http.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
      await waitFor(() => other.kernel.readDb.status().reason === 'unreachable', 30_000);
    } finally {
      await other.close();
    }
  });
});
