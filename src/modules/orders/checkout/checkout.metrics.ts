// Checkout outcomes (`checkout_outcomes_total{outcome}`): every answer of the checkout, REST or GraphQL, counted
// once by what it was: placed, requires_action, or the reason it was refused.
import type { Counter } from 'prom-client';
import { isAppError } from '../../../platform/errors.ts';
import type { CheckoutOutcome } from '../../../platform/observability/business-metrics.ts';
import { INVENTORY_ERRORS } from '../../inventory/index.ts';
import { PAYMENT_ERRORS } from '../../payments/index.ts';
import { ORDER_ERRORS } from '../contract.ts';
import type { CheckoutService } from './checkout.service.ts';

const BY_CODE: Record<string, CheckoutOutcome> = {
  [INVENTORY_ERRORS.insufficientStock]: 'out_of_stock',
  [INVENTORY_ERRORS.reservationExpired]: 'reservation_expired',
  [PAYMENT_ERRORS.declined]: 'payment_declined',
  [PAYMENT_ERRORS.unavailable]: 'payment_unavailable',
  [ORDER_ERRORS.cartIncomplete]: 'cart_incomplete',
  [ORDER_ERRORS.checkoutInProgress]: 'in_progress',
  [ORDER_ERRORS.customerErased]: 'customer_erased',
};

/** The outcome of a checkout that threw `e`. */
export function refusalOutcome(e: unknown): CheckoutOutcome {
  if (!isAppError(e)) return 'error';
  const known = BY_CODE[e.code];
  if (known) return known;
  if (e.code.startsWith('promotions.')) return 'promotion_unavailable';
  if (e.status === 503) return 'unavailable';
  return e.status < 500 ? 'rejected' : 'error';
}

/** The same service, its checkout answers counted. */
export function measureCheckout(service: CheckoutService, outcomes: Counter<'outcome'>): CheckoutService {
  return {
    ...service,
    async checkout(ctx, input) {
      try {
        const r = await service.checkout(ctx, input);
        outcomes.inc({ outcome: r.kind });
        return r;
      } catch (e) {
        outcomes.inc({ outcome: refusalOutcome(e) });
        throw e;
      }
    },
  };
}
