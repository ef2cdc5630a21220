// Capturing an order's payment: when it happens is configuration (PAYMENT_CAPTURE). `immediate` captures right
// after the order is placed (inline in POST /v1/orders, with the `orders.capture_payment` subscriber as the
// retried-until-done safety net); `shipment` leaves the authorization open until the first shipment is recorded.
import type { Ctx } from '../../../platform/context.ts';
import type { Payment, PaymentsApi } from '../../payments/index.ts';
import { ORDER_EVENTS } from '../events.ts';
import type { OrdersService } from './orders.service.ts';

export type CaptureMode = 'immediate' | 'shipment';

export interface CaptureDeps {
  payments: Pick<PaymentsApi, 'capture'>;
  orders: Pick<OrdersService, 'row' | 'transition'>;
}

/**
 * Captures the payment of a pending order and moves it to `paid`. Idempotent: the provider call carries the
 * payment's capture key, and the guarded transition makes a second run a no-op. True when the order is paid
 * afterwards; false when it was not pending and is not paid (cancelled first: its subscriber voids the
 * authorization).
 */
export async function captureOrder(
  deps: CaptureDeps,
  ctx: Ctx,
  orderId: string,
  /** An order this request has just placed (pending) and its authorized payment: saves reading both again. */
  justPlaced?: { paymentId: string; payment?: Payment | undefined },
): Promise<boolean> {
  let paymentId = justPlaced?.paymentId;
  if (!paymentId) {
    const order = await deps.orders.row(orderId);
    if (order?.status !== 'pending' || !order.payment_id) return order?.status === 'paid';
    paymentId = order.payment_id;
  }
  await deps.payments.capture(ctx, paymentId, undefined, justPlaced?.payment);
  const moved = await deps.orders.transition(ctx, orderId, 'paid', {
    from: ['pending'],
    paymentStatus: 'captured',
    event: ORDER_EVENTS.paid,
    reason: 'payment captured',
  });
  // Not moved: the other capturer (inline, or the `orders.capture_payment` safety net woken by the placed event)
  // may have moved it first. True when the order is paid now, whoever moved it.
  return moved || (await deps.orders.row(orderId))?.status === 'paid';
}
