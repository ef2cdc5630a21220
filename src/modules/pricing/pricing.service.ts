// Quotes: loads the region's tax rates, the shipping method and the promotions, then runs the pure
// totals function. Read-only; the cart calls it on every read and write.
import type { Db } from '../../platform/db/db.ts';
import { money } from '../../platform/money.ts';
import type { CouponRejection, PricingQuoteApi, Quote, QuoteInput, ShippingOption } from './contract.ts';
import * as repo from './pricing.repo.ts';
import type { ReferenceData } from './reference-cache.ts';
import { computeTotals, type PromotionRule, type TotalsLine } from './totals.ts';

export const MAX_COUPONS = 5;

function shippingPrice(m: repo.ShippingMethodRow, subtotal: number, weightGrams: number): number {
  if (m.free_above !== null && subtotal >= m.free_above) return 0;
  if (m.kind === 'weight') return m.price + m.per_kg * Math.ceil(Math.max(0, weightGrams) / 1000);
  return m.price;
}

function toRule(p: repo.PromotionRow, code: string | null): PromotionRule {
  return {
    promotionId: p.id,
    code,
    automatic: p.automatic,
    kind: p.kind,
    value: p.value,
    minSubtotal: p.min_subtotal,
    productIds: p.product_ids,
    categoryIds: p.category_ids,
    exclusive: p.exclusive,
    priority: p.priority,
    ...(p.buy_quantity ? { buyQuantity: p.buy_quantity } : {}),
    ...(p.get_quantity ? { getQuantity: p.get_quantity } : {}),
    ...(p.kind === 'bundle' ? { bundleItems: p.bundle_items ?? [] } : {}),
  };
}

/** Why a promotion cannot apply now, before the totals rules look at the cart. */
function unusable(p: repo.PromotionRow, currency: string, now: Date): CouponRejection | undefined {
  if (!p.active) return 'not_active';
  if (p.starts_at && p.starts_at > now) return 'not_active';
  if (p.ends_at && p.ends_at <= now) return 'expired';
  if ((p.kind === 'fixed' || p.kind === 'bundle') && p.currency !== currency) return 'currency_mismatch';
  if (p.min_subtotal !== null && p.currency !== null && p.currency !== currency) return 'currency_mismatch';
  return undefined;
}

export function createPricingService(db: Db, refs: ReferenceData): PricingQuoteApi {
  async function shippingOptions(input: QuoteInput): Promise<ShippingOption[]> {
    if (!input.country) return [];
    const subtotal = input.lines.reduce((a, l) => a + l.unitPrice * l.quantity, 0);
    const weight = input.lines.reduce((a, l) => a + l.weightGrams * l.quantity, 0);
    const methods = await refs.shippingMethods(input.country, input.currency);
    return methods.map((m) => ({
      id: m.id,
      name: m.name,
      price: money(shippingPrice(m, subtotal, weight), input.currency),
    }));
  }

  async function quote(input: QuoteInput): Promise<Quote> {
    const now = input.now ?? new Date();
    const rates = input.country ? await refs.taxRates(input.country, input.province ?? '') : [];
    const rateFor = (category: string) =>
      rates.find((r) => r.tax_category === category && r.province !== '') ??
      rates.find((r) => r.tax_category === category);
    const pricesIncludeTax = (rateFor('standard') ?? rates[0])?.prices_include_tax ?? false;
    const lines: TotalsLine[] = input.lines.map((l) => ({
      lineId: l.lineId,
      productId: l.productId,
      variantId: l.variantId,
      categoryIds: l.categoryIds,
      unitPrice: l.unitPrice,
      quantity: l.quantity,
      // A category the region has no rate for is taxed at its standard rate (zero-rating is an explicit 0 % rate).
      taxRateBp: (rateFor(l.taxCategory ?? 'standard') ?? rateFor('standard'))?.rate_bp ?? 0,
    }));

    const rejectedCoupons: Quote['rejectedCoupons'] = [];
    const rules: PromotionRule[] = [];
    const names = new Map<string, string>();
    for (const p of await refs.automaticPromotions()) {
      if (unusable(p, input.currency, now)) continue;
      rules.push(toRule(p, null));
      names.set(p.id, p.name);
    }
    const codes = [...new Set(input.couponCodes.map((c) => c.toUpperCase()))].slice(0, MAX_COUPONS);
    const found = await repo.couponPromotions(db.k, codes);
    for (const code of codes) {
      const p = found.find((f) => f.code === code);
      if (!p) {
        rejectedCoupons.push({ code, reason: 'unknown_code' });
        continue;
      }
      const why = unusable(p, input.currency, now);
      if (why) rejectedCoupons.push({ code, reason: why });
      else if (!rules.some((r) => r.promotionId === p.id)) {
        rules.push(toRule(p, code));
        names.set(p.id, p.name);
      }
    }

    let shippingMethod: ShippingOption | null = null;
    if (input.shippingMethodId) {
      shippingMethod = (await shippingOptions(input)).find((o) => o.id === input.shippingMethodId) ?? null;
    }
    const totals = computeTotals(lines, rules, shippingMethod?.price.amount ?? 0, { pricesIncludeTax });
    for (const r of totals.rejected) if (r.code) rejectedCoupons.push({ code: r.code, reason: r.reason });
    return {
      totals,
      pricesIncludeTax,
      shippingMethod,
      promotions: totals.applied.map((a) => ({
        promotionId: a.promotionId,
        name: names.get(a.promotionId) ?? '',
        code: a.code,
        amount: money(a.amount, input.currency),
      })),
      rejectedCoupons,
    };
  }

  return { quote, shippingOptions };
}
