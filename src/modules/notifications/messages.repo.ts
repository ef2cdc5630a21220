// SQL for the notifications schema. Every function takes db.k or a transaction; statements are single and short.
import { sql } from 'kysely';
import { type Executor, type Row, typed } from '../../platform/db/typed.ts';
import type { NotificationsDb, NotificationsMessages } from './db.generated.ts';
import type { MessageKind, MessageStatus } from './kinds.ts';

const tables = (q: Executor) => typed<NotificationsDb>(q);

export type MessageRow = Row<NotificationsMessages, { kind: MessageKind; status: MessageStatus; locale: 'en' | 'de' }>;

export interface NewMessage {
  id: string;
  dedupeKey: string;
  eventId: string;
  kind: MessageKind;
  locale: 'en' | 'de';
  dataSubject: string;
  personUserId: string | null;
  personIndex: string | null;
  recipientSealed: string;
  paramsSealed: string;
  /** The traceparent of the event handling that queued it: the send continues that trace (docs/tracing.md). */
  traceparent: string | null;
}

/**
 * Inserts the message unless one with its key exists; returns whether this call inserted it. `formerKeys` are the
 * same key under the ring's older master keys (the recipient's blind index changes with the active key): an event
 * delivered again after a key rotation still finds the message it made before.
 */
export async function insertMessage(q: Executor, m: NewMessage, formerKeys: readonly string[] = []): Promise<boolean> {
  if (formerKeys.length) {
    const seen = await tables(q)
      .selectFrom('notifications.messages')
      .select('id')
      .where('dedupe_key', 'in', [...formerKeys])
      .executeTakeFirst();
    if (seen) return false;
  }
  const r = await tables(q)
    .insertInto('notifications.messages')
    .values({
      id: m.id,
      dedupe_key: m.dedupeKey,
      event_id: m.eventId,
      kind: m.kind,
      locale: m.locale,
      data_subject: m.dataSubject,
      person_user_id: m.personUserId,
      person_index: m.personIndex,
      recipient_sealed: m.recipientSealed,
      params_sealed: m.paramsSealed,
      traceparent: m.traceparent,
    })
    .onConflict((oc) => oc.column('dedupe_key').doNothing())
    .returning('id')
    .executeTakeFirst();
  return r !== undefined;
}

/**
 * Claims up to `limit` due messages for this lease: pending or failed ones whose time has come, and sending ones
 * whose lease ran out (their process died mid-send). Each claim counts as an attempt.
 */
export async function claimDue(q: Executor, limit: number, leaseToken: string, leaseMs: number): Promise<MessageRow[]> {
  const r = await sql<MessageRow>`
    update notifications.messages m
      set status = 'sending', lease_token = ${leaseToken},
        lease_until = now() + make_interval(secs => ${leaseMs / 1000}), attempts = m.attempts + 1
    from (
      select id from notifications.messages
      where (status in ('pending', 'failed') and next_attempt_at <= now())
        or (status = 'sending' and lease_until < now())
      order by next_attempt_at, id
      limit ${limit}
      for update skip locked
    ) due
    where m.id = due.id
    returning m.*`.execute(q);
  return r.rows;
}

