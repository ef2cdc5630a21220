// Invariants that must hold across processes: three `node src/main.ts` processes on one PostgreSQL, Redis and NATS
// JetStream, behind haproxy (test/cluster/harness.ts). Requests go to a chosen process directly (its own port) where
// the invariant is about processes, and through haproxy where it is about the load balancer.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Answer,
  type CallOptions,
  call,
  counterValue,
  createStockedVariant,
  expectCall,
  openSql,
  placeOrder,
  pollUntil,
  readyCart,
  type Sql,
  signIn,
  storefrontVariant,
} from './cross-process-support.ts';
import { type AppProcess, type Cluster, needsHaproxy, startCluster } from './harness.ts';
import { type ServiceSet, startOwnServices } from './services.ts';

/** What the tests measured (propagation times, spreads), printed at the end for the report. */
const measured: string[] = [];
let services: ServiceSet | undefined;

beforeAll(async () => {
  if (!needsHaproxy) services = await startOwnServices();
}, 120_000);
afterAll(async () => {
  await services?.stop();
  if (measured.length) console.log(`cross-process measurements:\n  ${measured.join('\n  ')}`);
});

/** Milliseconds from now until `seen` holds on the process, polling it every 20 ms; null if not within `withinMs`. */
async function timeUntilSeen(
  p: AppProcess,
  read: (base: string) => Promise<boolean>,
  withinMs: number,
): Promise<number | null> {
  const started = performance.now();
  const seen = await pollUntil(() => read(p.url), withinMs, 20);
  return seen ? Math.round(performance.now() - started) : null;
}

