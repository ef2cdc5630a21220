// Email records are kept RETENTION_NOTIFICATION_DAYS: sent and dead ones older than that are deleted with their local
// outbox copies; pending ones (still to be sent) and recent ones stay.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteExpiredMessages } from '../../src/modules/notifications/notifications.retention.ts';
import { registerCustomer } from '../support/auth.ts';
import { createTestApp, type TestApp } from '../support/create-test-app.ts';
import { MAIL_ENV, messagesTo, settled } from './helpers.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ env: MAIL_ENV });
});
afterAll(async () => t?.close());

describe('notification retention', () => {
  it('[REQ-NTF-013] sent messages past the retention go with their outbox copies; pending and recent ones stay', async () => {
    const a = await registerCustomer(t);
    const b = await registerCustomer(t);
    await settled(t);
    const db = t.kernel.db.k;
    const idsOf = async (email: string) => (await messagesTo(t, email)).map((m) => m.id);
    const [aIds, bIds] = [await idsOf(a.email), await idsOf(b.email)];
    expect(aIds).toHaveLength(2); // welcome and verification, sent into the local outbox
    await sql`update notifications.messages set created_at = now() - interval '181 days'
      where id = any(${[...aIds, ...bIds.slice(0, 1)]}::text[])`.execute(db);
    // One old message still waits to be sent: it is kept.
    await sql`update notifications.messages set status = 'pending', next_attempt_at = now() + interval '1 day'
      where id = ${bIds[0] ?? ''}`.execute(db);

    expect(await deleteExpiredMessages(t.kernel.db, 180)).toBe(2);
    expect(await idsOf(a.email)).toEqual([]);
    expect((await idsOf(b.email)).sort()).toEqual([...bIds].sort());
    const copies = await sql<{ n: number }>`select count(*)::int as n from notifications.mail_outbox
      where message_id = any(${aIds}::text[])`.execute(db);
    expect(copies.rows[0]?.n).toBe(0);
  });
});
