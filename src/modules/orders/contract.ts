// The orders module's public contract, and the ports it consumes from cart and pricing.
import type { Money } from '../../platform/money.ts';

// The ports orders consumes: the cart's and pricing's own contract types (orders → cart, pricing in the module graph).
import type { Address } from '../cart/index.ts';

export type { Address, CartApi, CheckoutLine, CheckoutSnapshot } from '../cart/index.ts';
export type { PricingApi, RedemptionRequest } from '../pricing/index.ts';

export const ORDER_STATUSES = [
  'pending',
  'paid',
  'partially_shipped',
  'shipped',
  'delivered',
  'cancelled',
  'partially_refunded',
  'refunded',
  'returned',
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export const ORDER_ERRORS = {
  cartIncomplete: 'orders.cart_incomplete',
  checkoutInProgress: 'orders.checkout_in_progress',
  notFound: 'orders.not_found',
  invalidCursor: 'orders.invalid_cursor',
  invalidRange: 'orders.invalid_range',
  invalidTransition: 'orders.invalid_transition',
  placeFailed: 'orders.place_failed',
  unknownItem: 'orders.unknown_item',
  overShipment: 'orders.over_shipment',
  nothingToShip: 'orders.nothing_to_ship',
  notPaid: 'orders.not_paid',
  shipmentNotFound: 'orders.shipment_not_found',
  notReturnable: 'orders.not_returnable',
  overReturn: 'orders.over_return',
  returnNotFound: 'orders.return_not_found',
  returnDecided: 'orders.return_decided',
  shipmentBackwards: 'orders.shipment_status_backwards',
  customerErased: 'orders.customer_erased',
  paymentActionExpired: 'orders.payment_action_expired',
  cartChanged: 'orders.cart_changed',
} as const;

export type ReturnStatus = 'requested' | 'received' | 'rejected';

/** A shipment's tracking status; it only moves forward. */
export const SHIPMENT_STATUSES = ['shipped', 'in_transit', 'delivered'] as const;
export type ShipmentStatus = (typeof SHIPMENT_STATUSES)[number];

export interface OrderView {
  id: string;
  number: string;
  status: OrderStatus;
  /** Null for an erased customer (see `customerErased`). */
  email: string | null;
  userId: string | null;
  items: {
    variantId: string;
    productId: string;
    sku: string;
    name: string;
    quantity: number;
    /** Units recorded in shipments so far. */
    shippedQuantity: number;
    /** Units claimed by open and received returns. */
    returnedQuantity: number;
    unitPrice: Money;
    lineTotal: Money;
    discount: Money;
    tax: Money;
  }[];
  totals: { subtotal: Money; discount: Money; shipping: Money; tax: Money; total: Money };
  /** Null once the customer's personal data was erased (or removed at the end of its retention). */
  shippingAddress: Address | null;
  /** True when the customer's personal data was erased: email and addresses are then null. */
  customerErased: boolean;
  payment: { status: string };
  createdAt: string;
  orderToken?: string;
}

/** What other modules may ask orders (notifications read what an email about an order shows). */
export interface OrdersApi {
  /** The order as its customer sees it, with the language and data key subject of its emails; undefined if missing. */
  getOrder(orderId: string): Promise<NotifiableOrder | undefined>;
}

export interface NotifiableOrder extends OrderView {
  /** The language of the checkout request (`en`, `de`), null for the shop's default. */
  locale: string | null;
  /** The data key subject the order's personal data is sealed under (`user:…`, `email:…` or `order:…`). */
  subject: string;
}
