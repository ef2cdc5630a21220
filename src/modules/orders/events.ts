// Events the orders module appends to the outbox. Payloads carry ids, statuses, items and amounts: never an email,
// an address or customer-written text.
import { type TSchema, Type } from 'typebox';
import type { PublicEventType } from '../../platform/events/public-events.ts';
import { CurrencyCode, DateTime, Id, INT4_MAX, Int, Minor, Money, Text } from '../../platform/http/schema-helpers.ts';
import { type OrderStatus, SHIPMENT_STATUSES } from './contract.ts';
import { sourcesOf } from './lifecycle/state.ts';
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

// The payload schemas of the public event types (objects stay open: a field added later is not a breaking change).
// Status fields list exactly the statuses the state machine lets the change start from.

/** An id issued by this platform: `<prefix>_` and 26 base32 characters. */
const IssuedId = (prefix: string, description?: string) =>
  Id({ pattern: `^${prefix}_[0-9a-z]{26}$`, ...(description ? { description } : {}) });
const OrderId = IssuedId('ord');
const ReturnId = IssuedId('ret');
const Status = (statuses: readonly OrderStatus[], description: string) =>
  Type.Union(
    statuses.map((s) => Type.Literal(s)),
    { description },
  );
const Units = Type.Array(Type.Object({ variantId: Id(), quantity: Int(1, INT4_MAX) }), {
  maxItems: 250,
  description: 'Units per variant (catalog variant ids)',
});
const Nullable = <T extends TSchema>(schema: T, description: string) =>
  Type.Union([schema, Type.Null()], { description });

/** A status change of the order made by the one guarded update (orders.order.paid, cancelled, refunded …). */
const Transition = (to: OrderStatus, from: readonly OrderStatus[]) =>
  Type.Object({
    orderId: OrderId,
    to: Type.Literal(to, { description: 'The new status of the order' }),
    from: Status(from, 'The status the order left'),
  });

const OrderPlaced = Type.Object({
  orderId: OrderId,
  number: Type.String({ pattern: '^[1-9][0-9]*$', maxLength: 20, description: 'The human-facing order number' }),
  cartId: IssuedId('cart'),
  userId: Nullable(IssuedId('usr'), 'The customer; null for a guest checkout'),
  reservationKey: Text(200, { minLength: 1, description: "The key of the order's inventory reservation" }),
  redemptionKey: Nullable(Text(200, { minLength: 1 }), 'The key of its promotion redemptions; null without any'),
  paymentId: IssuedId('pay', 'The authorized payment'),
  total: Money(),
});

const OrderShipped = Type.Object({
  id: IssuedId('shp', 'The shipment'),
  orderId: OrderId,
  orderStatus: Status(['partially_shipped', 'shipped'], 'The status the order moved to'),
  items: Units,
  carrier: Nullable(Text(100), 'The carrier, if given'),
  trackingNumber: Nullable(Text(100), 'The tracking number, if given'),
  status: Type.Literal('shipped', { description: 'The status of the new shipment' }),
  deliveredAt: Type.Null(),
  createdAt: DateTime(),
  updatedAt: DateTime(),
  from: Status(['paid', 'partially_shipped'], 'The status of the order before this shipment'),
});

const ShipmentUpdated = Type.Object({
  orderId: OrderId,
  shipmentId: IssuedId('shp'),
  status: Type.Union(
    SHIPMENT_STATUSES.map((s) => Type.Literal(s)),
    { description: "The shipment's status now (it only moves forward)" },
  ),
  carrier: Nullable(Text(100), 'The carrier now, if known'),
  trackingNumber: Nullable(Text(100), 'The tracking number now, if known'),
});

const ReturnReceived = Type.Object({
  returnId: ReturnId,
  orderId: OrderId,
  items: Units,
  refundAmount: Minor({ description: 'What the return refunds, in integer minor units' }),
  currency: CurrencyCode(),
  restock: Type.Boolean({ description: 'Whether the units go back on hand' }),
});

export const ORDER_PUBLIC_EVENTS: readonly PublicEventType[] = [
  {
    type: ORDER_EVENTS.placed,
    description:
      'An order was placed at checkout: its stock is held and its payment authorized (captured right after, or at the first shipment).',
    payload: OrderPlaced,
  },
  {
    type: ORDER_EVENTS.paid,
    description: "The order's payment was captured.",
    payload: Transition('paid', ['pending']),
  },
  {
    type: ORDER_EVENTS.cancelled,
    description:
      'The order was cancelled by its customer or by staff; its stock is released and its payment voided or refunded.',
    payload: Transition('cancelled', sourcesOf('cancelled')),
  },
  {
    type: ORDER_EVENTS.shipped,
    description: "A shipment of some or all of the order's units was recorded.",
    payload: OrderShipped,
  },
  {
    type: ORDER_EVENTS.shipmentUpdated,
    description: "A shipment's tracking changed: its status, carrier or tracking number.",
    payload: ShipmentUpdated,
  },
  {
    type: ORDER_EVENTS.delivered,
    description: 'Every shipment of a fully shipped order was delivered.',
    payload: Type.Object({ orderId: OrderId, from: Status(['shipped'], 'The status the order left') }),
  },
  {
    type: ORDER_EVENTS.refunded,
    description: 'Everything captured for the order was refunded.',
    payload: Transition('refunded', sourcesOf('refunded')),
  },
  {
    type: ORDER_EVENTS.partiallyRefunded,
    description: 'Part of what was captured for a delivered order was refunded.',
    payload: Transition('partially_refunded', ['delivered']),
  },
  {
    type: ORDER_EVENTS.returned,
    description: 'Every shipped unit of the order came back in received returns.',
    payload: Type.Object({
      orderId: OrderId,
      from: Status(['shipped', 'delivered', 'partially_refunded'], 'The status the order left'),
    }),
  },
  {
    type: ORDER_EVENTS.returnRequested,
    description: 'A return of shipped units was requested (by the customer, a guest with the order token, or staff).',
    payload: Type.Object({ returnId: ReturnId, orderId: OrderId, items: Units }),
  },
  {
    type: ORDER_EVENTS.returnReceived,
    description: 'Staff received the units of a return: its refund is fixed and follows, with the restock if asked.',
    payload: ReturnReceived,
  },
  {
    type: ORDER_EVENTS.returnRejected,
    description: 'Staff rejected a return request: nothing is refunded.',
    payload: Type.Object({ returnId: ReturnId, orderId: OrderId }),
  },
];
