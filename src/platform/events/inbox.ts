// The inbox: `once` records (handler, event id) in the handler's own transaction. It answers true
// the first time, false afterwards; concurrent callers wait on the first one's row lock, so the
// effect guarded by it happens exactly once even when one event is delivered several times at once.
import { sql } from 'kysely';
import type { Tx } from '../db/db.ts';

export async function once(tx: Tx, handlerName: string, eventId: string): Promise<boolean> {
  const r = await sql<{ event_id: string }>`
    insert into platform.inbox (handler, event_id) values (${handlerName}, ${eventId})
    on conflict do nothing returning event_id`.execute(tx);
  return r.rows.length === 1;
}
