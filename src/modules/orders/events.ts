// Events the orders module appends to the outbox. Payloads carry ids, statuses, items and amounts: never an email,
// an address or customer-written text.
export const ORDER_EVENTS = {
  placed: 'orders.order.placed',
  paid: 'orders.order.paid',
  cancelled: 'orders.order.cancelled',
  shipped: 'orders.order.shipped',
  /** A shipment's tracking changed (status, carrier or tracking number). */
  shipmentUpdated: 'orders.shipment.updated',
  delivered: 'orders.order.delivered',
  refunded: 'orders.order.refunded',
  partiallyRefunded: 'orders.order.partially_refunded',
  returned: 'orders.order.returned',
  returnRequested: 'orders.return.requested',
  /** Settled by the orders.settle_return subscriber: the refund and, when asked, the restock. */
  returnReceived: 'orders.return.received',
  returnRejected: 'orders.return.rejected',
} as const;

/**
 * Ids and amounts only: no event carries personal data (the outbox and the broker keep events beyond an erasure). A
 * consumer that needs the customer's email or address reads the order through the orders contract.
 */
export interface OrderPlacedPayload {
  orderId: string;
  number: string;
  cartId: string;
  userId: string | null;
  /** Inventory reservation key and pricing redemption key. */
  reservationKey: string;
  redemptionKey: string | null;
  paymentId: string;
  total: { amount: number; currency: string };
}
