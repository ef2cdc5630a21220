// The orders module's public contract, and the ports it consumes from cart and pricing (typed exactly
// as the cart/pricing contract, /work/brief-checkout-contract.md; the real modules implement them).
import type { Ctx } from '../../platform/context.ts';
import type { Money } from '../../platform/money.ts';

export interface CheckoutLine {
  lineId: string;
  variantId: string;
  productId: string;
  sku: string;
  name: string;
  quantity: number;
  unitPrice: Money;
  lineTotal: Money;
  discount: Money;
  tax: Money;
}
export interface Address {
  name: string;
  line1: string;
  line2?: string;
  city: string;
  region?: string;
  postalCode: string;
  country: string;
  phone?: string;
}
export interface CheckoutSnapshot {
  cartId: string;
  currency: string;
  email: string | null;
  userId: string | null;
  lines: CheckoutLine[];
  shippingAddress: Address | null;
  billingAddress: Address | null;
  shippingMethod: { id: string; name: string; price: Money } | null;
  promotions: { promotionId: string; code: string | null; amount: Money }[];
  totals: { subtotal: Money; discount: Money; shipping: Money; tax: Money; total: Money };
  version: number;
}
export interface CartApi {
  getCheckoutSnapshot(ctx: Ctx, cartId: string, cartToken: string | undefined): Promise<CheckoutSnapshot>;
  markCompleted(ctx: Ctx, cartId: string, orderId: string): Promise<void>;
}
export interface RedemptionRequest {
  key: string;
  promotionIds: string[];
  customerId: string | null;
  email: string | null;
}
export interface PricingApi {
  reserveRedemptions(ctx: Ctx, req: RedemptionRequest): Promise<void>;
  releaseRedemptions(ctx: Ctx, key: string): Promise<void>;
  commitRedemptions(ctx: Ctx, key: string): Promise<void>;
}

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
  invalidTransition: 'orders.invalid_transition',
  placeFailed: 'orders.place_failed',
} as const;

export interface OrderView {
  id: string;
  number: string;
  status: OrderStatus;
  email: string | null;
  userId: string | null;
  items: {
    variantId: string;
    productId: string;
    sku: string;
    name: string;
    quantity: number;
    unitPrice: Money;
    lineTotal: Money;
    discount: Money;
    tax: Money;
  }[];
  totals: { subtotal: Money; discount: Money; shipping: Money; tax: Money; total: Money };
  shippingAddress: Address;
  payment: { status: string };
  createdAt: string;
  orderToken?: string;
}
