// Many events at once across two endpoints: each (event, endpoint) pair is delivered exactly once — one delivery,
// one webhook-id, counted by the receivers — although fan-out and dispatch run concurrently (relay, job ticks, local
// wakes). A webhook-id arrives more than once only when an earlier attempt of it failed (at-least-once: a slow
// answer counted as a timeout is retried), and the delivery log then shows exactly those failed attempts.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProduct, deliveriesOf, type Harness, startHarness, subscribe } from './harness.ts';
import { type Receiver, startReceiver, until } from './receiver.ts';

const EVENTS = 30;

describe('webhook fan-out and dispatch under concurrency', () => {
  let h: Harness;
  let rxA: Receiver;
  let rxB: Receiver;
  beforeAll(async () => {
    // A generous timeout: on a busy machine a 2xx can arrive late, which would (rightly) count as a failed attempt.
    h = await startHarness({ WEBHOOKS_TIMEOUT_MS: '5000' });
    rxA = await startReceiver();
    rxB = await startReceiver();
  });
  afterAll(async () => {
    await h?.t.close();
    await rxA?.close();
    await rxB?.close();
  });

  it(`[REQ-WHK-003] ${EVENTS} events at once, 2 endpoints: each pair delivered exactly once`, async () => {
    const a = await subscribe(h, rxA.url, ['catalog.product.created']);
    const b = await subscribe(h, rxB.url, ['*']);
    rxA.secrets = [a.secret];
    rxB.secrets = [b.secret];
    const products = await Promise.all(Array.from({ length: EVENTS }, () => createProduct(h)));
    await until('every delivery of A', () => rxA.received.length >= EVENTS, 30_000);
    await until(
      'every product.created delivery of B',
      () => rxB.ofType('catalog.product.created').length >= EVENTS,
      30_000,
    );
    await until('no delivery pending', async () => {
      const r = await sql<{ n: number }>`select count(*)::int as n from webhooks.deliveries
        where status = 'pending'`.execute(h.t.kernel.db.k);
      return r.rows[0]?.n === 0;
    });
    for (const [rx, sub] of [
      [rxA, a],
      [rxB, b],
    ] as const) {
      const created = rx.ofType('catalog.product.created');
      expect(rx.unverified()).toEqual([]);
      // One webhook-id per event, one event per webhook-id.
      const idOfEvent = new Map<string, Set<string>>();
      for (const r of created) {
        const ids = idOfEvent.get(String(r.payload?.eventId)) ?? new Set<string>();
        ids.add(r.webhookId);
        idOfEvent.set(String(r.payload?.eventId), ids);
      }
      expect(idOfEvent.size).toBe(EVENTS);
      for (const ids of idOfEvent.values()) expect(ids.size).toBe(1);
      expect(new Set(created.map((r) => r.webhookId)).size).toBe(EVENTS);
      expect(new Set(created.map((r) => r.payload?.data.productId))).toEqual(new Set(products));
      const distinct = new Set(rx.received.map((r) => r.webhookId));
      expect(await deliveriesOf(h, sub.id)).toBe(distinct.size);
      // A webhook-id sent n times has n attempts in its log, all but the last failed, the last delivered.
      const attempts = await sql<{ id: string; n: number; failed: number; status: string }>`
        select d.id, count(*)::int as n, (count(*) filter (where not a.succeeded))::int as failed, d.status
        from webhooks.deliveries d join webhooks.delivery_attempts a on a.delivery_id = d.id
        where d.endpoint_id = ${sub.id} group by d.id, d.status`.execute(h.t.kernel.db.k);
      for (const row of attempts.rows) {
        const sent = rx.received.filter((r) => r.webhookId === row.id).length;
        expect({ id: row.id, sent, status: row.status }).toEqual({ id: row.id, sent: row.n, status: 'delivered' });
        expect(row.failed).toBe(row.n - 1);
      }
    }
  });
});
