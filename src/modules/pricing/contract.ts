// The pricing module's public contract (the checkout contract's PricingApi plus the quote the cart uses).
import type { Ctx } from '../../platform/context.ts';
import type { Money } from '../../platform/money.ts';
import type { RejectionReason, Totals } from './totals.ts';

export interface RedemptionRequest {
  key: string;
  promotionIds: string[];
  customerId: string | null;
  email: string | null;
}

export interface PricingApi {
  /** Atomically reserves one redemption of each promotion (global, per-customer and campaign-shared limits counted
   * with conditional updates). All or nothing; idempotent on key. Throws 409 `promotions.limit_reached` (AppError)
   * naming the promotion when any limit is exhausted. Reserved redemptions count against limits. */
  reserveRedemptions(ctx: Ctx, req: RedemptionRequest): Promise<void>;
  /** Releases a reservation (idempotent; unknown key is a no-op). */
  releaseRedemptions(ctx: Ctx, key: string): Promise<void>;
  /** Turns a reservation into final redemptions (idempotent). */
  commitRedemptions(ctx: Ctx, key: string): Promise<void>;
}

export interface QuoteLine {
  lineId: string;
  productId: string;
  /** Matched by bundle items that name a variant. */
  variantId?: string | undefined;
  categoryIds: string[];
  unitPrice: number;
  quantity: number;
  weightGrams: number;
  taxCategory?: string;
}

export interface QuoteInput {
  currency: string;
  /** Country (ISO 3166-1 alpha-2) and optional province of the shipping address, else the cart's country. */
  country: string | null;
  province: string | null;
  lines: QuoteLine[];
  couponCodes: string[];
  shippingMethodId: string | null;
  now?: Date;
}

export type CouponRejection = RejectionReason | 'unknown_code' | 'not_active' | 'expired' | 'currency_mismatch';

export interface ShippingOption {
  id: string;
  name: string;
  price: Money;
}

export interface Quote {
  totals: Totals;
  pricesIncludeTax: boolean;
  shippingMethod: ShippingOption | null;
  promotions: { promotionId: string; name: string; code: string | null; amount: Money }[];
  rejectedCoupons: { code: string; reason: CouponRejection }[];
}

/** What the cart calls: quotes and shipping options. */
export interface PricingQuoteApi {
  quote(input: QuoteInput): Promise<Quote>;
  shippingOptions(input: QuoteInput): Promise<ShippingOption[]>;
}

export const PRICING_ERRORS = {
  limitReached: 'promotions.limit_reached',
  notFound: 'pricing.not_found',
  duplicate: 'pricing.duplicate',
  invalid: 'pricing.invalid',
  /** PATCH of a deleted promotion. */
  deleted: 'pricing.promotion_deleted',
  /** PATCH lowering usageLimit below the redemptions already counted (reserved or committed). */
  limitBelowRedemptions: 'pricing.usage_limit_below_redemptions',
  /** Checkout reserving a promotion that was deactivated or deleted after the cart was quoted. */
  notActive: 'promotions.not_active',
} as const;
