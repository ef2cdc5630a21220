// The checkout saga: attempt record → reserve stock → reserve redemptions → authorize → place (pivot).
// No transaction is open while another module or the provider is called; each step is recorded on the
// attempt with a conditional update guarded by the lease. The client's POST, the payment webhook and the
// sweeper all go through `run`/`compensate`, so whichever comes first moves the attempt; the others find it done.
// The holder renews its lease while it works (checkout.lease.ts): a lease outlives a dead holder by `leaseMs` at most.
import { createHash } from 'node:crypto';
import type { Ctx } from '../../platform/context.ts';
import { type Db, retryingStatement } from '../../platform/db/db.ts';
import { dbFaultKind } from '../../platform/db/faults.ts';
import { AppError, errors, isAppError } from '../../platform/errors.ts';
import { eventsInStatement } from '../../platform/events/outbox.ts';
import { notifyOutboxAppended } from '../../platform/events/wake.ts';
import { newId, newSecret } from '../../platform/ids.ts';
import type { InventoryApi } from '../inventory/index.ts';
import type { Payment, PaymentsApi } from '../payments/index.ts';
import { fromAnswer, inProgress, interrupted, missingParts, problemAnswer } from './checkout.answers.ts';
import { attemptLease } from './checkout.lease.ts';
import { attemptsRepo as A, type Attempt, type Step } from './checkout.repo.ts';
import { type Address, type CartApi, type CheckoutSnapshot, ORDER_ERRORS, type PricingApi } from './contract.ts';
import { ORDER_EVENTS, type OrderPlacedPayload } from './events.ts';
import { lineRows, ordersRepo, toView } from './orders.repo.ts';

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
}

export interface CheckoutInput {
  cartId: string;
  cartToken: string | undefined;
  payment: { provider: string; token: string; returnUrl?: string | undefined };
}

export const reservationKey = (orderId: string) => `checkout:${orderId}`;
export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

export interface CheckoutResult {
  status: 201 | 202;
  body: Record<string, unknown>;
}

