// After the pivot nothing is undone: subscribers of `orders.order.placed` commit the reservation and the
// redemptions, complete the cart and capture, each retried by the relay until it succeeds (dead letter after
// EVENTS_MAX_ATTEMPTS). Payment webhooks resume or compensate waiting attempts; a sweeper handles dead processes.
// Cancels and refunds are settled in lifecycle/orders.workers.ts, received returns in returns/returns.workers.ts.
import { systemCtx } from '../../../platform/context.ts';
import type { Db } from '../../../platform/db/db.ts';
import { AppError } from '../../../platform/errors.ts';
import type { EventEnvelope } from '../../../platform/events/envelope.ts';
import type { Subscriber } from '../../../platform/events/subscriber.ts';
import type { ScheduledJob } from '../../../platform/jobs/job.ts';
import type { InventoryApi } from '../../inventory/index.ts';
import type { PaymentEventPayload, PaymentsApi } from '../../payments/index.ts';
import { type CartApi, ORDER_ERRORS, type PricingApi } from '../contract.ts';
import { ORDER_EVENTS, type OrderPlacedPayload } from '../events.ts';
import { type CaptureMode, captureOrder } from '../lifecycle/capture.ts';
import type { OrdersService } from '../lifecycle/orders.service.ts';
import { interrupted, paymentDeclined } from './checkout.answers.ts';
import { DEFAULT_LEASE_MS } from './checkout.lease.ts';
import { dueAttempts } from './checkout.repo.ts';
import type { CheckoutService } from './checkout.service.ts';
import type { DoneInline } from './done-inline.ts';

interface WorkerDeps {
  db: Db;
  cart: CartApi;
  pricing: PricingApi;
  inventory: InventoryApi;
  payments: PaymentsApi;
  checkout: CheckoutService;
  orders: OrdersService;
  capture: CaptureMode;
  /** The post-pivot steps this process's checkout finished inline (their subscribers then skip them). */
  doneInline?: DoneInline;
  settings?: { leaseMs?: number } | undefined;
}

const placed = (e: EventEnvelope) => e.payload as unknown as OrderPlacedPayload;

/** The subscribers of `orders.order.placed`: what the checkout still owes after its pivot. */
export function afterPlacedSubscribers(d: () => WorkerDeps): Subscriber[] {
  const ctx = systemCtx('orders.after_placed');
  return [
    {
      name: 'orders.commit_reservation',
      eventTypes: [ORDER_EVENTS.placed],
      handle: async (e) => {
        // A customer may cancel before this runs: the cancel released the stock, and there is nothing to commit.
        await d()
          .inventory.commit(ctx, placed(e).reservationKey)
          .catch((err: unknown) => {
            if ((err as { code?: string }).code !== 'inventory.reservation_released') throw err;
          });
      },
    },
    {
      name: 'orders.commit_redemptions',
      eventTypes: [ORDER_EVENTS.placed],
      handle: async (e) => {
        const key = placed(e).redemptionKey;
        if (key) await d().pricing.commitRedemptions(ctx, key);
      },
    },
    {
      name: 'orders.complete_cart',
      eventTypes: [ORDER_EVENTS.placed],
      handle: async (e) => {
        const deps = d();
        if (deps.doneInline?.take('cart_completed', placed(e).orderId)) return;
        await deps.cart.markCompleted(ctx, placed(e).cartId, placed(e).orderId);
      },
    },
    {
      name: 'orders.capture_payment',
      eventTypes: [ORDER_EVENTS.placed],
      // Usually nothing to do: checkout captured inline (in this process: skipped without a statement). With
      // PAYMENT_CAPTURE=shipment the first shipment captures.
      handle: async (e) => {
        const deps = d();
        if (deps.capture !== 'immediate' || deps.doneInline?.take('paid', placed(e).orderId)) return;
        await captureOrder(deps, ctx, placed(e).orderId);
      },
    },
  ];
}

/** Payment webhooks: an authorization resumes its waiting attempt, a failure compensates it. */
export function paymentSettledSubscribers(d: () => WorkerDeps): Subscriber[] {
  return [
    {
      name: 'orders.payment_settled',
      eventTypes: ['payments.payment.authorized', 'payments.payment.failed'],
      handle: async (e) => {
        const p = e.payload as unknown as PaymentEventPayload;
        const deps = d();
        if (e.type === 'payments.payment.authorized') {
          // Authorized at once in this process's checkout: the attempt never waited, so there is nothing to resume.
          if (deps.doneInline?.take('authorized', p.orderId)) return;
          return deps.checkout.resume(p.orderId);
        }
        await deps.checkout.abandon(p.orderId, ['waiting'], paymentDeclined(p.failureCode ?? 'failed'));
      },
    },
  ];
}

export function checkoutSweeper(d: () => WorkerDeps, intervalMs: number): ScheduledJob {
  return {
    name: 'orders.checkout_sweeper',
    intervalMs,
    run: async () => {
      await sweep(d());
    },
  };
}

/**
 * One pass: compensates attempts whose process died before the pivot (one lease after their lease ran out: until then
 * the client's retry takes them over) and waiting ones past their deadline.
 */
export async function sweep(deps: WorkerDeps): Promise<number> {
  const due = await dueAttempts(deps.db.k, 50, deps.settings?.leaseMs ?? DEFAULT_LEASE_MS);
  let handled = 0;
  const failures: string[] = [];
  for (const a of due) {
    const reason =
      a.status === 'waiting'
        ? new AppError(409, ORDER_ERRORS.paymentActionExpired, 'Conflict', {
            detail: 'The payment was not completed in time; the checkout was cancelled.',
          })
        : interrupted();
    const from = a.status === 'waiting' ? (['waiting'] as const) : (['running', 'compensating'] as const);
    // One attempt that cannot be compensated now (e.g. the database is busy) does not hold up the others.
    try {
      if (await deps.checkout.abandon(a.id, [...from], reason)) handled++;
    } catch (e) {
      failures.push(`${a.id}: ${(e as Error).message}`);
    }
  }
  if (failures.length) {
    throw new Error(`checkout sweeper: ${failures.length} attempt(s) left for the next pass (${failures[0]})`);
  }
  return handled;
}
