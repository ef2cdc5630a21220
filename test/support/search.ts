// Search has one feed: catalog's outbox events, delivered by the relay. A test that changed the catalog waits until the
// search subscriber has handled every such event recorded so far (the relay's delivered counter against the outbox),
// then reads the index. Works with both transports (in-process and NATS).
import { sql } from 'kysely';
import type { Subscriber } from '../../src/platform/events/subscriber.ts';
import type { TestApp } from './create-test-app.ts';
import { waitFor } from './events-harness.ts';
import { relayCount } from './events-settled.ts';

const FEED = 'search.index_catalog_changes';

function feed(t: TestApp): Subscriber {
  const s = t.modules.find((m) => m.name === 'search')?.subscribers?.find((x) => x.name === FEED);
  if (!s) throw new Error(`the app has no ${FEED} subscriber`);
  return s;
}

async function recorded(t: TestApp, types: string[]): Promise<number> {
  const r = await sql<{ n: number }>`select count(*)::int as n from platform.outbox
    where type = any(${types}::text[])`.execute(t.kernel.db.k);
  return r.rows[0]?.n ?? 0;
}

/** Resolves once the search index reflects every catalog change committed before the call. */
export async function searchCaughtUp(t: TestApp, timeoutMs = 15_000): Promise<void> {
  const types = feed(t).eventTypes;
  const target = await recorded(t, types);
  await waitFor(async () => (await relayCount(t, 'events_delivered_total', FEED)) >= target, timeoutMs);
}
