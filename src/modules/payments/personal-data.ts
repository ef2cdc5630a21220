// Payments' part of a person's data export. Payments hold no personal data: no card data (tokens only, and the
// card-data guard refuses card numbers), no name, email or address (the provider gets the payment and order ids as
// metadata, nothing else). What concerns the person are the references of their orders' payments, exported here;
// refund reasons are staff's words about a refund, exported with it. The orders module finds the person's orders
// and registers this contributor (payments may not depend on orders: src/modules/module-graph.ts).
import { sql } from 'kysely';
import { type Static, Type } from 'typebox';
import type { Ctx } from '../../platform/context.ts';
import type { Executor, Row } from '../../platform/db/typed.ts';
import { CurrencyCode, DateTime, Id, Integer, List, Text } from '../../platform/http/schema-helpers.ts';
import type { DataSubject, PersonalDataContributor } from '../../platform/privacy/privacy.ts';
import type { PaymentReference, PaymentsApi } from './contract.ts';
import type { PaymentsPayments, PaymentsRefunds } from './db.generated.ts';

const Money = Type.Object({ amount: Integer({ description: 'minor units' }), currency: CurrencyCode() });

export const PaymentReferenceSchema = Type.Object({
  paymentId: Id(),
  orderId: Id(),
  provider: Text(40, { examples: ['sandbox', 'stripe'] }),
  providerReference: Type.Union([Text(), Type.Null()], { description: "The provider's payment id" }),
  amount: Money,
  captured: Money,
  refunded: Money,
  status: Text(40, { examples: ['captured'] }),
  createdAt: DateTime(),
  refunds: List(
    Type.Object({
      id: Id(),
      amount: Money,
      status: Text(40, { examples: ['succeeded'] }),
      reason: Text(),
      createdAt: DateTime(),
    }),
    100_000,
  ),
});
// The schema describes the contract's type exactly (checked here at compile time).
const _sameShape: Static<typeof PaymentReferenceSchema> extends PaymentReference ? true : never = true;

export const PaymentsExportSchema = Type.Object(
  { payments: List(PaymentReferenceSchema, 100_000) },
  { description: "The payments of the person's orders (references only: card data is never stored)" },
);

const iso = (d: Date | string) => new Date(d).toISOString();

/** The payments of these orders with their refunds, in two statements whatever their number. */
export async function paymentReferences(db: Executor, orderIds: readonly string[]): Promise<PaymentReference[]> {
  if (!orderIds.length) return [];
  const payments = await sql<
    Pick<
      Row<PaymentsPayments>,
      | 'id'
      | 'order_id'
      | 'provider'
      | 'provider_payment_id'
      | 'amount'
      | 'captured_amount'
      | 'refunded_amount'
      | 'currency'
      | 'status'
      | 'created_at'
    >
  >`select id, order_id, provider, provider_payment_id, amount, captured_amount, refunded_amount, currency, status,
      created_at from payments.payments where order_id = any(${[...orderIds]}::text[]) order by created_at, id`.execute(
    db,
  );
  const ids = payments.rows.map((p) => p.id);
  const refunds = ids.length
    ? await sql<Pick<Row<PaymentsRefunds>, 'id' | 'payment_id' | 'amount' | 'status' | 'reason' | 'created_at'>>`
        select id, payment_id, amount, status, reason, created_at from payments.refunds
        where payment_id = any(${ids}::text[]) order by created_at, id`.execute(db)
    : { rows: [] };
  return payments.rows.map((p) => {
    const m = (amount: string | number) => ({ amount: Number(amount), currency: p.currency.trim() });
    return {
      paymentId: p.id,
      orderId: p.order_id,
      provider: p.provider,
      providerReference: p.provider_payment_id,
      amount: m(p.amount),
      captured: m(p.captured_amount),
      refunded: m(p.refunded_amount),
      status: p.status,
      createdAt: iso(p.created_at),
      refunds: refunds.rows
        .filter((r) => r.payment_id === p.id)
        .map((r) => ({
          id: r.id,
          amount: m(r.amount),
          status: r.status,
          reason: r.reason,
          createdAt: iso(r.created_at),
        })),
    };
  });
}

/**
 * The `payments` section of the export: the payment references of the subject's orders (`orderIdsOf`, from the
 * orders module). Nothing to erase: payments hold no personal data, and the financial records stay.
 */
export function createPaymentsContributor(deps: {
  payments: Pick<PaymentsApi, 'paymentReferences'>;
  orderIdsOf: (ctx: Ctx, subject: DataSubject) => Promise<string[]>;
}): PersonalDataContributor {
  return {
    name: 'payments',
    exportSchema: PaymentsExportSchema,
    async exportFor(ctx, subject) {
      return { payments: await deps.payments.paymentReferences(ctx, await deps.orderIdsOf(ctx, subject)) };
    },
  };
}
