// The checkout saga: attempt record → reserve stock → reserve redemptions → authorize → place (pivot).
// No transaction is open while another module or the provider is called; each step is recorded on the
// attempt with a conditional update guarded by the lease (the authorization by the placing statement itself, as
// payments answers a repeated authorize from its record). The client's POST, the payment webhook and the
// sweeper all go through `run`/`compensate`, so whichever comes first moves the attempt; the others find it done.
// The holder renews its lease while it works (checkout.lease.ts): a lease outlives a dead holder by `leaseMs` at most.
import type { Ctx } from '../../../platform/context.ts';
import type { Db } from '../../../platform/db/db.ts';
import { dbFaultKind } from '../../../platform/db/faults.ts';
import { AppError, errors, isAppError } from '../../../platform/errors.ts';
import { idempotencyErrors } from '../../../platform/http/idempotency-errors.ts';
import { newId } from '../../../platform/ids.ts';
import type { InventoryApi } from '../../inventory/index.ts';
import { PAYMENT_ERRORS, type Payment, type PaymentsApi } from '../../payments/index.ts';
import { type CartApi, ORDER_ERRORS, type PricingApi } from '../contract.ts';
import { reservationKey } from '../lifecycle/order-keys.ts';
import { ordersRepo, toView } from '../lifecycle/orders.repo.ts';
import { FIELDS, type OrdersPrivacy, openOrderPersonal, orderSubject } from '../personal.ts';
import {
  customerErased,
  fromAnswer,
  inProgress,
  interrupted,
  missingParts,
  paymentDeclined,
  problemAnswer,
  providerNotConfigured,
  waitingAnswer,
} from './checkout.answers.ts';
import { pastDeadlineRefusal } from './checkout.late.ts';
import { attemptLease } from './checkout.lease.ts';
import { type CheckoutResult, placedFrom, placeOrder } from './checkout.place.ts';
import { type Attempt, createAttemptsRepo, type Step } from './checkout.repo.ts';
import { requestHashes, sameRequest } from './checkout.request.ts';
import type { DoneInline } from './done-inline.ts';

/** How long a checkout's reservation outlives the attempt's deadline, as a backstop (see `run`). */
export const RESERVATION_BACKSTOP_MS = 24 * 3_600_000;

export interface CheckoutSettings {
  /**
   * How long an attempt's lease outlives its holder's last renewal (the holder renews it every `leaseMs / 5` while
   * it works): after a crash, a retry takes the attempt over (or the sweeper compensates it) this long after.
   */
  leaseMs: number;
  /** How long an attempt may wait for customer action before it is compensated. */
  deadlineMs: number;
}

export interface CheckoutDeps {
  db: Db;
  /** Seals the snapshot, the payment token, the order's personal fields and the stored answer (personal.ts). */
  privacy: OrdersPrivacy;
  cart: CartApi;
  pricing: PricingApi;
  inventory: InventoryApi;
  payments: PaymentsApi;
  settings: CheckoutSettings;
  /** Tests: called after each recorded step; throwing simulates the process dying there. */
  afterStep?: (step: Step, attemptId: string) => void;
  /**
   * PAYMENT_CAPTURE=immediate: captures a just-placed order (true when it is now paid). A failure leaves the order
   * pending for the `orders.capture_payment` subscriber, which retries until done.
   */
  captureNow?: (ctx: Ctx, orderId: string, paymentId: string, authorized?: Payment) => Promise<boolean>;
  /** Where the inline completion and capture are noted for their subscribers (done-inline.ts). */
  doneInline?: DoneInline;
}

export interface CheckoutInput {
  cartId: string;
  cartToken: string | undefined;
  payment: { provider: string; token: string; returnUrl?: string | undefined };
}

export type { CheckoutResult } from './checkout.place.ts';

