// Shared helpers of the notifications tests: the app's view of messages and a wait until the relay has delivered
// every event and the dispatcher has nothing left to send.
import { sql } from 'kysely';
import type { TestApp } from '../support/create-test-app.ts';
import { eventsHandled } from '../support/events-settled.ts';
import { waitFor } from './smtp.ts';

export const MAIL_ENV = { MAIL_RETRY_BASE_MS: '50', MAIL_RETRY_MAX_DELAY_MS: '200', SHOP_URL: 'https://shop.example' };

export interface MessageRowView {
  id: string;
  event_id: string;
  kind: string;
  status: string;
  attempts: number;
  locale: string;
  last_error: string | null;
}

export async function messagesOfEvent(t: TestApp, eventId: string): Promise<MessageRowView[]> {
  const r = await sql<MessageRowView>`select id, event_id, kind, status, attempts, locale, last_error
    from notifications.messages where event_id = ${eventId} order by id`.execute(t.kernel.db.k);
  return r.rows;
}

/** The messages queued for an address (found by its blind index in the exactly-once key, never by the address). */
export async function messagesTo(t: TestApp, email: string): Promise<MessageRowView[]> {
  const index = t.kernel.privacy.pii.blindIndex(email.trim().toLowerCase());
  const r = await sql<MessageRowView>`select id, event_id, kind, status, attempts, locale, last_error
    from notifications.messages where dedupe_key like ${`%:${index}`} order by id`.execute(t.kernel.db.k);
  return r.rows;
}

export async function latestEvent(t: TestApp, type: string, aggregateId: string) {
  const r = await sql<{ id: string }>`select id from platform.outbox where type = ${type}
    and aggregate_id = ${aggregateId} order by seq desc limit 1`.execute(t.kernel.db.k);
  return r.rows[0]?.id;
}

/** Every event handled by every subscriber of its type (either transport), and no message waiting to be sent. */
export async function settled(t: TestApp, ms = 20_000): Promise<void> {
  await waitFor(async () => {
    if (!(await eventsHandled(t))) return false;
    const r = await sql<{ busy: boolean }>`select
      exists (select 1 from notifications.messages where status in ('pending', 'sending')) as busy`.execute(
      t.kernel.db.k,
    );
    return r.rows[0]?.busy === false;
  }, ms);
}

/** The notifications module's subscriber by name (to deliver an event by hand). */
export function subscriber(t: TestApp, name: string) {
  const s = t.modules.find((m) => m.name === 'notifications')?.subscribers?.find((x) => x.name === name);
  if (!s) throw new Error(`no subscriber ${name}`);
  return s;
}
