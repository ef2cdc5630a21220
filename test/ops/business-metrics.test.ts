// Business and operational metrics from real traffic: checkouts through the REST API and the embedded sandbox PSP,
// outbox events written in a real transaction and delivered by the real relay, catalog reads through the real cache.
// Every assertion is a delta on this test's own app (its own registry), read from GET /metrics.
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemCtx } from '../../src/platform/context.ts';
import { appendEvents } from '../../src/platform/events/outbox.ts';
import { access } from '../../src/platform/http/auth.ts';
import { createStaff } from '../support/auth.ts';
import { createVariant, readyCart } from '../support/cart.ts';
import { createTestApp, type TestApp } from '../support/create-test-app.ts';
import { listen } from '../support/listen.ts';
import { type Samples, sampleValue, scrape, scrapeUntil } from '../support/scrape.ts';
import { needsPostgres } from '../support/services.ts';

describe('business metrics from checkout traffic', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
    await listen(t.http);
  });
  afterAll(async () => {
    await t.close();
  });

  const checkout = (cart: { id: string; headers: Record<string, string> }, token: string) =>
    t.http.inject({
      method: 'POST',
      url: '/v1/orders',
      headers: { ...cart.headers, 'idempotency-key': randomUUID() },
      payload: { cartId: cart.id, payment: { provider: 'sandbox', token } },
    });
  const checkouts = (s: Samples, outcome: string) => sampleValue(s, 'checkout_outcomes_total', { outcome });
  const payments = (s: Samples, outcome: string) =>
    sampleValue(s, 'payments_outcomes_total', { provider: 'sandbox', operation: 'authorize', outcome });
  const reservations = (s: Samples, outcome: string) =>
    sampleValue(s, 'inventory_reservation_outcomes_total', { operation: 'reserve', outcome });

  it('[REQ-MET-002] a placed checkout, an out-of-stock one and a declined one each count their outcome', async () => {
    const staff = await createStaff(t, 'admin');
    const last = await createVariant(t, staff, { price: 1500, stock: 1 });
    const plenty = await createVariant(t, staff, { price: 900, stock: 50 });
    // Both carts hold the last unit before either checks out: the second checkout finds it reserved.
    const first = await readyCart(t, last.variantId);
    const second = await readyCart(t, last.variantId);
    const declined = await readyCart(t, plenty.variantId);

    const before = (await scrape(t.http)).samples;
    expect((await checkout(first, 'tok_visa')).statusCode).toBe(201);
    let s = (await scrape(t.http)).samples;
    expect(checkouts(s, 'placed') - checkouts(before, 'placed')).toBe(1);
    expect(payments(s, 'authorized') - payments(before, 'authorized')).toBe(1);
    expect(reservations(s, 'reserved') - reservations(before, 'reserved')).toBe(1);

    const out = await checkout(second, 'tok_visa');
    expect(out.statusCode).toBe(409);
    expect(out.json().code).toBe('inventory.insufficient_stock');
    s = (await scrape(t.http)).samples;
    expect(checkouts(s, 'out_of_stock') - checkouts(before, 'out_of_stock')).toBe(1);
    expect(reservations(s, 'insufficient') - reservations(before, 'insufficient')).toBe(1);
    // No payment was attempted for it.
    expect(payments(s, 'authorized') - payments(before, 'authorized')).toBe(1);

    const no = await checkout(declined, 'tok_chargeDeclined');
    expect(no.statusCode).toBe(402);
    s = (await scrape(t.http)).samples;
    expect(checkouts(s, 'payment_declined') - checkouts(before, 'payment_declined')).toBe(1);
    expect(payments(s, 'declined') - payments(before, 'declined')).toBe(1);
    // The declined checkout's stock went back: reserved, then released by compensation.
    const released = (x: Samples) =>
      sampleValue(x, 'inventory_reservation_outcomes_total', { operation: 'release', outcome: 'released' });
    expect(released(s) - released(before)).toBe(1);
  });

  it('[REQ-MET-001] each request lands in its route histogram with the SLO buckets 0.2 s and 3 s', async () => {
    const before = (await scrape(t.http)).samples;
    expect((await t.http.inject({ method: 'GET', url: '/v1/products?limit=3' })).statusCode).toBe(200);
    const s = (await scrape(t.http)).samples;
    const labels = { method: 'GET', route: '/v1/products', status: '200' };
    const delta = (name: string, extra: Record<string, string> = {}) =>
      sampleValue(s, name, { ...labels, ...extra }) - sampleValue(before, name, { ...labels, ...extra });
    expect(delta('http_request_duration_seconds_count')).toBe(1);
    expect(delta('http_request_duration_seconds_bucket', { le: '3' })).toBe(1);
    expect(s.has('http_request_duration_seconds_bucket{le="0.2",method="GET",route="/v1/products",status="200"}')).toBe(
      true,
    );
  });

  it('[REQ-MET-004] a catalog read misses the cache; its answer is stored when computed again, then hits', async () => {
    const url = '/v1/products?limit=17';
    const hits = (x: Samples) => sampleValue(x, 'cache_hits_total', { cache: 'catalog' });
    const misses = (x: Samples) => sampleValue(x, 'cache_misses_total', { cache: 'catalog' });
    const read = async () => {
      const before = (await scrape(t.http)).samples;
      expect((await t.http.inject({ method: 'GET', url })).statusCode).toBe(200);
      const after = (await scrape(t.http)).samples;
      return { hits: hits(after) - hits(before), misses: misses(after) - misses(before) };
    };
    // The first computation is only remembered (admission.ts), the second is stored, the third is a hit.
    expect(await read()).toEqual({ hits: 0, misses: 1 });
    expect(await read()).toEqual({ hits: 0, misses: 1 });
    expect(await read()).toEqual({ hits: 1, misses: 0 });
  });

  it('[REQ-MET-005] the pool, readiness and dependency gauges describe this process', async () => {
    const s = (await scrape(t.http)).samples;
    expect(sampleValue(s, 'db_pool_max_connections')).toBeGreaterThanOrEqual(1);
    expect(s.has('db_pool_connections{state="in_use"}')).toBe(true);
    expect(sampleValue(s, 'db_pool_waiting_clients')).toBe(0);
    expect(sampleValue(s, 'readiness_check_up', { check: 'database', optional: 'false' })).toBe(1);
    expect(sampleValue(s, 'readiness_check_up', { check: 'migrations', optional: 'false' })).toBe(1);
  });
});

