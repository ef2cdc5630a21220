// The payments service: authorize, capture, void, refund and the guarded sync with the provider's view.
// Provider calls happen with no transaction open; each transition is one conditional UPDATE that
// commits together with its `payments.payment.*` events.
import type { Ctx } from '../../platform/context.ts';
import { type Db, retryingStatement, type Tx } from '../../platform/db/db.ts';
import { errors, isAppError } from '../../platform/errors.ts';
import { appendEvents, eventsInStatement } from '../../platform/events/outbox.ts';
import { notifyOutboxAppended } from '../../platform/events/wake.ts';
import { newId } from '../../platform/ids.ts';
import { type AuthorizeInput, PAYMENT_ERRORS, type Payment, type PaymentsApi, type Refund } from './contract.ts';
import type { PaymentEventPayload, PaymentEventType } from './events.ts';
import * as repo from './payments.repo.ts';
import { paymentReferences } from './personal-data.ts';
import {
  type PaymentProvider,
  type ProviderPayment,
  ProviderRejectedError,
  ProviderUnavailableError,
} from './provider.ts';
import { providerError, unavailable } from './provider-errors.ts';
import { planSync, type SyncDecision, type SyncPlan } from './state.ts';

export interface PaymentsService extends PaymentsApi {
  /** Brings our record in line with the provider's view; `inTx` runs first in the same transaction
   * and may veto (return false: e.g. a webhook event already processed). */
  sync(ctx: Ctx, paymentId: string, pp: ProviderPayment, inTx?: (tx: Tx) => Promise<boolean>): Promise<SyncResult>;
  /**
   * The provider holds an authorization for a payment we voided or were asked to void (its authorize answer came
   * after we gave up on it): voids it there and answers the provider's new view; otherwise answers `pp` unchanged.
   */
  releaseHold(p: Payment, pp: ProviderPayment): Promise<ProviderPayment>;
  /** One pass of `payments.retry_voids`: the requested voids, oldest first; stops when the provider is unreachable. */
  retryVoids(ctx: Ctx, limit?: number): Promise<{ voided: number; pending: number }>;
}

export interface SyncResult {
  payment: Payment;
  applied: boolean;
  vetoed: boolean;
  conflict?: string;
}

class Lost extends Error {}

/** What providers answer for a payment id they do not know: the sandbox's `not_found`, Stripe's `resource_missing`. */
const UNKNOWN_PAYMENT = new Set(['not_found', 'resource_missing']);

export function eventPayload(p: Payment, extra: Partial<PaymentEventPayload> = {}): PaymentEventPayload {
  return {
    paymentId: p.id,
    orderId: p.orderId,
    status: p.status,
    amount: p.amount,
    currency: p.currency,
    capturedAmount: p.capturedAmount,
    refundedAmount: p.refundedAmount,
    ...extra,
  };
}

function eventsOf(p: Payment, types: PaymentEventType[], extra: Partial<PaymentEventPayload> = {}) {
  return types.map((type) => ({
    type,
    aggregateId: p.id,
    payload: eventPayload(p, {
      ...extra,
      ...(p.status === 'failed' ? { failureCode: p.failureCode } : {}),
      ...(p.status === 'requires_action' ? { nextActionUrl: p.nextActionUrl } : {}),
    }) as unknown as Record<string, unknown>,
  }));
}

async function emit(tx: Tx, ctx: Ctx, p: Payment, types: PaymentEventType[], extra: Partial<PaymentEventPayload> = {}) {
  await appendEvents(tx, ctx, eventsOf(p, types, extra));
}

/** A sync with nothing to apply: only learn the provider's payment id if we did not know it. */
async function nothingToApply(
  q: repo.Q,
  cur: Payment,
  pp: ProviderPayment,
  plan: Exclude<SyncDecision, SyncPlan>,
): Promise<SyncResult> {
  let fresh = cur;
  if (!cur.providerPaymentId) {
    await repo.setProviderId(q, cur.id, pp.id);
    fresh = (await repo.findPayment(q, cur.id)) as Payment;
  }
  return {
    payment: fresh,
    applied: false,
    vetoed: false,
    ...(plan.kind === 'conflict' ? { conflict: plan.detail } : {}),
  };
}

/** What a planned transition writes besides the status, from the provider's view. */
function transitionSet(plan: SyncPlan, pp: ProviderPayment): repo.TransitionSet {
  return {
    ...(plan.capturedAmount !== undefined ? { capturedAmount: plan.capturedAmount } : {}),
    providerPaymentId: pp.id,
    nextActionUrl: plan.to === 'requires_action' ? pp.nextActionUrl : null,
    ...(plan.to === 'failed' ? { failureCode: pp.failureCode ?? 'failed' } : {}),
  };
}