export function createCheckoutService(deps: CheckoutDeps) {
  const { db, settings, privacy } = deps;
  const A = createAttemptsRepo(privacy.dataKeys);
  const lease = settings.leaseMs;
  const { holding, retryAfterFor } = attemptLease(db, lease);
  const sys: Ctx = { requestId: 'orders.checkout', actor: { kind: 'system', name: 'orders.checkout' } };

  /**
   * What a request that finds this attempt gets. Undefined: the attempt failed retryably (start a new one).
   * A replay of a placed checkout answers the order as it is now (paid, shipped…), not as it was when placed: the
   * stored answer only adds what the order does not show again (the guest's order token).
   */
  async function answerFor(a: Attempt): Promise<CheckoutResult | undefined> {
    if (a.status === 'placed' && a.answer) {
      const found = await ordersRepo.withLines(db.k, a.id);
      const stored = a.answer.body;
      if (!found) return placedFrom(stored, a.subject ?? undefined);
      const now = toView(found.order, found.lines, await openOrderPersonal(privacy, found.order));
      const token = typeof stored.orderToken === 'string' ? { orderToken: stored.orderToken } : {};
      return { kind: 'placed', order: { ...now, ...token }, subject: a.subject ?? undefined };
    }
    if (a.status === 'waiting') return waitingAnswer(a);
    if (a.status === 'failed' && a.answer) {
      if (a.answer.status >= 500) return undefined;
      throw fromAnswer(a.answer);
    }
    throw inProgress(retryAfterFor(a));
  }

  async function compensate(a: Attempt, owner: string, cause: AppError): Promise<never> {
    if (!(await A.compensating(db.k, a.id, owner, lease))) throw inProgress();
    // Editable again before the attempt stops being live (a new checkout never finds it held by this one).
    await deps.cart.releaseCheckout(sys, a.cartId, a.id).catch(() => undefined);
    // Never waits for an unreachable provider: the void is then owed by payments (its payments.retry_voids job),
    // and no order can be placed from a compensating attempt, so the stock and redemptions go back now.
    await deps.payments.voidIfOpen(sys, a.id);
    // An erased customer's snapshot no longer opens: release whatever may have been reserved (idempotent).
    if (!a.snapshot || a.snapshot.promotions.length) await deps.pricing.releaseRedemptions(sys, reservationKey(a.id));
    await deps.inventory.release(sys, reservationKey(a.id)).catch((e: unknown) => {
      if (!isAppError(e) || e.status !== 404) throw e;
    });
    await A.fail(db.k, a.id, owner, problemAnswer(cause));
    throw cause;
  }

  /** Moves a claimed attempt forward from its recorded steps. */
  async function run(ctx: Ctx, a: Attempt, owner: string): Promise<CheckoutResult> {
    const s = a.snapshot;
    if (!s || !a.paymentToken) return compensate(a, owner, customerErased());
    const key = reservationKey(a.id);
    const record = async (step: Step) => {
      if (!(await A.step(db.k, a.id, owner, step, lease))) throw inProgress();
      deps.afterStep?.(step, a.id);
    };
    if (!a.steps.includes('reserved')) {
      try {
        await deps.inventory.reserve(ctx, {
          key,
          lines: s.lines.map((l) => ({ variantId: l.variantId, quantity: l.quantity })),
          // Outlives the attempt by a day: orders releases a failed attempt's reservation itself (compensation, the
          // sweeper), so expiry is only a backstop; a placed order's reservation is committed by an event, which an
          // outage of the broker may hold back for long, and must not expire (and its stock sell again) meanwhile.
          expiresAt: new Date(a.expiresAt.getTime() + settings.deadlineMs + RESERVATION_BACKSTOP_MS),
        });
      } catch (e) {
        if (isAppError(e) && e.status < 500) return compensate(a, owner, e);
        throw e;
      }
      await record('reserved');
    }
    if (s.promotions.length && !a.steps.includes('redeemed')) {
      try {
        await deps.pricing.reserveRedemptions(ctx, {
          key,
          promotionIds: s.promotions.map((p) => p.promotionId),
          customerId: s.userId,
          email: s.email,
        });
      } catch (e) {
        if (isAppError(e) && e.status < 500) return compensate(a, owner, e);
        throw e;
      }
      await record('redeemed');
    }
    let paymentId = a.paymentId;
    // The payment as this run authorized it (the inline capture need not read it again).
    let authorized: Payment | undefined;
    if (!a.steps.includes('authorized')) {
      let p: Awaited<ReturnType<PaymentsApi['authorize']>>;
      try {
        p = await deps.payments.authorize(ctx, {
          orderId: a.id,
          amount: s.totals.total.amount,
          currency: s.currency,
          token: a.paymentToken,
        });
      } catch (e) {
        if (isAppError(e)) return compensate(a, owner, e);
        throw e;
      }
      paymentId = p.id;
      authorized = p;
      if (p.status === 'failed') {
        return compensate(a, owner, paymentDeclined(p.failureCode ?? 'declined'));
      }
      if (p.status === 'requires_action' || p.status === 'pending') {
        if (!(await A.wait(db.k, a.id, owner, p.id, p.nextActionUrl))) throw inProgress();
        // A webhook that settled the payment before the attempt was marked waiting found nothing to resume:
        // look once more, so the order is not left waiting for a webhook that already came.
        const settled = await deps.payments.getByOrderId(sys, a.id);
        if (settled?.status === 'authorized') {
          const again = await A.claim(db.k, a.id, owner, ['waiting'], 'running', lease);
          if (again) return run(ctx, again, owner);
        }
        return waitingAnswer({ ...a, nextActionUrl: p.nextActionUrl });
      }
      if (p.status !== 'authorized') {
        return compensate(a, owner, errors.unavailable(PAYMENT_ERRORS.unavailable, `Payment is ${p.status}.`, 1));
      }
      // Not recorded on its own (one statement less per order): the placing statement records it with the payment.
      // A run that takes this attempt over before that authorizes again, which payments answers from its record (one
      // payment per order id, the provider's idempotency key), and the placing statement is guarded by the lease.
      // This attempt never waits for the authorization: orders.payment_settled has nothing to resume (done-inline.ts).
      deps.doneInline?.mark('authorized', a.id);
      deps.afterStep?.('authorized', a.id);
    }
    // Before the deadline the reservation and the cart's mark are certainly this attempt's (only its owner releases
    // them). Past it (a payment that waited long), both are looked at again before the pivot (checkout.late.ts).
    if (Date.now() >= a.expiresAt.getTime()) {
      const refused = await pastDeadlineRefusal(deps, ctx, a, s, settings.deadlineMs + lease);
      if (refused) return compensate(a, owner, refused);
    }
    let placed: CheckoutResult;
    try {
      placed = await placeOrder({ db, privacy }, ctx, {
        attempt: a,
        snapshot: s,
        owner,
        paymentId: paymentId as string,
      });
    } catch (e) {
      if (isAppError(e) && e.code === ORDER_ERRORS.checkoutInProgress) throw e;
      // The placing statement failed (atomic): nothing was placed, so void and release (a retry is safe). Had it
      // committed before its connection dropped, the attempt is no longer running and `compensate` refuses (409).
      const detail = 'The order could not be placed; nothing was charged. Retry with the same Idempotency-Key.';
      return compensate(
        a,
        owner,
        dbFaultKind(e)
          ? errors.unavailable('service.unavailable', detail, 1)
          : new AppError(500, ORDER_ERRORS.placeFailed, 'Internal Server Error', { detail }),
      );
    }
    deps.afterStep?.('placed', a.id);
    // The cart is completed now, so a new cart asked for right after the answer is a fresh one; should this fail,
    // the orders.complete_cart subscriber of orders.order.placed completes it (idempotently; once this has succeeded,
    // the subscriber in this process skips it: done-inline.ts).
    await deps.cart.markCompleted(sys, a.cartId, a.id).then(
      () => deps.doneInline?.mark('cart_completed', a.id),
      () => undefined,
    );
    return captureNow(placed, paymentId as string, authorized);
  }

  /** Immediate capture: the answer shows the order paid. The stored answer (what a replay gets) stays as placed. */
  async function captureNow(placed: CheckoutResult, paymentId: string, authorized?: Payment): Promise<CheckoutResult> {
    if (!deps.captureNow) return placed;
    // Recorded as the system's act, not the shopper's (the order log names who moved it to paid).
    if (placed.kind !== 'placed') return placed;
    const paid = await deps.captureNow(sys, placed.order.id, paymentId, authorized).catch(() => false);
    if (paid) deps.doneInline?.mark('paid', placed.order.id);
    return paid ? { ...placed, order: { ...placed.order, status: 'paid', payment: { status: 'captured' } } } : placed;
  }

  /** POST /v1/orders; the result names the data key subject of its body. */
  async function checkout(ctx: Ctx, input: CheckoutInput): Promise<CheckoutResult> {
    const known: { subject?: string | null } = {};
    const r = await checkoutAttempt(ctx, input, known);
    return { ...r, subject: r.subject ?? known.subject ?? undefined };
  }

  async function checkoutAttempt(
    ctx: Ctx,
    input: CheckoutInput,
    known: { subject?: string | null },
  ): Promise<CheckoutResult> {
    const key = ctx.idempotencyKey;
    if (!key) throw idempotencyErrors.required();
    // A provider this process does not run would be paid through the one it runs: refused before any side effect.
    const { provider } = deps.payments;
    if (input.payment.provider !== provider) throw providerNotConfigured(input.payment.provider, provider);
    const hashes = requestHashes(ctx, input); // the same key for this cart with another request → 422 (sameRequest)
    // Reads the cart as the caller (404 for someone else's cart), marking it as checked out by the attempt-to-be
    // until its deadline and a lease (CartApi.holdForCheckout): from now on the cart cannot change.
    const orderId = newId('ord');
    const holdMs = settings.deadlineMs + lease;
    const holdCart = () => deps.cart.holdForCheckout(ctx, input.cartId, input.cartToken, orderId, holdMs);
    let hold: Awaited<ReturnType<CartApi['holdForCheckout']>>;
    try {
      hold = await holdCart();
      // A mark no live attempt stands behind, older than a lease, was left by a request that failed before it could
      // release it (the database went away): it is taken over, not waited out. A younger one may be a checkout
      // between its mark and its attempt (a double submit with another key): 409 with Retry-After below.
      const markAge = holdMs - (hold.holderLeftMs ?? holdMs);
      if (hold.blocked && hold.holder && markAge >= lease && !(await A.liveByCart(db.k, input.cartId))) {
        await deps.cart.releaseCheckout(sys, input.cartId, hold.holder);
        hold = await holdCart();
      }
    } catch (e) {
      // A completed cart may refuse reads: a replay by the same caller still gets the original answer.
      const a = isAppError(e) && e.status === 409 ? await A.byKey(db.k, input.cartId, key) : undefined;
      const mine = a?.callerHash === hashes.callerHash ? sameRequest(a, key, hashes.requestHash) : undefined;
      const answer = mine ? await answerFor(mine) : undefined;
      known.subject = a?.subject;
      if (answer) return answer;
      throw e;
    }
    const { snapshot } = hold;
    let created = false; // else a mark this request took is released (finally)
    try {
      const owner = newId('own');
      const subject = orderSubject(privacy, { userId: snapshot.userId, email: snapshot.email }, orderId);
      known.subject = subject;
      const existing = async (a: Attempt): Promise<CheckoutResult | undefined> => {
        sameRequest(a, key, hashes.requestHash); // before any takeover: nothing runs for another request
        known.subject = a.subject ?? known.subject;
        if (a.status === 'running' && a.leaseExpired) {
          // The process that held it died: take it over and move it forward.
          const claimed = await A.claim(db.k, a.id, owner, ['running'], 'running', lease);
          if (claimed) return holding(claimed.id, owner, () => run(ctx, claimed, owner));
        }
        if (a.status === 'compensating' && a.leaseExpired) {
          // It died while undoing: finish that here (as the sweeper would), then this request starts a fresh attempt.
          await abandon(a.id, ['compensating'], interrupted());
          return undefined;
        }
        return answerFor(a);
      };
      // The subject's data key exists before the attempt is written (made outside any transaction, cached after).
      const sealedAttempt = async () => {
        const dataKey = await privacy.dataKeys.forSubject(subject);
        return {
          id: orderId,
          cartId: input.cartId,
          key,
          owner,
          leaseMs: lease,
          deadlineMs: settings.deadlineMs,
          snapshotSealed: privacy.dataKeys.sealJson(dataKey, FIELDS.snapshot, snapshot),
          tokenSealed: privacy.dataKeys.seal(dataKey, FIELDS.paymentToken, input.payment.token),
          subject,
          ...hashes,
        };
      };
      // The common case in one statement: the first request with this key for a cart with no live attempt.
      if (!hold.blocked && !missingParts(snapshot).length) {
        const fresh = await A.insert(db.k, await sealedAttempt(), true);
        created = fresh !== undefined;
        if (fresh) return holding(fresh.id, owner, () => run(ctx, fresh, owner));
      }
      for (let round = 0; round < 3; round++) {
        const byKey = await A.byKey(db.k, input.cartId, key);
        if (byKey) {
          const answer = await existing(byKey);
          if (answer) return answer;
        }
        const live = await A.liveByCart(db.k, input.cartId);
        if (live) {
          const answer = await existing(live);
          if (answer) return answer;
        }
        const missing = missingParts(snapshot);
        if (missing.length) {
          throw errors.unprocessable(
            ORDER_ERRORS.cartIncomplete,
            `The cart is missing: ${missing.join(', ')}.`,
            missing.map((m) => ({ field: `/cart/${m}`, message: m === 'lines' ? 'The cart is empty.' : 'Required.' })),
          );
        }
        // Another checkout holds the cart (its attempt not yet written, or just failed): none may start here.
        if (hold.blocked) break;
        const inserted = await A.insert(db.k, await sealedAttempt());
        created = inserted !== undefined;
        if (inserted) return holding(inserted.id, owner, () => run(ctx, inserted, owner));
      }
      throw inProgress();
    } finally {
      if (hold.held && !created) await deps.cart.releaseCheckout(sys, input.cartId, orderId).catch(() => undefined);
    }
  }

  /** Webhook path: the payment settled for a waiting attempt. */
  async function resume(orderId: string): Promise<void> {
    const owner = newId('own');
    const a = await A.claim(db.k, orderId, owner, ['waiting'], 'running', lease);
    if (!a) return;
    await holding(a.id, owner, () => run(sys, a, owner)).catch((e: unknown) => {
      if (!isAppError(e) || e.status >= 500) throw e;
    });
  }

  /** Sweeper and the payment-failed path: compensate an attempt that never reached the pivot. */
  async function abandon(orderId: string, from: ('running' | 'waiting' | 'compensating')[], reason: AppError) {
    const owner = newId('own');
    const a = await A.claim(db.k, orderId, owner, from, 'compensating', lease);
    if (!a) return false;
    await holding(a.id, owner, () => compensate(a, owner, reason)).catch((e: unknown) => {
      if (e !== reason) throw e;
    });
    return true;
  }

  return { checkout, resume, abandon };
}

export type CheckoutService = ReturnType<typeof createCheckoutService>;
