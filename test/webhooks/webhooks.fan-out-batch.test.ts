// The fan-out's batch path (`handleMany`): one endpoint lookup for several events makes exactly the deliveries that
// handling them one by one would, and handling them again (as a batch or singly) adds none.
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventEnvelope } from '../../src/platform/events/envelope.ts';
import { type Harness, startHarness, subscribe } from './harness.ts';
import { type Receiver, startReceiver } from './receiver.ts';

describe('webhook fan-out in batches', () => {
  let h: Harness;
  let rx: Receiver;
  beforeAll(async () => {
    h = await startHarness();
    rx = await startReceiver();
  });
  afterAll(async () => {
    await h?.t.close();
    await rx?.close();
  });

  const envelope = (type: string): EventEnvelope => ({
    id: `evt_${randomUUID().replaceAll('-', '')}`,
    type,
    version: 1,
    aggregateId: `agg_${randomUUID().slice(0, 8)}`,
    occurredAt: new Date().toISOString(),
    correlationId: null,
    causationId: null,
    traceparent: null,
    payload: { n: 1 },
  });

  it('[REQ-WHK-003] a batch of events of three types makes one delivery per matching (endpoint, event), once', async () => {
    const created = await subscribe(h, rx.url, ['catalog.product.created']);
    const everything = await subscribe(h, rx.url, ['*']);
    const both = await subscribe(h, rx.url, ['catalog.product.created', 'orders.order.placed']);
    const off = await subscribe(h, rx.url, ['catalog.product.created']);
    const disabled = await h.t.http.inject({
      method: 'PATCH',
      url: `/v1/admin/webhooks/${off.id}`,
      headers: h.admin.headers,
      payload: { enabled: false },
    });
    expect(disabled.statusCode).toBe(200);
    const fanOut = h.t.modules
      .find((m) => m.name === 'webhooks')
      ?.subscribers?.find((s) => s.name === 'webhooks.fan_out');
    if (!fanOut?.handleMany) throw new Error('the fan-out takes no batches');
    const events = [
      envelope('catalog.product.created'),
      envelope('orders.order.placed'),
      envelope('catalog.product.updated'),
      envelope('catalog.product.created'),
    ];
    await fanOut.handleMany(events);
    const pairs = async () =>
      (
        await sql<{ endpoint_id: string; event_id: string }>`select endpoint_id, event_id from webhooks.deliveries
          where event_id = any(${events.map((e) => e.id)}::text[]) order by endpoint_id, event_id`.execute(
          h.t.kernel.db.k,
        )
      ).rows.map((r) => `${r.endpoint_id} ${r.event_id}`);
    const [c1, placed, updated, c2] = events.map((e) => e.id);
    const expected = [
      `${created.id} ${c1}`,
      `${created.id} ${c2}`,
      `${everything.id} ${c1}`,
      `${everything.id} ${placed}`,
      `${everything.id} ${updated}`,
      `${everything.id} ${c2}`,
      `${both.id} ${c1}`,
      `${both.id} ${placed}`,
      `${both.id} ${c2}`,
    ].sort();
    expect((await pairs()).sort()).toEqual(expected);
    // Delivered again, as a batch, concurrently with one by one: nothing new.
    await Promise.all([fanOut.handleMany(events), ...events.map((e) => fanOut.handle(e))]);
    expect((await pairs()).sort()).toEqual(expected);
    const bodies = await sql<{ body: string; event_type: string }>`select body, event_type from webhooks.deliveries
      where event_id = ${placed}`.execute(h.t.kernel.db.k);
    for (const b of bodies.rows) {
      expect(JSON.parse(b.body)).toMatchObject({ type: 'orders.order.placed', eventId: placed, data: { n: 1 } });
      expect(b.event_type).toBe('orders.order.placed');
    }
  });
});
