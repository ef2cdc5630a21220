// Deliveries end to end over real HTTP: a catalog event triggered over the API reaches a real receiver that verifies
// every request with the standardwebhooks package; retries keep the webhook-id; rotation signs with both secrets;
// a receiver that never answers times out and is retried; replay by hand; a redelivered event sends nothing twice.
import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createProduct, deliveriesOf, type Harness, startHarness, subscribe } from './harness.ts';
import { type Receiver, startReceiver, until } from './receiver.ts';

describe('webhook deliveries', () => {
  let h: Harness;
  const receivers: Receiver[] = [];
  const receiver = async (...args: Parameters<typeof startReceiver>) => {
    const r = await startReceiver(...args);
    receivers.push(r);
    return r;
  };
  beforeAll(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    // Endpoints of earlier tests stop receiving, so each test sees only its own deliveries.
    await sql`update webhooks.endpoints set enabled = false`.execute(h.t.kernel.db.k);
  });
  afterAll(async () => {
    await h?.t.close();
    for (const r of receivers) await r.close();
  });

  it('[REQ-WHK-002] a subscribed event is delivered signed (verified by standardwebhooks); others are not sent', async () => {
    const rx = await receiver();
    const sub = await subscribe(h, rx.url, ['catalog.product.created']);
    rx.secrets = [sub.secret];
    expect(sub.secret).toMatch(/^whsec_[A-Za-z0-9+/=]+$/);
    const productId = await createProduct(h);
    await until('the product.created delivery', () => rx.received.length >= 1);
    const [got] = rx.received;
    expect(rx.unverified()).toEqual([]);
    expect(got?.headers['content-type']).toBe('application/json');
    expect(got?.webhookId).toMatch(/^msg_/);
    expect(got?.payload?.type).toBe('catalog.product.created');
    expect(got?.payload?.data).toMatchObject({ productId });
    expect(got?.payload?.eventId).toMatch(/^evt_/);
    // An update of the product is an event this endpoint did not subscribe to. A witness endpoint subscribed to it
    // shows when the fan-out has handled it (one statement inserts the deliveries of every matching endpoint).
    const witness = await receiver();
    const witnessSub = await subscribe(h, witness.url, ['catalog.product.updated']);
    witness.secrets = [witnessSub.secret];
    const patched = await h.t.http.inject({
      method: 'PATCH',
      url: `/v1/products/${productId}`,
      headers: h.admin.headers,
      payload: { name: 'Renamed' },
    });
    expect(patched.statusCode).toBe(200);
    await until('the witness got the update', () => witness.ofType('catalog.product.updated').length === 1);
    expect(witness.unverified()).toEqual([]);
    expect(rx.ofType('catalog.product.updated')).toEqual([]);
    const updates = await sql<{ n: number }>`select count(*)::int as n from webhooks.deliveries
      where endpoint_id = ${sub.id} and event_type = 'catalog.product.updated'`.execute(h.t.kernel.db.k);
    expect(updates.rows[0]?.n).toBe(0);
    expect(rx.received).toHaveLength(1);
    expect(await deliveriesOf(h, sub.id)).toBe(1);
  });

  it('[REQ-WHK-004] 500 twice then 200: delivered on the third attempt with the same webhook-id; the log shows 3 attempts', async () => {
    const rx = await receiver((_r, n) => (n <= 2 ? 500 : 200));
    const sub = await subscribe(h, rx.url, ['catalog.product.created']);
    rx.secrets = [sub.secret];
    await createProduct(h);
    await until('three attempts', () => rx.received.length >= 3);
    expect(rx.unverified()).toEqual([]);
    expect(new Set(rx.received.map((r) => r.webhookId)).size).toBe(1);
    const id = rx.received[0]?.webhookId;
    await until('the delivery is delivered', async () => {
      const d = await h.t.http.inject({ url: `/v1/admin/webhook-deliveries/${id}`, headers: h.admin.headers });
      return d.json().status === 'delivered';
    });
    const detail = (
      await h.t.http.inject({ url: `/v1/admin/webhook-deliveries/${id}`, headers: h.admin.headers })
    ).json();
    expect(detail).toMatchObject({ id, status: 'delivered', attempts: 3, lastStatusCode: 200, nextAttemptAt: null });
    expect(detail.attemptLog.map((a: { statusCode: number }) => a.statusCode)).toEqual([500, 500, 200]);
    expect(detail.attemptLog.map((a: { succeeded: boolean }) => a.succeeded)).toEqual([false, false, true]);
    for (const a of detail.attemptLog) expect(a.latencyMs).toBeGreaterThanOrEqual(0);
    const list = await h.t.http.inject({
      url: `/v1/admin/webhooks/${sub.id}/deliveries?status=delivered`,
      headers: h.admin.headers,
    });
    expect(list.statusCode).toBe(200);
    expect(list.json().items).toEqual([
      expect.objectContaining({ id, eventType: 'catalog.product.created', attempts: 3, lastStatusCode: 200 }),
    ]);
    // The success reset the endpoint's failure count.
    const endpoint = await h.t.http.inject({ url: `/v1/admin/webhooks/${sub.id}`, headers: h.admin.headers });
    expect(endpoint.json()).toMatchObject({ enabled: true, consecutiveFailures: 0 });
  });

  it('[REQ-WHK-005] after rotation the receiver verifies each delivery with the new secret AND with the old one', async () => {
    const rx = await receiver();
    const sub = await subscribe(h, rx.url, ['catalog.product.created']);
    const rotated = await h.t.http.inject({
      method: 'POST',
      url: `/v1/admin/webhooks/${sub.id}/rotate-secret`,
      headers: h.admin.headers,
    });
    expect(rotated.statusCode).toBe(200);
    const { secret, previousSecretExpiresAt } = rotated.json();
    expect(secret).not.toBe(sub.secret);
    expect(new Date(previousSecretExpiresAt).getTime()).toBeGreaterThan(Date.now() + 23 * 3600_000);
    rx.secrets = [secret, sub.secret];
    await createProduct(h);
    await until('a delivery', () => rx.received.length >= 1);
    expect(rx.received[0]?.verifiedWith).toEqual([secret, sub.secret]);
    expect(String(rx.received[0]?.headers['webhook-signature']).split(' ')).toHaveLength(2);
    // The secret is stored sealed, never in clear.
    const stored = await sql<{ s: string; p: string }>`select secret_sealed as s, previous_secret_sealed as p
      from webhooks.endpoints where id = ${sub.id}`.execute(h.t.kernel.db.k);
    expect(stored.rows[0]?.s).not.toContain(secret.slice(6));
    expect(stored.rows[0]?.p).not.toContain(sub.secret.slice(6));
    expect(stored.rows[0]?.s.startsWith('v1.')).toBe(true);
  });

  it('[REQ-WHK-004] a receiver that never answers: the attempt fails after the timeout and is retried', async () => {
    const rx = await receiver((_r, n) => (n === 1 ? 'hang' : 200));
    const sub = await subscribe(h, rx.url, ['catalog.product.created']);
    rx.secrets = [sub.secret];
    await createProduct(h);
    await until('the retry after the timeout', () => rx.received.length >= 2);
    const id = rx.received[0]?.webhookId;
    expect(rx.received[1]?.webhookId).toBe(id);
    await until('delivered', async () => {
      const d = await h.t.http.inject({ url: `/v1/admin/webhook-deliveries/${id}`, headers: h.admin.headers });
      return d.json().status === 'delivered';
    });
    const detail = (
      await h.t.http.inject({ url: `/v1/admin/webhook-deliveries/${id}`, headers: h.admin.headers })
    ).json();
    expect(detail.attemptLog[0]).toMatchObject({ statusCode: null, succeeded: false });
    expect(detail.attemptLog[0].error).toMatch(/timeout/);
    expect(detail.attemptLog[0].latencyMs).toBeGreaterThanOrEqual(400);
    expect(detail.attemptLog[1]).toMatchObject({ statusCode: 200, succeeded: true });
  });

  it('[REQ-WHK-006] replay by hand resends a delivered delivery now, with the same webhook-id', async () => {
    const rx = await receiver();
    const sub = await subscribe(h, rx.url, ['catalog.product.created']);
    rx.secrets = [sub.secret];
    await createProduct(h);
    await until('a delivery', () => rx.received.length >= 1);
    const id = rx.received[0]?.webhookId;
    await until('delivered', async () => {
      const d = await h.t.http.inject({ url: `/v1/admin/webhook-deliveries/${id}`, headers: h.admin.headers });
      return d.json().status === 'delivered';
    });
    const replay = await h.t.http.inject({
      method: 'POST',
      url: `/v1/admin/webhook-deliveries/${id}/replay`,
      headers: h.admin.headers,
    });
    expect(replay.statusCode).toBe(202);
    await until('the replayed request', () => rx.received.length >= 2);
    expect(rx.received[1]?.webhookId).toBe(id);
    expect(rx.received[1]?.body).toBe(rx.received[0]?.body);
    expect(rx.unverified()).toEqual([]);
    const missing = await h.t.http.inject({
      method: 'POST',
      url: `/v1/admin/webhook-deliveries/msg_${'0'.repeat(26)}/replay`,
      headers: h.admin.headers,
    });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().code).toBe('webhooks.delivery_not_found');
    const malformed = await h.t.http.inject({
      method: 'POST',
      url: '/v1/admin/webhook-deliveries/msg_nope/replay',
      headers: h.admin.headers,
    });
    expect(malformed.statusCode).toBe(400);
    expect(rx.received).toHaveLength(2);
  });

  it('[REQ-WHK-003] the same outbox event handled twice makes one delivery and one request', async () => {
    const rx = await receiver();
    const sub = await subscribe(h, rx.url, ['catalog.product.created']);
    rx.secrets = [sub.secret];
    const productId = await createProduct(h);
    await until('a delivery', () => rx.received.length >= 1);
    const fanOut = h.t.modules
      .find((m) => m.name === 'webhooks')
      ?.subscribers?.find((s) => s.name === 'webhooks.fan_out');
    const ev = await sql<{
      id: string;
      type: string;
      aggregate_id: string;
      occurred_at: Date;
      payload: Record<string, unknown>;
    }>`select id, type, aggregate_id, occurred_at, payload from platform.outbox
      where type = 'catalog.product.created' and aggregate_id = ${productId}`.execute(h.t.kernel.db.k);
    const row = ev.rows[0];
    if (!fanOut || !row) throw new Error('fan-out subscriber or event missing');
    const envelope = {
      id: row.id,
      type: row.type,
      version: 1,
      aggregateId: row.aggregate_id,
      occurredAt: row.occurred_at.toISOString(),
      correlationId: null,
      causationId: null,
      traceparent: null,
      payload: row.payload,
    };
    await Promise.all([fanOut.handle(envelope), fanOut.handle(envelope)]);
    expect(await deliveriesOf(h, sub.id)).toBe(1);
    // Given time to (wrongly) send again, the receiver still has one request.
    await h.t.http.inject({ url: '/v1/admin/webhooks/event-types', headers: h.admin.headers });
    await until('nothing due', async () => {
      const r = await sql<{ n: number }>`select count(*)::int as n from webhooks.deliveries
        where endpoint_id = ${sub.id} and status = 'pending'`.execute(h.t.kernel.db.k);
      return r.rows[0]?.n === 0;
    });
    expect(rx.received).toHaveLength(1);
  });
});
