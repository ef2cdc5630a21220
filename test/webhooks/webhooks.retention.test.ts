// The delivery log is kept RETENTION_WEBHOOK_DELIVERY_DAYS: finished deliveries and their attempts older than that are
// deleted by the retention job; recent ones and pending ones stay.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteExpiredDeliveries } from '../../src/modules/webhooks/webhooks.retention.ts';
import { countRows, createProduct, type Harness, startHarness, subscribe } from './harness.ts';
import { type Receiver, startReceiver, until } from './receiver.ts';

describe('delivery log retention', () => {
  let h: Harness;
  let rx: Receiver;
  beforeAll(async () => {
    h = await startHarness();
    rx = await startReceiver(() => 200);
  });
  afterAll(async () => {
    await h?.t.close();
    await rx?.close();
  });

  it('[REQ-WHK-010] finished deliveries older than the retention are deleted with their attempts; others stay', async () => {
    const sub = await subscribe(h, rx.url, ['catalog.product.created']);
    rx.secrets = [sub.secret];
    await Promise.all([createProduct(h), createProduct(h), createProduct(h)]);
    const db = h.t.kernel.db.k;
    const delivered = () =>
      countRows(
        h,
        sql<{ n: number }>`select count(*)::int as n from webhooks.deliveries
          where endpoint_id = ${sub.id} and status = 'delivered'`,
      );
    await until('three deliveries are delivered', async () => (await delivered()) === 3);
    const ids = (
      await sql<{ id: string }>`select id from webhooks.deliveries where endpoint_id = ${sub.id} order by id`.execute(
        db,
      )
    ).rows.map((r) => r.id);
    const [old, pendingOld, recent] = ids as [string, string, string];
    await sql`update webhooks.deliveries set created_at = now() - interval '31 days'
      where id in (${old}, ${pendingOld})`.execute(db);
    await sql`update webhooks.deliveries set status = 'pending', next_attempt_at = now() + interval '1 day'
      where id = ${pendingOld}`.execute(db);

    expect(await deleteExpiredDeliveries(h.t.kernel.db, 30)).toBe(1);
    const left = (
      await sql<{ id: string }>`select id from webhooks.deliveries where endpoint_id = ${sub.id} order by id`.execute(
        db,
      )
    ).rows.map((r) => r.id);
    expect(left).toEqual([pendingOld, recent].sort());
    const attemptsOfOld = await countRows(
      h,
      sql<{ n: number }>`select count(*)::int as n from webhooks.delivery_attempts where delivery_id = ${old}`,
    );
    expect(attemptsOfOld).toBe(0);
    expect(await deleteExpiredDeliveries(h.t.kernel.db, 30)).toBe(0);
  });
});
