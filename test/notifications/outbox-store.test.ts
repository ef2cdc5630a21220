// Without SMTP, one statement stores a message in the local mail outbox and marks it sent, only under the lease that
// claimed it: a lost lease writes nothing, and a second store of the same message adds no row.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessageKind } from '../../src/modules/notifications/kinds.ts';
import { storeInOutbox } from '../../src/modules/notifications/messages.repo.ts';
import { registerCustomer } from '../support/auth.ts';
import { createTestApp, type TestApp } from '../support/create-test-app.ts';
import { MAIL_ENV, messagesTo, settled } from './helpers.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ env: MAIL_ENV });
});
afterAll(async () => t?.close());

describe('the local mail outbox', () => {
  it('[REQ-NTF-009] stored and marked sent in one statement, only while the lease holds; never twice', async () => {
    const a = await registerCustomer(t);
    await settled(t);
    const db = t.kernel.db.k;
    const [m] = await messagesTo(t, a.email);
    if (!m) throw new Error('no message');
    // Put the message back under a lease, as the dispatcher's claim leaves it, with its outbox copy removed.
    await sql`delete from notifications.mail_outbox where message_id = ${m.id}`.execute(db);
    await sql`update notifications.messages set status = 'sending', lease_token = 'lease-1',
      lease_until = now() + interval '1 minute', sent_at = null where id = ${m.id}`.execute(db);
    const row = { id: 'mbx_test_1', messageId: m.id, kind: m.kind as MessageKind, contentSealed: 'sealed' };
    const state = async () =>
      (
        await sql<{ status: string; copies: number }>`select m.status,
          (select count(*)::int from notifications.mail_outbox o where o.message_id = m.id) as copies
          from notifications.messages m where m.id = ${m.id}`.execute(db)
      ).rows[0];

    expect(await storeInOutbox(db, row, 'lease-other', 'subject')).toBe(false);
    expect(await state()).toEqual({ status: 'sending', copies: 0 });

    const both = await Promise.all([
      storeInOutbox(db, row, 'lease-1', 'subject'),
      storeInOutbox(db, { ...row, id: 'mbx_test_2' }, 'lease-1', 'subject'),
    ]);
    expect(both.filter(Boolean)).toHaveLength(1);
    expect(await state()).toEqual({ status: 'sent', copies: 1 });
    expect(await storeInOutbox(db, row, 'lease-1', 'subject')).toBe(false);
    expect(await state()).toEqual({ status: 'sent', copies: 1 });
  });
});