describe.skipIf(needsHaproxy)(`one cluster of 3 processes ${needsHaproxy}`, () => {
  let cluster: Cluster;
  let staff: Record<string, string>;
  let db: Sql;
  const proc = (i: number) => cluster.processes[i % cluster.processes.length] as AppProcess;

  beforeAll(async () => {
    cluster = await startCluster({ processes: 3, services: services as ServiceSet });
    staff = await signIn(cluster.url, cluster.admin);
    db = openSql(cluster.databaseUrl);
  }, 180_000);
  afterAll(async () => {
    await db?.close();
    await cluster?.stop();
  }, 120_000);

  it('[REQ-CLU-001] a price change and a stock change made through process 1 are seen by processes 2 and 3 within 1 s', async () => {
    const v = await createStockedVariant(proc(0).url, staff, { price: 1000, stock: 10 });
    // Every process has read the product (so a stale copy would be there to serve).
    for (const p of cluster.processes) {
      expect(await storefrontVariant(p.url, v.productId, v.variantId)).toEqual({ price: 1000, available: 10 });
    }
    await expectCall(200, proc(0).url, 'PATCH', `/v1/products/${v.productId}/variants/${v.variantId}`, {
      headers: staff,
      body: { prices: [{ currency: 'EUR', amount: 1234 }] },
    });
    const price = await Promise.all(
      [proc(1), proc(2)].map((p) =>
        timeUntilSeen(
          p,
          async (base) => (await storefrontVariant(base, v.productId, v.variantId)).price === 1234,
          1000,
        ),
      ),
    );
    await expectCall(201, proc(0).url, 'POST', '/v1/admin/inventory/adjustments', {
      headers: staff,
      body: { variantId: v.variantId, warehouseId: v.warehouseId, quantity: -3, reason: 'cycle count', kind: 'adjust' },
    });
    const stock = await Promise.all(
      [proc(1), proc(2)].map((p) =>
        timeUntilSeen(
          p,
          async (base) => (await storefrontVariant(base, v.productId, v.variantId)).available === 7,
          1000,
        ),
      ),
    );
    measured.push(`price change seen on processes 2, 3 after ${price.join(', ')} ms (null = not within 1 s)`);
    measured.push(`stock change seen on processes 2, 3 after ${stock.join(', ')} ms (null = not within 1 s)`);
    for (const ms of [...price, ...stock]) expect(ms).not.toBeNull();
    for (const p of cluster.processes) {
      expect(await storefrontVariant(p.url, v.productId, v.variantId)).toEqual({ price: 1234, available: 7 });
    }
  }, 60_000);

  it('[REQ-CLU-002] 12 concurrent checkouts of one cart with 12 keys, round-robin over the processes: one order', async () => {
    const v = await createStockedVariant(proc(0).url, staff, { price: 1500, stock: 5 });
    const cart = await readyCart(proc(0).url, v.variantId);
    const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => placeOrder(proc(i).url, cart)));
    const created = answers.filter((a) => a.status === 201);
    const others = answers.filter((a) => a.status !== 201);
    measured.push(
      `one cart, 12 keys: ${created.length} × 201 (same order), ${others.map((a) => `${a.status} ${a.body?.code}`).join(', ')}`,
    );
    expect(created.length).toBeGreaterThanOrEqual(1);
    // The documented answers (docs/checkout.md, REQ-CHK-002): the placed order again, or a 409 while it is placed
    // (orders.checkout_in_progress) or after the cart completed (cart.completed). Nothing else.
    expect(new Set(created.map((a) => a.body.id))).toEqual(new Set([created[0]?.body.id]));
    for (const a of others) {
      expect(a.status, a.text).toBe(409);
      expect(['orders.checkout_in_progress', 'cart.completed']).toContain(a.body.code);
    }
    const orderId = created[0]?.body.id as string;
    expect(await db.count('select count(*) from orders.orders where cart_id = $1', [cart.id])).toBe(1);
    expect(await db.count('select count(*) from orders.checkout_attempts where cart_id = $1', [cart.id])).toBe(1);
    expect(await db.count('select count(*) from payments.payments where order_id = $1', [orderId])).toBe(1);
    expect(await db.count('select count(*) from inventory.reservations where key = $1', [`checkout:${orderId}`])).toBe(
      1,
    );
  }, 60_000);

  it('[REQ-CLU-003] an Idempotency-Key sent to process 1 replays on processes 2 and 3: same status and body, one effect', async () => {
    // The generic stored response (POST /v1/carts): byte-identical on every process.
    const key = randomUUID();
    const cartsBefore = await db.count('select count(*) from cart.carts');
    const createCart = (p: AppProcess) =>
      call(p.url, 'POST', '/v1/carts', {
        headers: { 'idempotency-key': key },
        body: { currency: 'EUR', country: 'DE' },
      });
    const first = await createCart(proc(0));
    expect(first.status).toBe(201);
    for (const p of [proc(1), proc(2)]) {
      const again = await createCart(p);
      expect(again.status).toBe(201);
      expect(again.text).toBe(first.text);
      expect(again.headers['idempotent-replayed']).toBe('true');
    }
    expect(await db.count('select count(*) from cart.carts')).toBe(cartsBefore + 1);

    // Checkout: the key maps to the checkout attempt, on whichever process the retry lands.
    const v = await createStockedVariant(proc(0).url, staff, { price: 2500, stock: 5 });
    const cart = await readyCart(proc(0).url, v.variantId);
    const orderKey = randomUUID();
    const placed = await placeOrder(proc(0).url, cart, orderKey);
    expect(placed.status, placed.text).toBe(201);
    const replays: Answer[] = [];
    for (const p of [proc(1), proc(2)]) replays.push(await placeOrder(p.url, cart, orderKey));
    for (const r of replays) {
      expect(r.status).toBe(201);
      expect(r.body.id).toBe(placed.body.id);
      expect(r.text).toBe(replays[0]?.text);
      // The stored answer is the order as placed; the first answer had also shown the inline capture (REQ-CHK-002).
      expect({ ...r.body, status: placed.body.status, payment: placed.body.payment }).toEqual(placed.body);
    }
    expect(await db.count('select count(*) from orders.orders where cart_id = $1', [cart.id])).toBe(1);
    expect(await db.count('select count(*) from payments.payments where order_id = $1', [placed.body.id])).toBe(1);
  }, 60_000);

  it('[REQ-CLU-005] a scheduled job runs once per due tick with 3 processes polling: one run, one recorded report', async () => {
    // payments.reconcile records every run as a row of payments.reconciliation_runs. Its first tick is due when the
    // processes start; later ones every 15 min, so the test makes a tick due now (as the table allows) and lets the
    // three schedulers race for it.
    const job = async () =>
      (
        await db.rows<{ runs: number; failures: number; leased: boolean }>(
          `select runs, failures, coalesce(leased_until > now(), false) as leased
           from platform.scheduled_jobs where name = 'payments.reconcile'`,
        )
      )[0];
    expect(await pollUntil(async () => (await job())?.runs === 1 && !(await job())?.leased, 20_000, 100)).toBe(true);
    const reports = () => db.count('select count(*) from payments.reconciliation_runs');
    expect(await reports()).toBe(1);
    const ticks = 3;
    const waited: number[] = [];
    for (let tick = 1; tick <= ticks; tick++) {
      await db.rows(
        `update platform.scheduled_jobs set next_run_at = now() where name = 'payments.reconcile' and leased_until is null`,
      );
      const started = performance.now();
      const ran = await pollUntil(async () => (await job())?.runs === 1 + tick && !(await job())?.leased, 15_000, 50);
      expect(ran).toBe(true);
      waited.push(Math.round(performance.now() - started));
    }
    // Longer than two poll intervals of every scheduler (1 s): a second claim of any of those ticks would show now.
    await new Promise((r) => setTimeout(r, 2500));
    const after = await job();
    measured.push(`payments.reconcile: ${ticks} forced ticks each run after ${waited.join(', ')} ms`);
    expect(after).toEqual({ runs: 1 + ticks, failures: 0, leased: false });
    expect(await reports()).toBe(1 + ticks);
    // Every report covers its own window (one run per tick, none repeated).
    expect(await db.count('select count(distinct window_to) from payments.reconciliation_runs')).toBe(1 + ticks);
  }, 90_000);

  it('[REQ-CLU-006] orders placed on every process: each orders.order.placed has its effects once (one capture, one stock commit)', async () => {
    const v = await createStockedVariant(proc(0).url, staff, { price: 1200, stock: 20 });
    const n = 6;
    const carts = await Promise.all(Array.from({ length: n }, (_, i) => readyCart(proc(i + 1).url, v.variantId, 2)));
    const delivered = async (subscriber: string) => {
      const counts = await Promise.all(
        cluster.processes.map((p) => counterValue(p.url, 'events_delivered_total', `subscriber="${subscriber}"`)),
      );
      return counts;
    };
    const before = await delivered('orders.commit_reservation');
    const answers = await Promise.all(carts.map((c, i) => placeOrder(proc(i).url, c)));
    for (const a of answers) expect(a.status, a.text).toBe(201);
    const ids = answers.map((a) => a.body.id as string);
    const keys = ids.map((id) => `checkout:${id}`);
    const settled = await pollUntil(
      async () =>
        (await db.count(`select count(*) from inventory.reservations where key = any($1) and status = 'committed'`, [
          keys,
        ])) === n &&
        (await db.count(`select count(*) from cart.carts where id = any($1) and status = 'completed'`, [
          carts.map((c) => c.id),
        ])) === n &&
        (await db.count(`select count(*) from payments.payments where order_id = any($1) and status = 'captured'`, [
          ids,
        ])) === n,
      30_000,
      100,
    );
    expect(settled).toBe(true);
    const perOrder = await db.rows(
      `select o.id, o.status,
         (select count(*)::int from platform.outbox e where e.type = 'orders.order.placed' and e.aggregate_id = o.id)
           as placed_events,
         (select count(*)::int from orders.order_events x where x.order_id = o.id and x.to_status = 'paid') as paid_logged,
         (select count(*)::int from payments.payments p where p.order_id = o.id) as payments,
         (select count(*)::int from payments.payments p where p.order_id = o.id and p.captured_amount = p.amount)
           as captured_in_full,
         (select count(*)::int from platform.outbox e join payments.payments p on e.aggregate_id = p.id
           where p.order_id = o.id and e.type = 'payments.payment.captured') as capture_events,
         (select count(*)::int from inventory.movements m join inventory.reservations r on r.id = m.reservation_id
           where r.key = 'checkout:' || o.id and m.kind = 'commit') as commit_movements,
         (select coalesce(sum(m.quantity), 0)::int from inventory.movements m
           join inventory.reservations r on r.id = m.reservation_id
           where r.key = 'checkout:' || o.id and m.kind = 'commit') as committed_units
       from orders.orders o where o.id = any($1) order by o.id`,
      [ids],
    );
    const once = {
      status: 'paid',
      placed_events: 1,
      paid_logged: 1,
      payments: 1,
      captured_in_full: 1,
      capture_events: 1,
      commit_movements: 1,
      committed_units: -2,
    };
    expect(perOrder).toEqual([...ids].sort().map((id) => ({ id, ...once })));
    const level = await db.rows(
      `select l.on_hand, l.reserved, (select sum(quantity)::int from inventory.movements m
         where m.variant_id = l.variant_id and m.warehouse_id = l.warehouse_id) as ledger
       from inventory.levels l where l.variant_id = $1`,
      [v.variantId],
    );
    expect(level).toEqual([{ on_hand: 20 - 2 * n, reserved: 0, ledger: 20 - 2 * n }]);
    expect(await db.count('select count(*) from platform.event_dead_letters')).toBe(0);
    // Delivered through NATS to the processes' consumers: each event at least once in all (effects above: once).
    const after = await delivered('orders.commit_reservation');
    const byProcess = after.map((x, i) => x - (before[i] ?? 0));
    measured.push(`orders.commit_reservation deliveries of ${n} placed events by process: ${byProcess.join(', ')}`);
    expect(byProcess.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(n);
  }, 90_000);
});

