// The orders' stores in a master key rotation (resumable batches): email indexes recomputed under the active key, and
// plaintext left by versions before sealing moved into the sealed columns (orders, checkout attempts, the free text of
// returns and of the log). Values sealed under data keys need nothing here: rotation re-wraps the data keys themselves.
import { type RawBuilder, sql } from 'kysely';
import type { Db } from '../../../platform/db/db.ts';
import type { Row } from '../../../platform/db/typed.ts';
import { isSealed } from '../../../platform/privacy/data-keys.ts';
import { personIndex } from '../../../platform/privacy/email.ts';
import type { KeyRotationPart } from '../../../platform/privacy/privacy.ts';
import type { CheckoutSnapshot } from '../contract.ts';
import type { OrdersCheckoutAttempts, OrdersReturns } from '../db.generated.ts';
import { type OrderRow, ordersRepo, ordersTables } from '../lifecycle/orders.repo.ts';
import { subjectOfRow } from '../lifecycle/orders.service.ts';
import { FIELDS, type OrdersPrivacy, openOrderPersonal, orderSubject, sealOrderFields } from '../personal.ts';
import { erasePersonalFields, WRITTEN_LOG_TYPES } from './privacy.repo.ts';

const count = async (db: Db, query: RawBuilder<{ n: number }>) => Number((await query.execute(db.k)).rows[0]?.n ?? 0);
const json = <T>(v: unknown): T | null => (v == null ? null : typeof v === 'string' ? (JSON.parse(v) as T) : (v as T));