/** What the provider may still hold money for (an authorization not yet final). */
const PROVIDER_HOLDS: readonly ProviderPayment['status'][] = ['processing', 'requires_action', 'authorized'];

export function createPaymentsService(deps: { db: Db; provider: PaymentProvider }): PaymentsService {
  const { db, provider } = deps;

  const mustGet = async (paymentId: string) => {
    const p = await repo.findPayment(db.k, paymentId);
    if (!p) throw errors.notFound(PAYMENT_ERRORS.notFound, `No payment ${paymentId}.`);
    return p;
  };

  /** Sync without a veto: a read and one guarded statement that writes the transition with its events. */
  const syncInStatement = async (
    ctx: Ctx,
    paymentId: string,
    pp: ProviderPayment,
    /** Our record as the caller last read it: used for the first try instead of reading it again. */
    known?: Payment,
  ): Promise<SyncResult> => {
    for (let attempt = 0; ; attempt++) {
      const cur = attempt === 0 && known?.id === paymentId ? known : await repo.findPayment(db.k, paymentId);
      if (!cur) throw errors.notFound(PAYMENT_ERRORS.notFound, `No payment ${paymentId}.`);
      const plan = planSync(cur.status, pp);
      if (plan.kind !== 'transition') return nothingToApply(db.k, cur, pp, plan);
      const set = transitionSet(plan, pp);
      const events = eventsInStatement(ctx, eventsOf(repo.transitioned(cur, plan.to, set), plan.events));
      const updated = await retryingStatement(() => repo.transitionWithEvents(db.k, cur, plan.to, set, events));
      if (updated) {
        notifyOutboxAppended();
        return { payment: updated, applied: true, vetoed: false };
      }
      // Someone else moved it between our read and our update: read again and re-plan.
      if (attempt >= 5) throw new Lost(`payment ${paymentId} kept changing during sync`);
    }
  };

  const sync: PaymentsService['sync'] = async (ctx, paymentId, pp, inTx) => {
    if (!inTx) return syncInStatement(ctx, paymentId, pp);
    for (let attempt = 0; ; attempt++) {
      try {
        return await db.transaction(async (tx) => {
          if (inTx && !(await inTx(tx))) {
            const cur = await repo.findPayment(tx, paymentId);
            return { payment: cur as Payment, applied: false, vetoed: true };
          }
          const cur = await repo.findPayment(tx, paymentId);
          if (!cur) throw errors.notFound(PAYMENT_ERRORS.notFound, `No payment ${paymentId}.`);
          const plan = planSync(cur.status, pp);
          if (plan.kind !== 'transition') return nothingToApply(tx, cur, pp, plan);
          const updated = await repo.transition(tx, cur.id, [plan.from], plan.to, transitionSet(plan, pp));
          // Someone else moved it between our read and our update: roll back (also inTx) and re-plan.
          if (!updated) throw new Lost();
          await emit(tx, ctx, updated, plan.events);
          return { payment: updated, applied: true, vetoed: false };
        });
      } catch (e) {
        if (!(e instanceof Lost) || attempt >= 5) throw e;
      }
    }
  };

  /** The provider's payment; undefined when it never saw it, or no longer knows it (a restarted sandbox forgets). */
  const findAtProvider = async (p: Payment): Promise<ProviderPayment | undefined> => {
    if (!p.providerPaymentId) {
      return provider.findByIdempotencyKey(p.idempotencyKey, new Date(Date.parse(p.createdAt) - 60_000));
    }
    return provider.retrieve(p.providerPaymentId).catch((e: unknown) => {
      if (e instanceof ProviderRejectedError && UNKNOWN_PAYMENT.has(e.code)) return undefined;
      throw e;
    });
  };

  const authorize = async (ctx: Ctx, input: AuthorizeInput): Promise<Payment> => {
    if (!Number.isSafeInteger(input.amount) || input.amount <= 0) {
      throw errors.unprocessable(PAYMENT_ERRORS.invalidAmount, 'amount must be a positive integer in minor units.');
    }
    if (!/^[A-Z]{3}$/.test(input.currency))
      throw errors.unprocessable(PAYMENT_ERRORS.invalidCurrency, 'ISO 4217 code.');
    if (!input.orderId || !input.token) throw errors.unprocessable(PAYMENT_ERRORS.invalidInput, 'orderId and token.');
    const p = await retryingStatement(() =>
      repo.insertOrFindPayment(db.k, {
        id: newId('pay'),
        orderId: input.orderId,
        amount: input.amount,
        currency: input.currency,
        provider: provider.name,
        idempotencyKey: `authorize:${input.orderId}`,
      }),
    );
    if (p.amount !== input.amount || p.currency !== input.currency) {
      throw errors.conflict(
        PAYMENT_ERRORS.amountMismatch,
        `Order ${input.orderId} already has a payment of another amount.`,
      );
    }
    if (p.status !== 'pending') return p;
    let pp: ProviderPayment | undefined;
    try {
      pp = p.providerPaymentId
        ? await provider.retrieve(p.providerPaymentId)
        : await provider.authorize({
            paymentId: p.id,
            orderId: p.orderId,
            amount: p.amount,
            currency: p.currency,
            token: input.token,
            idempotencyKey: p.idempotencyKey,
            ...(input.returnUrl ? { returnUrl: input.returnUrl } : {}),
          });
    } catch (e) {
      if (!(e instanceof ProviderUnavailableError)) throw providerError(e);
      // The outcome is unknown: ask the provider what it did with our idempotency key.
      pp = await findAtProvider(p).catch(() => undefined);
      if (!pp) throw unavailable();
    }
    return (await syncInStatement(ctx, p.id, pp, p)).payment;
  };

  const capture = async (ctx: Ctx, paymentId: string, amount?: number, known?: Payment): Promise<Payment> => {
    const p = known?.id === paymentId ? known : await mustGet(paymentId);
    if (['captured', 'partially_refunded', 'refunded'].includes(p.status)) return p;
    if (p.status !== 'authorized' || !p.providerPaymentId) {
      throw errors.conflict(
        PAYMENT_ERRORS.invalidState,
        `Payment ${p.id} is ${p.status}; only authorized ones capture.`,
      );
    }
    const amt = amount ?? p.amount;
    if (!Number.isSafeInteger(amt) || amt <= 0 || amt > p.amount) {
      throw errors.unprocessable(PAYMENT_ERRORS.invalidAmount, `Capture between 1 and ${p.amount}.`);
    }
    let pp: ProviderPayment;
    try {
      pp = await provider.capture(p.providerPaymentId, amt, `${p.idempotencyKey}:capture`);
    } catch (e) {
      throw providerError(e);
    }
    return (await syncInStatement(ctx, p.id, pp, p)).payment;
  };

  const voidPayment = async (ctx: Ctx, paymentId: string): Promise<Payment> => {
    const p = await mustGet(paymentId);
    if (p.status === 'voided' || p.status === 'failed') return p;
    if (!repo.HOLDING.includes(p.status)) {
      throw errors.conflict(PAYMENT_ERRORS.invalidState, `Payment ${p.id} is ${p.status} and cannot be voided.`);
    }
    let found: ProviderPayment | undefined;
    try {
      found = await findAtProvider(p);
    } catch (e) {
      throw providerError(e);
    }
    if (!found) {
      // The provider never saw the authorization, or no longer knows it: it holds nothing; void our record only.
      const voided = await db.transaction(async (tx) => {
        const u = await repo.transition(tx, p.id, p.providerPaymentId ? repo.HOLDING : ['pending'], 'voided', {});
        if (u) await emit(tx, ctx, u, ['payments.payment.voided']);
        return u;
      });
      return voided ?? mustGet(paymentId);
    }
    let pp = found;
    if (['authorized', 'requires_action', 'processing'].includes(found.status)) {
      try {
        pp = await provider.void(found.id, `${p.idempotencyKey}:void`);
      } catch (e) {
        if (!(e instanceof ProviderRejectedError)) throw providerError(e);
        pp = await provider.retrieve(found.id).catch((err: unknown) => {
          throw providerError(err);
        });
      }
    }
    return (await sync(ctx, p.id, pp)).payment;
  };

  const requestVoid = async (ctx: Ctx, paymentId: string): Promise<{ payment: Payment; scheduled: boolean }> => {
    try {
      return { payment: await voidPayment(ctx, paymentId), scheduled: false };
    } catch (e) {
      if (!isAppError(e) || e.code !== PAYMENT_ERRORS.unavailable) throw e;
      // The provider cannot be reached: the void is owed, durably; payments.retry_voids completes it.
      const payment = await retryingStatement(() => repo.requestVoid(db.k, paymentId));
      if (!payment) throw errors.notFound(PAYMENT_ERRORS.notFound, `No payment ${paymentId}.`);
      return { payment, scheduled: repo.HOLDING.includes(payment.status) };
    }
  };

  const releaseHold = async (p: Payment, pp: ProviderPayment): Promise<ProviderPayment> => {
    if (!PROVIDER_HOLDS.includes(pp.status)) return pp;
    const owed = p.status === 'voided' || (repo.HOLDING.includes(p.status) && (await repo.isVoidRequested(db.k, p.id)));
    if (!owed) return pp;
    try {
      return await provider.void(pp.id, `${p.idempotencyKey}:void`);
    } catch (e) {
      throw providerError(e);
    }
  };

  const retryVoids = async (ctx: Ctx, limit = 50): Promise<{ voided: number; pending: number }> => {
    let voided = 0;
    for (const id of await repo.dueVoids(db.k, limit)) {
      try {
        const p = await voidPayment(ctx, id);
        if (!repo.HOLDING.includes(p.status)) voided++;
      } catch (e) {
        // Still unreachable: the rest waits for the next pass. Anything else is this payment's problem only.
        if (isAppError(e) && e.code === PAYMENT_ERRORS.unavailable) break;
      }
    }
    return { voided, pending: await repo.countDueVoids(db.k) };
  };

  const refund = async (
    ctx: Ctx,
    paymentId: string,
    amount: number,
    key: string,
    reason = 'requested',
  ): Promise<Refund> => {
    const p = await mustGet(paymentId);
    let row = await repo.findRefundByKey(db.k, p.id, key);
    if (!row) {
      if (!Number.isSafeInteger(amount) || amount <= 0) {
        throw errors.unprocessable(PAYMENT_ERRORS.invalidAmount, 'amount must be a positive integer in minor units.');
      }
      if (!['captured', 'partially_refunded', 'refunded'].includes(p.status) || !p.providerPaymentId) {
        throw errors.conflict(
          PAYMENT_ERRORS.invalidState,
          `Payment ${p.id} is ${p.status}; only captured ones refund.`,
        );
      }
      row = await db.transaction(async (tx) => {
        const inserted = await repo.insertRefund(tx, { id: newId('ref'), paymentId: p.id, key, amount, reason });
        if (!inserted) return repo.existingRefund(tx, p.id, key);
        const reserved = await repo.reserveRefund(tx, p.id, amount);
        if (!reserved) {
          throw errors.conflict(
            PAYMENT_ERRORS.refundExceedsCaptured,
            `Refunding ${amount} would exceed the captured amount not yet refunded.`,
          );
        }
        return inserted;
      });
    }
    if (row.status !== 'pending') return repo.toRefund(row, p);
    let providerRefund: { id: string };
    try {
      providerRefund = await provider.refund(
        p.providerPaymentId as string,
        Number(row.amount),
        `${p.idempotencyKey}:refund:${key}`,
      );
    } catch (e) {
      if (e instanceof ProviderRejectedError) {
        await db.transaction(async (tx) => {
          if (await repo.settleRefund(tx, row.id, 'failed', null))
            await repo.releaseRefund(tx, p.id, Number(row.amount));
        });
      }
      throw providerError(e);
    }
    const settled = await db.transaction(async (tx) => {
      const s = await repo.settleRefund(tx, row.id, 'succeeded', providerRefund.id);
      if (!s) return repo.existingRefund(tx, p.id, key);
      const updated = await repo.markRefunded(tx, p.id);
      if (updated)
        await emit(tx, ctx, updated, ['payments.payment.refunded'], { refundAmount: Number(s.amount), refundId: s.id });
      return s;
    });
    return repo.toRefund(settled, p);
  };

  return {
    provider: provider.name,
    authorize,
    capture,
    void: voidPayment,
    requestVoid,
    async voidIfOpen(ctx: Ctx, orderId: string) {
      const p = await repo.findByOrderId(db.k, orderId);
      if (!p || !repo.HOLDING.includes(p.status)) return p;
      return (await requestVoid(ctx, p.id)).payment;
    },
    releaseHold,
    retryVoids,
    refund,
    get: async (_ctx, paymentId) => repo.findPayment(db.k, paymentId),
    getByOrderId: async (_ctx, orderId) => repo.findByOrderId(db.k, orderId),
    paymentReferences: (_ctx, orderIds) => paymentReferences(db.k, orderIds),
    sync,
  };
}
