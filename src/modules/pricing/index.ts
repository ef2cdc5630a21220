// The pricing module's front door: the only file other modules and the composition root may import.
export type {
  CouponRejection,
  PricingApi,
  PricingQuoteApi,
  Quote,
  QuoteInput,
  QuoteLine,
  RedemptionRequest,
  ShippingOption,
} from './contract.ts';
export { PRICING_ERRORS } from './contract.ts';
export { createPricingModule, type PricingModule, type PricingModuleDeps } from './module.ts';
export { computeTotals, type PromotionRule, type Totals, type TotalsLine } from './totals.ts';
