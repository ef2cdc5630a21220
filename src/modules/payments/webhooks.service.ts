// Provider webhooks: verify the signature on the raw body, skip an event id already processed, record at once an
// event our record already reflects, otherwise retrieve the payment's true status from the provider; record the event
// at once when our record shows that status by then, else apply the guarded transition in the transaction that
// records the event id (so a crash in between leaves the event to be redelivered).
import type { Ctx } from '../../platform/context.ts';
import { type Db, retryingStatement } from '../../platform/db/db.ts';
import { AppError, errors } from '../../platform/errors.ts';
import { PAYMENT_ERRORS, type PaymentStatus } from './contract.ts';
import * as repo from './payments.repo.ts';
import type { PaymentsService } from './payments.service.ts';
import { InvalidSignatureError, type PaymentProvider, type ProviderPayment } from './provider.ts';
import { unavailable } from './provider-errors.ts';
import { ALLOWED, planSync } from './state.ts';

const STATUSES = Object.keys(ALLOWED) as PaymentStatus[];

/** Our statuses the state machine finds in sync with a report of the provider's: nothing to apply. */
const inSyncWith = (report: ProviderPayment): PaymentStatus[] =>
  STATUSES.filter((s) => planSync(s, report).kind === 'in_sync');

export type WebhookOutcome = 'applied' | 'in_sync' | 'duplicate' | 'ignored' | 'unknown_payment';

export function createWebhookHandler(deps: { db: Db; provider: PaymentProvider; service: PaymentsService }) {
  const { db, provider, service } = deps;
  return async function handleWebhook(
    ctx: Ctx,
    providerName: string,
    rawBody: string,
    headers: Record<string, string | string[] | undefined>,
  ): Promise<{ outcome: WebhookOutcome; eventId: string }> {
    if (providerName !== provider.name) {
      throw errors.notFound(PAYMENT_ERRORS.unknownProvider, `Payments are not configured for ${providerName}.`);
    }
    let event: ReturnType<PaymentProvider['verifyAndParseWebhook']>;
    try {
      event = provider.verifyAndParseWebhook(rawBody, headers);
    } catch (e) {
      if (e instanceof InvalidSignatureError || (e as Error)?.name === 'StripeSignatureVerificationError') {
        throw new AppError(400, PAYMENT_ERRORS.invalidSignature, 'Invalid signature', { detail: (e as Error).message });
      }
      throw e;
    }
    const record = {
      provider: provider.name,
      eventId: event.id,
      type: event.type,
      providerPaymentId: event.providerPaymentId,
    };
    /**
     * One statement: the duplicate check, the payment, and the event id recorded when the payment carries the event's
     * provider payment id and is in one of `inSync`. `outcome` is set when nothing is left to do: already seen, or in
     * sync (the statement saw the payment when it decided: in sync and not recorded means another delivery did it).
     */
    const look = async (paymentId: string | null, inSync: PaymentStatus[]) => {
      const l = await retryingStatement(() => repo.webhookFirstLook(db.k, record, paymentId, inSync));
      const p = l.payment;
      const synced = p && event.providerPaymentId && p.providerPaymentId === event.providerPaymentId;
      const outcome: WebhookOutcome | undefined = l.seen
        ? 'duplicate'
        : synced && inSync.includes(p.status)
          ? l.recorded
            ? 'in_sync'
            : 'duplicate'
          : undefined;
      return { payment: p, outcome };
    };
    // The usual case: our record already shows what the event reports (we synced when we called the provider, or the
    // event is older than our state). Nothing to apply: the first look records the event id, without asking the
    // provider. Which of our statuses are in sync with the event's report is decided here, by the state machine.
    const report = event.payment?.id === event.providerPaymentId ? event.payment : undefined;
    const first = await look(event.paymentId ?? null, report ? inSyncWith(report) : []);
    if (first.outcome) return { outcome: first.outcome, eventId: event.id };
    const payment = first.payment;
    if (!payment || !event.providerPaymentId) {
      // Not ours (or not about a payment): remember it; reconciliation reports unknown payments.
      const fresh = await db.transaction((tx) => repo.recordWebhookEvent(tx, record));
      return { outcome: fresh ? (payment ? 'ignored' : 'unknown_payment') : 'duplicate', eventId: event.id };
    }
    // Otherwise the event body is only a hint: the provider's current state decides.
    let pp: ProviderPayment;
    try {
      pp = await provider.retrieve(event.providerPaymentId);
    } catch {
      throw unavailable();
    }
    // An authorization that came after we gave up on it (voided, or its void still owed) is voided at once; when that
    // fails the event is not recorded, so the provider delivers it again.
    pp = await service.releaseHold(payment, pp);
    // The usual case here: our own call synced while we asked the provider (its webhook raced our answer), so our
    // record shows the provider's current state. The same one statement as the first look records the event then.
    const second = await look(payment.id, inSyncWith(pp));
    if (second.outcome) return { outcome: second.outcome, eventId: event.id };
    const r = await service.sync(ctx, payment.id, pp, (tx) => repo.recordWebhookEvent(tx, record));
    return { outcome: r.vetoed ? 'duplicate' : r.applied ? 'applied' : 'in_sync', eventId: event.id };
  };
}
