// Subscribers that settle an order after the fact: a cancel gives the money and the stock back, a refund shows on the
// order's status. Each is retried by the relay until it succeeds (dead letter after EVENTS_MAX_ATTEMPTS).
import { systemCtx } from '../../../platform/context.ts';
import type { Subscriber } from '../../../platform/events/subscriber.ts';
import type { InventoryApi } from '../../inventory/index.ts';
import type { PaymentEventPayload, PaymentsApi } from '../../payments/index.ts';
import { ORDER_EVENTS } from '../events.ts';
import { reservationKey } from './order-keys.ts';
import type { OrdersService } from './orders.service.ts';

interface LifecycleWorkerDeps {
  inventory: InventoryApi;
  payments: PaymentsApi;
  orders: OrdersService;
}

export function lifecycleSubscribers(d: () => LifecycleWorkerDeps): Subscriber[] {
  const ctx = systemCtx('orders.after_placed');
  return [
    {
      name: 'orders.settle_cancelled',
      eventTypes: [ORDER_EVENTS.cancelled],
      handle: async (e) => {
        const orderId = String(e.payload.orderId);
        const deps = d();
        // An unreachable provider does not hold up the stock: the void is then owed by payments (retried there).
        const p = await deps.payments.voidIfOpen(ctx, orderId);
        let refunded = !!p && p.capturedAmount > 0 && p.capturedAmount <= p.refundedAmount;
        if (p && p.capturedAmount > p.refundedAmount) {
          const r = await deps.payments.refund(
            ctx,
            p.id,
            p.capturedAmount - p.refundedAmount,
            `cancel:${orderId}`,
            'cancelled',
          );
          refunded = r.status === 'succeeded';
        }
        // The cancelled order shows what became of its payment (its status no longer moves: see below).
        const settled = p?.status === 'voided' ? 'voided' : refunded ? 'refunded' : undefined;
        if (settled) await deps.orders.setPaymentStatus(orderId, settled);
        // Stock still reserved goes back; stock already committed is restocked (both idempotent).
        const key = reservationKey(orderId);
        const released = await deps.inventory.release(ctx, key).catch((e: unknown) => {
          if ((e as { code?: string }).code === 'inventory.reservation_committed') return undefined;
          if ((e as { code?: string }).code === 'inventory.reservation_not_found') return null;
          throw e;
        });
        if (released === undefined) await deps.inventory.restock(ctx, key);
      },
    },
    {
      // A refund (staff, a return, a cancel) shows on the order: all of what was captured → refunded (an order whose
      // status cannot move there, a cancelled one above all, keeps its status and shows payment `refunded`), a part
      // of it after delivery → partially_refunded. A partial refund before delivery (goodwill) is recorded on the
      // payment only, so the order can still ship.
      name: 'orders.payment_refunded',
      eventTypes: ['payments.payment.refunded'],
      handle: async (e) => {
        const p = e.payload as unknown as PaymentEventPayload;
        const full = p.refundedAmount >= p.capturedAmount;
        const reason = `refund ${p.refundId ?? ''} of ${p.refundAmount ?? 0} ${p.currency}`.trim();
        if (full) {
          const moved = await d().orders.transition(ctx, p.orderId, 'refunded', {
            reason,
            paymentStatus: 'refunded',
            event: ORDER_EVENTS.refunded,
          });
          if (!moved) await d().orders.setPaymentStatus(p.orderId, 'refunded');
        } else {
          await d().orders.transition(ctx, p.orderId, 'partially_refunded', {
            from: ['delivered'],
            reason,
            paymentStatus: 'partially_refunded',
            event: ORDER_EVENTS.partiallyRefunded,
          });
        }
      },
    },
  ];
}
