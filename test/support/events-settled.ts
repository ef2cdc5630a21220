// Whether every event recorded so far has been handled by every subscriber of its type. In-process, a delivery is a
// platform.event_deliveries row until its handler has run; through NATS there is no such row (each subscriber reads
// its own JetStream consumer), so handled deliveries are counted from the relay's own metrics instead: delivered or
// dead-lettered, against one expected delivery per (event, subscriber of its type).
import { sql } from 'kysely';
import type { TestApp } from './create-test-app.ts';

/** The sum of one of the relay's counters (`events_delivered_total`, …), for one subscriber or for all. */
export async function relayCount(t: TestApp, name: string, subscriber?: string): Promise<number> {
  const metric = t.kernel.metrics.registry.getSingleMetric(name);
  if (!metric) return 0;
  const values = (await metric.get()).values;
  return values
    .filter((v) => subscriber === undefined || v.labels.subscriber === subscriber)
    .reduce((n, v) => n + v.value, 0);
}

export async function eventsHandled(t: TestApp): Promise<boolean> {
  const r = await sql<{ type: string; n: number; waiting: boolean }>`
    select type, count(*)::int as n,
      bool_or(published_at is null) or exists (select 1 from platform.event_deliveries) as waiting
    from platform.outbox group by type`.execute(t.kernel.db.k);
  if (r.rows.some((row) => row.waiting)) return false;
  if (!t.kernel.nats) return true;
  const subscribers = t.modules.flatMap((m) => m.subscribers ?? []);
  const expected = r.rows.reduce(
    (sum, row) => sum + row.n * subscribers.filter((s) => s.eventTypes.includes(row.type)).length,
    0,
  );
  const handled = (await relayCount(t, 'events_delivered_total')) + (await relayCount(t, 'events_dead_lettered_total'));
  return handled >= expected;
}