describe.skipIf(needsHaproxy)(`a cluster of 3 processes with RATE_LIMIT_MAX=30 ${needsHaproxy}`, () => {
  const limit = 30;
  let cluster: Cluster;

  beforeAll(async () => {
    cluster = await startCluster({
      processes: 3,
      services: services as ServiceSet,
      env: { RATE_LIMIT_MAX: String(limit), RATE_LIMIT_WINDOW_MS: '600000' },
    });
  }, 180_000);
  afterAll(async () => {
    await cluster?.stop();
  }, 120_000);

  /** `total` concurrent GETs; returns how many were allowed (not 429) and checks the others are the 429 problem. */
  async function burst(total: number, to: (i: number) => string, options: (i: number) => CallOptions) {
    const answers = await Promise.all(
      Array.from({ length: total }, (_, i) => call(to(i), 'GET', '/v1/products?limit=1', options(i))),
    );
    const limited = answers.filter((a) => a.status === 429);
    for (const a of limited) expect(a.body.code).toBe('request.rate_limited');
    for (const a of answers.filter((x) => x.status !== 429)) expect(a.status, a.text).toBe(200);
    return { allowed: total - limited.length, answers };
  }

  it('[REQ-CLU-004] one client spread over the 3 processes (directly, then through haproxy) is allowed exactly RATE_LIMIT_MAX in all', async () => {
    const direct = await burst(
      3 * limit,
      (i) => (cluster.processes[i % 3] as AppProcess).url,
      () => ({ localAddress: '127.0.0.3' }),
    );
    const viaHaproxy = await burst(
      3 * limit,
      () => cluster.url,
      () => ({ localAddress: '127.0.0.4' }),
    );
    measured.push(
      `rate limit ${limit}: ${direct.allowed} allowed directly over 3 processes, ${viaHaproxy.allowed} via haproxy`,
    );
    expect(direct.allowed).toBe(limit);
    expect(viaHaproxy.allowed).toBe(limit);
  }, 60_000);

  it('[REQ-CLU-007] a client forging X-Forwarded-For through haproxy still hits its own limit; the next client is unaffected', async () => {
    const forged = (i: number) => ({
      localAddress: '127.0.0.2',
      headers: { 'x-forwarded-for': i === 0 ? '1.2.3.4, 5.6.7.8' : `1.2.3.4, 5.6.7.${i % 250}` },
    });
    const attacker = await burst(2 * limit, () => cluster.url, forged);
    measured.push(`forged X-Forwarded-For: ${attacker.allowed} of ${2 * limit} allowed (limit ${limit})`);
    expect(attacker.allowed).toBe(limit);
    // The counters are kept per real client address: the forged ones never got a counter.
    const redis = new Redis(cluster.services.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await redis.connect();
      const keys = await redis.keys(`${cluster.env.REDIS_KEY_PREFIX}rl:*`);
      expect(keys.some((k) => k.endsWith('127.0.0.2'))).toBe(true);
      expect(keys.filter((k) => k.includes('1.2.3.4') || k.includes('5.6.7.'))).toEqual([]);
    } finally {
      redis.disconnect();
    }
    const neighbour = await call(cluster.url, 'GET', '/v1/products?limit=1', { localAddress: '127.0.0.5' });
    expect(neighbour.status).toBe(200);
  }, 60_000);
});