export function ordersRotation(db: Db, privacy: OrdersPrivacy): KeyRotationPart[] {
  const active = () => `${privacy.pii.activeKeyId}.%`;
  const staleOrder = () => sql`((email_index is not null and email_index not like ${active()})
    or email is not null or shipping_address is not null or billing_address is not null)`;

  const orders: KeyRotationPart = {
    name: 'orders.orders',
    remaining: () => count(db, sql<{ n: number }>`select count(*)::int as n from orders.orders where ${staleOrder()}`),
    async batch(limit) {
      const rows = (
        await sql<OrderRow>`select * from orders.orders where ${staleOrder()} order by id limit ${limit}`.execute(db.k)
      ).rows;
      let changed = 0;
      for (const o of rows) {
        const personal = await openOrderPersonal(privacy, o);
        if (personal.erased) {
          // Sealed under a key that is gone: the subject was erased; finish what its erasure would have done.
          changed += await erasePersonalFields(db.k, [o.id]);
          continue;
        }
        const subject = o.data_subject ?? orderSubject(privacy, { userId: o.user_id, email: personal.email }, o.id);
        const sealed = o.email_sealed
          ? {
              email: o.email_sealed,
              shippingAddress: o.shipping_address_sealed ?? null,
              billingAddress: o.billing_address_sealed ?? null,
              emailIndex: personal.email ? personIndex(privacy.pii, personal.email) : null,
              subject,
            }
          : sealOrderFields(privacy, await privacy.dataKeys.forSubject(subject), personal);
        const r = await ordersTables(db.k)
          .updateTable('orders.orders')
          .set({
            email: null,
            shipping_address: null,
            billing_address: null,
            email_sealed: sealed.email,
            shipping_address_sealed: sealed.shippingAddress,
            billing_address_sealed: sealed.billingAddress,
            email_index: sealed.emailIndex,
            data_subject: sealed.subject,
          })
          .where('id', '=', o.id)
          .where('customer_erased_at', 'is', null)
          .executeTakeFirstOrThrow();
        changed += Number(r.numUpdatedRows);
      }
      return changed;
    },
  };

  const legacyAttempt = sql`(snapshot is not null or payment_token is not null)`;
  const attempts: KeyRotationPart = {
    name: 'orders.checkout_attempts',
    remaining: () =>
      count(db, sql<{ n: number }>`select count(*)::int as n from orders.checkout_attempts where ${legacyAttempt}`),
    async batch(limit) {
      const rows = (
        await sql<
          Pick<Row<OrdersCheckoutAttempts>, 'id' | 'snapshot' | 'payment_token' | 'answer_status' | 'answer'>
        >`select id, snapshot, payment_token, answer_status, answer from orders.checkout_attempts
          where ${legacyAttempt} order by id limit ${limit}`.execute(db.k)
      ).rows;
      let changed = 0;
      for (const a of rows) {
        const snapshot = json<CheckoutSnapshot>(a.snapshot);
        const subject = orderSubject(
          privacy,
          { userId: snapshot?.userId ?? null, email: snapshot?.email ?? null },
          a.id,
        );
        const key = await privacy.dataKeys.forSubject(subject);
        const k = privacy.dataKeys;
        // A placed answer is the order with its token: sealed, its number kept beside it.
        const answer = json<Record<string, unknown>>(a.answer);
        const placed = a.answer_status === 201 && answer;
        const { number, ...body } = placed ? answer : { number: undefined };
        const r = await sql`update orders.checkout_attempts set snapshot = null, payment_token = null,
            snapshot_sealed = ${snapshot ? k.sealJson(key, FIELDS.snapshot, snapshot) : null},
            payment_token_sealed = ${a.payment_token ? k.seal(key, FIELDS.paymentToken, a.payment_token) : null},
            answer_sealed = ${placed ? k.sealJson(key, FIELDS.answer, body) : null},
            answer = ${placed ? JSON.stringify({ number }) : a.answer === null ? null : JSON.stringify(answer)}::jsonb,
            data_subject = ${subject}
          where id = ${a.id} and ${legacyAttempt}`.execute(db.k);
        changed += Number(r.numAffectedRows ?? 0);
      }
      return changed;
    },
  };

  const plainReturn = sql`((reason is not null and reason not like 's1.%') or (note is not null and note not like 's1.%'))`;
  const plainLog = sql`(reason is not null and reason not like 's1.%' and type = any(${WRITTEN_LOG_TYPES}::text[]))`;
  const texts: KeyRotationPart = {
    name: 'orders.returns and orders.order_events (free text)',
    remaining: async () =>
      (await count(db, sql<{ n: number }>`select count(*)::int as n from orders.returns where ${plainReturn}`)) +
      (await count(db, sql<{ n: number }>`select count(*)::int as n from orders.order_events where ${plainLog}`)),
    async batch(limit) {
      const rows = (
        await sql<{ kind: 'return' | 'log' } & Pick<Row<OrdersReturns>, 'id' | 'order_id' | 'reason' | 'note'>>`
          (select 'return' as kind, id, order_id, reason, note from orders.returns where ${plainReturn} limit ${limit})
          union all
          (select 'log' as kind, seq::text as id, order_id, reason, null as note from orders.order_events
            where ${plainLog} limit ${limit})`.execute(db.k)
      ).rows.slice(0, limit);
      let changed = 0;
      for (const t of rows) {
        const order = await ordersRepo.get(db.k, t.order_id);
        if (!order) continue;
        const key = await privacy.dataKeys.forSubject(subjectOfRow(privacy, order));
        const seal = (field: string, v: string | null) =>
          v === null || isSealed(v) ? v : privacy.dataKeys.seal(key, field, v);
        const r =
          t.kind === 'return'
            ? await ordersTables(db.k)
                .updateTable('orders.returns')
                .set({ reason: seal(FIELDS.returnReason, t.reason), note: seal(FIELDS.returnNote, t.note) })
                .where('id', '=', t.id)
                .executeTakeFirstOrThrow()
            : await ordersTables(db.k)
                .updateTable('orders.order_events')
                .set({ reason: seal(FIELDS.logReason, t.reason) })
                .where('seq', '=', sql<number>`${t.id}::bigint`)
                .executeTakeFirstOrThrow();
        changed += Number(r.numUpdatedRows);
      }
      return changed;
    },
  };

  return [orders, attempts, texts];
}
