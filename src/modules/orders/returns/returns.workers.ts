// The subscriber that settles a received return, retried by the relay until it succeeds (dead letter after
// EVENTS_MAX_ATTEMPTS).
import { systemCtx } from '../../../platform/context.ts';
import type { Subscriber } from '../../../platform/events/subscriber.ts';
import type { InventoryApi } from '../../inventory/index.ts';
import type { PaymentsApi } from '../../payments/index.ts';
import { ORDER_EVENTS } from '../events.ts';
import { reservationKey } from '../lifecycle/order-keys.ts';
import type { ReturnReceivedPayload } from './returns.service.ts';

interface ReturnsWorkerDeps {
  inventory: InventoryApi;
  payments: PaymentsApi;
}

export function returnsSubscribers(d: () => ReturnsWorkerDeps): Subscriber[] {
  const ctx = systemCtx('orders.after_placed');
  return [
    {
      // A received return: refund what it fixed (capped at what is left to refund, e.g. after a manual refund) and,
      // when asked, put its units back on hand. Both are idempotent per return, so a retry repeats nothing.
      name: 'orders.settle_return',
      eventTypes: [ORDER_EVENTS.returnReceived],
      handle: async (e) => {
        const r = e.payload as unknown as ReturnReceivedPayload;
        const deps = d();
        const p = await deps.payments.getByOrderId(ctx, r.orderId);
        if (p && r.refundAmount > 0) {
          // A refund already made under this key comes back as it is, whatever amount is asked now; otherwise the
          // amount fixed at receipt, capped at what is left (a manual refund may have come first).
          const left = p.capturedAmount - p.refundedAmount;
          const amount = Math.max(1, Math.min(r.refundAmount, left));
          await deps.payments.refund(ctx, p.id, amount, `return:${r.returnId}`, 'returned').catch((err: unknown) => {
            // Nothing was left to refund (and nothing was refunded under this key).
            if (left <= 0 && (err as { code?: string }).code === 'payments.refund_exceeds_captured') return;
            throw err;
          });
        }
        if (r.restock) await deps.inventory.restockReturned(ctx, reservationKey(r.orderId), r.returnId, r.items);
      },
    },
  ];
}