describe('event backlog gauges', () => {
  let t: TestApp;
  const failing = 'metricstest.always_fails';
  beforeAll(async () => {
    t = await createTestApp({
      workers: false,
      env: { EVENTS_MAX_ATTEMPTS: '1', EVENTS_POLL_MS: '50' },
      extraModules: [
        {
          name: 'metricstest',
          subscribers: [
            {
              name: failing,
              eventTypes: ['metricstest.probe.recorded'],
              handle: async () => {
                throw new Error('this subscriber always fails');
              },
            },
          ],
        },
      ],
    });
  });
  afterAll(async () => {
    await t.close();
  });

  it('[REQ-MET-003] outbox depth and age follow unpublished events; dead letters are counted by subscriber', async () => {
    const depth = (x: Samples) => sampleValue(x, 'outbox_unpublished_events');
    const dead = (x: Samples) => sampleValue(x, 'events_dead_letters', { subscriber: failing });
    const before = (await scrape(t.http)).samples;
    expect(dead(before)).toBe(0);
    await t.kernel.db.transaction((tx) =>
      appendEvents(
        tx,
        systemCtx('test'),
        [1, 2, 3].map((n) => ({ type: 'metricstest.probe.recorded', aggregateId: `probe_${n}`, payload: { n } })),
      ),
    );
    // The relay is stopped: the three events wait in the outbox (the gauge is re-read at most once a second).
    const waiting = await scrapeUntil(t.http, (x) => depth(x) === depth(before) + 3);
    expect(depth(waiting)).toBe(depth(before) + 3);
    expect(sampleValue(waiting, 'outbox_oldest_unpublished_age_seconds')).toBeGreaterThanOrEqual(0);

    await t.relay.start();
    // Published, handled once, failed, dead-lettered (EVENTS_MAX_ATTEMPTS=1).
    const after = await scrapeUntil(t.http, (x) => depth(x) === 0 && dead(x) === 3, 60_000);
    expect(depth(after)).toBe(0);
    expect(sampleValue(after, 'outbox_oldest_unpublished_age_seconds')).toBe(0);
    expect(dead(after)).toBe(3);
    expect(sampleValue(after, 'events_dead_lettered_total', { subscriber: failing })).toBe(3);
  });
});

describe.skipIf(needsPostgres)('a scrape while the database cannot serve it', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({
      workers: false,
      // One connection, and a long wait for it: a statement queued behind the held connection waits, not fails.
      postgres: { max: 1, poolWaitMs: 20_000 },
      extraRoutes: (http) => {
        http.get('/test/hold', { config: { access: access.public } }, async () => {
          await t.kernel.db.transaction(async (tx) => {
            await sql`select pg_sleep(15)`.execute(tx);
          });
          return { ok: true };
        });
      },
    });
  });
  afterAll(async () => {
    await t.close();
  });

  it('[REQ-MET-003] with every connection held, /metrics answers before it is released, with the last backlog values', {
    timeout: 60_000,
  }, async () => {
    const depth = (x: Samples) => sampleValue(x, 'outbox_unpublished_events');
    await t.kernel.db.transaction((tx) =>
      appendEvents(tx, systemCtx('test'), [{ type: 'metricstest.probe.recorded', aggregateId: 'held', payload: {} }]),
    );
    const known = await scrapeUntil(t.http, (x) => depth(x) >= 1);
    expect(depth(known)).toBeGreaterThanOrEqual(1);
    let released = false;
    const hold = t.http.inject({ method: 'GET', url: '/test/hold' }).then((r) => {
      released = true;
      return r;
    });
    // The hold has the only connection once the pool reports it in use.
    await scrapeUntil(t.http, (x) => sampleValue(x, 'db_pool_connections', { state: 'in_use' }) === 1);
    // Scrapes go on answering: the readiness check and the backlog statement wait in the pool's queue, bounded.
    const held = (x: Samples) =>
      sampleValue(x, 'db_pool_waiting_clients') >= 1 &&
      sampleValue(x, 'readiness_check_up', { check: 'database', optional: 'false' }) === 0;
    const samples = await scrapeUntil(t.http, held, 12_000);
    // All of it while the connection is still held (15 s), with the last backlog values read.
    expect(released).toBe(false);
    expect(held(samples)).toBe(true);
    expect(depth(samples)).toBe(depth(known));
    expect(sampleValue(samples, 'db_pool_connections', { state: 'in_use' })).toBe(1);
    expect((await hold).statusCode).toBe(200);
  });
});
