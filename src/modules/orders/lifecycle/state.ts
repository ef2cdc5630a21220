// The order state machine: the explicit table of allowed transitions.
import type { OrderStatus } from '../contract.ts';

export const TRANSITIONS: Record<OrderStatus, readonly OrderStatus[]> = {
  pending: ['paid', 'cancelled'],
  paid: ['partially_shipped', 'shipped', 'cancelled', 'partially_refunded', 'refunded'],
  partially_shipped: ['shipped', 'cancelled'],
  shipped: ['delivered', 'cancelled', 'returned'],
  delivered: ['returned', 'partially_refunded', 'refunded'],
  partially_refunded: ['refunded', 'returned'],
  returned: ['refunded'],
  cancelled: [],
  refunded: [],
};

/** Statuses from which a customer may still cancel (before shipment). */
export const CUSTOMER_CANCELLABLE: readonly OrderStatus[] = ['pending', 'paid'];

export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/** Which statuses may move to `to` (the guard of a conditional update). */
export function sourcesOf(to: OrderStatus): OrderStatus[] {
  return (Object.keys(TRANSITIONS) as OrderStatus[]).filter((s) => TRANSITIONS[s].includes(to));
}