/** Marks a claimed message sent, if this lease still holds it. */
export async function markSent(q: Executor, id: string, leaseToken: string, subjectSealed: string): Promise<boolean> {
  const r = await tables(q)
    .updateTable('notifications.messages')
    .set({
      status: 'sent',
      sent_at: sql<Date>`now()`,
      lease_token: null,
      lease_until: null,
      last_error: null,
      subject_sealed: subjectSealed,
    })
    .where('id', '=', id)
    .where('status', '=', 'sending')
    .where('lease_token', '=', leaseToken)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** A failed attempt: `dead` when `dead`, else `failed` until `delayMs` from now. Only while this lease holds it. */
export async function markFailed(
  q: Executor,
  id: string,
  leaseToken: string,
  error: string,
  outcome: { dead: boolean; delayMs: number },
): Promise<boolean> {
  const r = await tables(q)
    .updateTable('notifications.messages')
    .set({
      status: outcome.dead ? 'dead' : 'failed',
      lease_token: null,
      lease_until: null,
      last_error: error.slice(0, 2000),
      next_attempt_at: sql<Date>`now() + make_interval(secs => ${outcome.delayMs / 1000})`,
    })
    .where('id', '=', id)
    .where('status', '=', 'sending')
    .where('lease_token', '=', leaseToken)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/**
 * Without SMTP: stores the rendered message (sealed) in the local mail outbox and marks it sent, in one statement,
 * if this lease still holds it. False, with nothing written, when the lease was lost.
 */
export async function storeInOutbox(
  q: Executor,
  row: { id: string; messageId: string; kind: MessageKind; contentSealed: string },
  leaseToken: string,
  subjectSealed: string,
): Promise<boolean> {
  const r = await sql<{ sent: boolean }>`
    with sent as (
      update notifications.messages set status = 'sent', sent_at = now(), lease_token = null, lease_until = null,
        last_error = null, subject_sealed = ${subjectSealed}
      where id = ${row.messageId} and status = 'sending' and lease_token = ${leaseToken}
      returning id),
    stored as (
      insert into notifications.mail_outbox (id, message_id, kind, content_sealed)
      select ${row.id}, sent.id, ${row.kind}, ${row.contentSealed} from sent
      on conflict (message_id) do nothing)
    select exists (select 1 from sent) as sent`.execute(q);
  return r.rows[0]?.sent === true;
}

/** When the next message falls due (for the in-process wake-up), or undefined when none waits. */
export async function nextDueInMs(q: Executor): Promise<number | undefined> {
  const r = await sql<{ ms: number | null }>`
    select extract(epoch from (min(next_attempt_at) - now())) * 1000 as ms
    from notifications.messages where status in ('pending', 'failed')`.execute(q);
  const ms = r.rows[0]?.ms;
  return ms === null || ms === undefined ? undefined : Math.max(0, Number(ms));
}

export async function listMessages(
  q: Executor,
  opts: { status?: MessageStatus | undefined; cursor?: string | undefined; limit: number },
): Promise<MessageRow[]> {
  let query = tables(q).selectFrom('notifications.messages').selectAll().orderBy('id', 'desc').limit(opts.limit);
  if (opts.status) query = query.where('status', '=', opts.status);
  if (opts.cursor) query = query.where('id', '<', opts.cursor);
  return (await query.execute()) as MessageRow[];
}

export async function messageById(q: Executor, id: string): Promise<MessageRow | undefined> {
  return (await tables(q).selectFrom('notifications.messages').selectAll().where('id', '=', id).executeTakeFirst()) as
    | MessageRow
    | undefined;
}

/** Puts a failed or dead (or still pending) message back in line now; undefined when there is no such message. */
export async function requeue(q: Executor, id: string): Promise<{ requeued: boolean; status?: MessageStatus }> {
  const r = await tables(q)
    .updateTable('notifications.messages')
    .set({ status: 'pending', next_attempt_at: sql<Date>`now()`, attempts: 0 })
    .where('id', '=', id)
    .where('status', 'in', ['pending', 'failed', 'dead'])
    .returning('id')
    .executeTakeFirst();
  if (r) return { requeued: true };
  const row = await messageById(q, id);
  return row ? { requeued: false, status: row.status } : { requeued: false };
}

export async function listOutbox(q: Executor, opts: { cursor?: string | undefined; limit: number }) {
  let query = tables(q).selectFrom('notifications.mail_outbox').selectAll().orderBy('id', 'desc').limit(opts.limit);
  if (opts.cursor) query = query.where('id', '<', opts.cursor);
  return query.execute();
}

export async function outboxById(q: Executor, id: string) {
  return tables(q).selectFrom('notifications.mail_outbox').selectAll().where('id', '=', id).executeTakeFirst();
}

/** A person's messages: their account's, and those sent to their email (its person index under any key). */
export async function messagesOfPerson(q: Executor, userId: string | null, emailIndexes: string[]) {
  if (!userId && !emailIndexes.length) return [];
  return (await tables(q)
    .selectFrom('notifications.messages')
    .selectAll()
    .where((eb) =>
      eb.or([
        ...(userId ? [eb('person_user_id', '=', userId)] : []),
        ...(emailIndexes.length ? [eb('person_index', 'in', emailIndexes)] : []),
      ]),
    )
    .orderBy('id')
    .execute()) as MessageRow[];
}

/** Deletes a person's messages (their outbox copies go with them: on delete cascade). */
export async function deleteMessagesOfPerson(q: Executor, userId: string | null, emailIndexes: string[]) {
  if (!userId && !emailIndexes.length) return 0;
  const r = await tables(q)
    .deleteFrom('notifications.messages')
    .where((eb) =>
      eb.or([
        ...(userId ? [eb('person_user_id', '=', userId)] : []),
        ...(emailIndexes.length ? [eb('person_index', 'in', emailIndexes)] : []),
      ]),
    )
    .executeTakeFirst();
  return Number(r.numDeletedRows);
}

/** Messages whose person index is not under the active master key (`<keyId>.<hmac>`): key rotation's work. */
export async function staleIndexCount(q: Executor, activeKeyId: string): Promise<number> {
  const r = await sql<{ n: number }>`select count(*)::int as n from notifications.messages
    where person_index is not null and person_index not like ${`${activeKeyId}.%`}`.execute(q);
  return Number(r.rows[0]?.n ?? 0);
}

export async function staleIndexRows(q: Executor, activeKeyId: string, limit: number) {
  return tables(q)
    .selectFrom('notifications.messages')
    .select(['id', 'person_index', 'recipient_sealed'])
    .where('person_index', 'is not', null)
    .where('person_index', 'not like', `${activeKeyId}.%`)
    .orderBy('id')
    .limit(limit)
    .execute();
}

/** Sets a message's person index (null: its recipient was erased), if it is still `from`. */
export async function setPersonIndex(q: Executor, id: string, from: string, to: string | null): Promise<number> {
  const r = await tables(q)
    .updateTable('notifications.messages')
    .set({ person_index: to })
    .where('id', '=', id)
    .where('person_index', '=', from)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}
