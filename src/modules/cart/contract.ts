// The cart module's public contract (the checkout contract's CartApi and snapshot shapes).
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
  lineTotal: Money; // lineTotal = unitPrice × quantity
  discount: Money; // this line's share of all discounts
  tax: Money; // this line's tax (added on top; 0 where prices include tax)
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
  /** Promotions applied (automatic and coupon); redemptions are reserved by orders at checkout. */
  promotions: { promotionId: string; code: string | null; amount: Money }[];
  totals: { subtotal: Money; discount: Money; shipping: Money; tax: Money; total: Money };
  /** Bumped on every cart change; orders stores it with the attempt. */
  version: number;
}

export interface CartApi {
  /** Recomputes prices/promotions/tax/shipping and returns the snapshot. 404 `cart.not_found` when the cart does not
   * exist or the caller may not see it (customer owner via ctx.actor, or guest via cartToken). Does not validate completeness. */
  getCheckoutSnapshot(ctx: Ctx, cartId: string, cartToken: string | undefined): Promise<CheckoutSnapshot>;
  /**
   * The checkout's read (getCheckoutSnapshot's answer): an active cart is marked as being checked out by `holder`
   * (the attempt's id) for `forMs`, and every change to it answers 409 `cart.checkout_in_progress` until then, until
   * `releaseCheckout`, or until `markCompleted`. `held`: the mark is `holder`'s. `blocked`: another checkout's live
   * mark holds the cart (it keeps it); `holder`: whose mark it is; `holderLeftMs`: how long that mark has left (so
   * its age is the `forMs` it was taken for minus this). A cart that is not active is only read (neither held nor
   * blocked).
   */
  holdForCheckout(
    ctx: Ctx,
    cartId: string,
    cartToken: string | undefined,
    holder: string,
    forMs: number,
  ): Promise<{
    snapshot: CheckoutSnapshot;
    held: boolean;
    blocked: boolean;
    holder: string | null;
    holderLeftMs: number | null;
  }>;
  /** Ends `holder`'s mark (idempotent; another holder's mark stays). */
  releaseCheckout(ctx: Ctx, cartId: string, holder: string): Promise<void>;
  /**
   * Marks the cart as checked out by `holder` for `forMs` again, if it is still active at `version` (the snapshot's:
   * nothing changed since), taking over any other checkout's mark (the caller's attempt is live: no other can be).
   * False when the cart changed or is no longer active.
   */
  renewCheckout(ctx: Ctx, cartId: string, holder: string, version: number, forMs: number): Promise<boolean>;
  /** Marks the cart completed (idempotent); a completed cart refuses further changes with 409 `cart.completed`. */
  markCompleted(ctx: Ctx, cartId: string, orderId: string): Promise<void>;
}

export const CART_ERRORS = {
  notFound: 'cart.not_found',
  itemNotFound: 'cart.item_not_found',
  completed: 'cart.completed',
  checkoutInProgress: 'cart.checkout_in_progress',
  variantUnavailable: 'cart.variant_unavailable',
  insufficientStock: 'cart.insufficient_stock',
  tooManyLines: 'cart.too_many_lines',
  quantityLimit: 'cart.quantity_limit',
  invalidShippingMethod: 'cart.invalid_shipping_method',
  tooManyCoupons: 'cart.too_many_coupons',
  currencyMismatch: 'cart.currency_mismatch',
} as const;

export const MAX_LINES = 250;
export const MAX_QUANTITY = 999;
