// A failing endpoint: with WEBHOOKS_DISABLE_AFTER_FAILURES=3 and a receiver that always answers 500, the endpoint is
// disabled exactly once, its pending deliveries stop, and webhooks.endpoint.disabled is in the outbox exactly once.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProduct, type Harness, startHarness, subscribe } from './harness.ts';
import { type Receiver, startReceiver, until } from './receiver.ts';

describe('failing endpoints', () => {
  let h: Harness;
  let rx: Receiver;
  beforeAll(async () => {
    // A longer schedule than the threshold, so the endpoint is disabled before the deliveries run out of retries.
    h = await startHarness({
      WEBHOOKS_DISABLE_AFTER_FAILURES: '3',
      WEBHOOKS_RETRY_SCHEDULE: '50ms,50ms,50ms,50ms,50ms',
    });
    rx = await startReceiver(() => 500);
  });
  afterAll(async () => {
    await h?.t.close();
    await rx?.close();
  });

  it('[REQ-WHK-008] consecutive failures disable the endpoint once, stop its deliveries and append one event', async () => {
    const sub = await subscribe(h, rx.url, ['catalog.product.created']);
    rx.secrets = [sub.secret];
    // Two events fail in parallel: their attempts race for the threshold; the endpoint is disabled once.
    await Promise.all([createProduct(h), createProduct(h)]);
    await until('the endpoint is disabled', async () => {
      const r = await h.t.http.inject({ url: `/v1/admin/webhooks/${sub.id}`, headers: h.admin.headers });
      return r.json().enabled === false;
    });
    const endpoint = (await h.t.http.inject({ url: `/v1/admin/webhooks/${sub.id}`, headers: h.admin.headers })).json();
    expect(endpoint).toMatchObject({ enabled: false, disabledReason: 'failures' });
    expect(endpoint.consecutiveFailures).toBeGreaterThanOrEqual(3);
    const events = await sql<{ payload: { endpointId: string; url: string; failures: number } }>`
      select payload from platform.outbox where type = 'webhooks.endpoint.disabled'`.execute(h.t.kernel.db.k);
    expect(events.rows).toHaveLength(1);
    expect(events.rows[0]?.payload).toEqual({ endpointId: sub.id, url: rx.url, failures: 3 });
    // Nothing is pending any more and no request follows: the deliveries were cancelled.
    const pending = await sql<{ n: number }>`select count(*)::int as n from webhooks.deliveries
      where endpoint_id = ${sub.id} and status = 'pending'`.execute(h.t.kernel.db.k);
    expect(pending.rows[0]?.n).toBe(0);
    const statuses = await sql<{ status: string }>`select status from webhooks.deliveries
      where endpoint_id = ${sub.id}`.execute(h.t.kernel.db.k);
    expect(statuses.rows.map((r) => r.status).sort()).toEqual(['cancelled', 'cancelled']);
    expect(rx.unverified()).toEqual([]);

    // A replay while disabled is refused; re-enabled, the count starts afresh and a replay is sent again.
    const id = rx.received[0]?.webhookId;
    const refused = await h.t.http.inject({
      method: 'POST',
      url: `/v1/admin/webhook-deliveries/${id}/replay`,
      headers: h.admin.headers,
    });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().code).toBe('webhooks.endpoint_disabled');
    const enabled = await h.t.http.inject({
      method: 'PATCH',
      url: `/v1/admin/webhooks/${sub.id}`,
      headers: h.admin.headers,
      payload: { enabled: true },
    });
    expect(enabled.json()).toMatchObject({ enabled: true, consecutiveFailures: 0, disabledReason: null });
    rx.behaviour = () => 200;
    const before = rx.received.length;
    const replay = await h.t.http.inject({
      method: 'POST',
      url: `/v1/admin/webhook-deliveries/${id}/replay`,
      headers: h.admin.headers,
    });
    expect(replay.statusCode).toBe(202);
    await until('the replay arrives', () => rx.received.length > before);
    expect(rx.received[rx.received.length - 1]?.webhookId).toBe(id);
    const again = await sql<{ n: number }>`select count(*)::int as n from platform.outbox
      where type = 'webhooks.endpoint.disabled'`.execute(h.t.kernel.db.k);
    expect(again.rows[0]?.n).toBe(1);
  });
});