export function createCheckoutService(deps: CheckoutDeps) {
  const { db, settings } = deps;
  const lease = settings.leaseMs;
  const { holding, retryAfterFor } = attemptLease(db, lease);
  const sys: Ctx = { requestId: 'orders.checkout', actor: { kind: 'system', name: 'orders.checkout' } };

  const waitingAnswer = (a: Attempt): CheckoutResult => ({
    status: 202,
    body: {
      id: a.id,
      status: 'requires_action',
      nextAction: a.nextActionUrl ? { type: 'redirect', url: a.nextActionUrl } : { type: 'wait' },
    },
  });

  /** What a request that finds this attempt gets. Undefined: the attempt failed retryably (start a new one). */
  function answerFor(a: Attempt): CheckoutResult | undefined {
    if (a.status === 'placed' && a.answer) return a.answer as CheckoutResult;
    if (a.status === 'waiting') return waitingAnswer(a);
    if (a.status === 'failed' && a.answer) {
      if (a.answer.status >= 500) return undefined;
      throw fromAnswer(a.answer);
    }
    throw inProgress(retryAfterFor(a));
  }

  async function compensate(a: Attempt, owner: string, cause: AppError): Promise<never> {
    if (!(await A.compensating(db.k, a.id, owner, lease))) throw inProgress();
    const payment = await deps.payments.getByOrderId(sys, a.id);
    if (payment && ['pending', 'requires_action', 'authorized'].includes(payment.status)) {
      // Never waits for an unreachable provider: the void is then owed by payments (its payments.retry_voids job),
      // and no order can be placed from a compensating attempt, so the stock and redemptions go back now.
      await deps.payments.requestVoid(sys, payment.id);
    }
    if (a.snapshot.promotions.length) await deps.pricing.releaseRedemptions(sys, reservationKey(a.id));
    await deps.inventory.release(sys, reservationKey(a.id)).catch((e: unknown) => {
      if (!isAppError(e) || e.status !== 404) throw e;
    });
    await A.fail(db.k, a.id, owner, problemAnswer(cause));
    throw cause;
  }

  /** The pivot: one guarded statement writes the order, its lines, its log entry, its events and the answer. */
  async function place(ctx: Ctx, a: Attempt, owner: string, paymentId: string): Promise<CheckoutResult> {
    const s = a.snapshot;
    const token = s.userId ? undefined : newSecret(24);
    const tokenHash = token ? hashToken(token) : null;
    const createdAt = new Date().toISOString();
    const view = toView(
      {
        id: a.id,
        number: '',
        cart_id: s.cartId,
        user_id: s.userId,
        email: s.email,
        status: 'pending',
        currency: s.currency,
        subtotal: s.totals.subtotal.amount,
        discount: s.totals.discount.amount,
        shipping: s.totals.shipping.amount,
        tax: s.totals.tax.amount,
        total: s.totals.total.amount,
        shipping_address: s.shippingAddress as Address,
        payment_id: paymentId,
        payment_status: 'authorized',
        order_token_hash: tokenHash,
        created_at: createdAt,
      },
      lineRows(s),
    );
    const { number: _number, ...answerBody } = { ...view, ...(token ? { orderToken: token } : {}) };
    const payload: Omit<OrderPlacedPayload, 'number'> = {
      orderId: a.id,
      cartId: s.cartId,
      userId: s.userId,
      email: s.email,
      reservationKey: reservationKey(a.id),
      redemptionKey: s.promotions.length ? reservationKey(a.id) : null,
      paymentId,
      total: s.totals.total,
      snapshot: s as unknown as Record<string, unknown>,
    };
    const events = eventsInStatement(ctx, [{ type: ORDER_EVENTS.placed, aggregateId: a.id, payload: { ...payload } }]);
    const number = await retryingStatement(() =>
      ordersRepo.placeFromAttempt(db.k, {
        attemptId: a.id,
        owner,
        snapshot: s,
        paymentId,
        tokenHash,
        actor: s.userId ? `customer:${s.userId}` : 'guest',
        createdAt,
        answerBody,
        events,
      }),
    );
    if (number === undefined) throw inProgress();
    notifyOutboxAppended();
    return { status: 201, body: { ...view, number, ...(token ? { orderToken: token } : {}) } };
  }

  /** Moves a claimed attempt forward from its recorded steps. */
  async function run(ctx: Ctx, a: Attempt, owner: string): Promise<CheckoutResult> {
    const s = a.snapshot;
    const key = reservationKey(a.id);
    const record = async (step: Step, paymentId?: string) => {
      if (!(await A.step(db.k, a.id, owner, step, lease, paymentId))) throw inProgress();
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
        return compensate(
          a,
          owner,
          new AppError(402, 'payments.declined', 'Payment declined', {
            detail: `The payment was declined (${p.failureCode ?? 'declined'}).`,
            extra: { declineCode: p.failureCode ?? 'declined' },
          }),
        );
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
        return compensate(a, owner, errors.unavailable('payments.unavailable', `Payment is ${p.status}.`, 1));
      }
      await record('authorized', p.id);
    }
    // The reservation outlives the attempt's deadline by `deadlineMs`: before the deadline it is certainly active
    // (only this attempt's owner releases it). Past it (a payment that waited long), look again before the pivot.
    if (Date.now() >= a.expiresAt.getTime()) {
      const reservation = await deps.inventory.reserve(ctx, {
        key,
        lines: s.lines.map((l) => ({ variantId: l.variantId, quantity: l.quantity })),
      });
      if (reservation.status !== 'active') {
        return compensate(a, owner, errors.conflict('inventory.reservation_expired', 'The stock reservation expired.'));
      }
    }
    let placed: CheckoutResult;
    try {
      placed = await place(ctx, a, owner, paymentId as string);
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
    return captureNow(placed, paymentId as string, authorized);
  }

  /** Immediate capture: the answer shows the order paid. The stored answer (what a replay gets) stays as placed. */
  async function captureNow(placed: CheckoutResult, paymentId: string, authorized?: Payment): Promise<CheckoutResult> {
    if (!deps.captureNow) return placed;
    // Recorded as the system's act, not the shopper's (the order log names who moved it to paid).
    const paid = await deps.captureNow(sys, String(placed.body.id), paymentId, authorized).catch(() => false);
    return paid ? { ...placed, body: { ...placed.body, status: 'paid', payment: { status: 'captured' } } } : placed;
  }

  /** POST /v1/orders. */
  async function checkout(ctx: Ctx, input: CheckoutInput): Promise<CheckoutResult> {
    const key = ctx.idempotencyKey;
    if (!key) throw errors.badRequest('idempotency.key_required', 'Idempotency-Key is required.');
    // Reads the cart as the caller (404 for someone else's cart); no side effect yet.
    const callerHash = hashToken(
      ctx.actor.kind === 'customer' ? `user:${ctx.actor.userId}` : `cart:${input.cartToken}`,
    );
    let snapshot: CheckoutSnapshot;
    try {
      snapshot = await deps.cart.getCheckoutSnapshot(ctx, input.cartId, input.cartToken);
    } catch (e) {
      // A completed cart may refuse reads: a replay by the same caller still gets the original answer.
      const a = isAppError(e) && e.status === 409 ? await A.byKey(db.k, input.cartId, key) : undefined;
      const answer = a && a.callerHash === callerHash ? answerFor(a) : undefined;
      if (answer) return answer;
      throw e;
    }
    const owner = newId('own');
    const existing = async (a: Attempt): Promise<CheckoutResult | undefined> => {
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
    const attempt = {
      cartId: input.cartId,
      key,
      owner,
      leaseMs: lease,
      deadlineMs: settings.deadlineMs,
      snapshot,
      token: input.payment.token,
      callerHash,
    };
    // The common case in one statement: the first request with this key for a cart with no live attempt.
    if (!missingParts(snapshot).length) {
      const fresh = await A.insert(db.k, { id: newId('ord'), ...attempt }, true);
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
      const created = await A.insert(db.k, { id: newId('ord'), ...attempt });
      if (created) return holding(created.id, owner, () => run(ctx, created, owner));
    }
    throw inProgress();
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
