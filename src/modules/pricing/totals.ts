// The one pure totals function. Integer minor units throughout (BigInt for intermediate products, so
// amounts beyond 2^31 — and products of amounts and rates beyond 2^53 — stay exact).
//
// Order of application (deterministic): automatic promotions before coupons; within each group by
// priority (higher first), then promotion id. If any eligible promotion is exclusive, only the first
// eligible exclusive one applies (the others are rejected `not_stackable`); otherwise every eligible
// stackable promotion applies in order, each on what the previous ones left of its lines.
// Each discount is allocated to its eligible lines in proportion to their remaining amount
// (largest remainder, ties by line order). Free shipping zeroes the shipping amount. Buy X get Y makes the
// cheapest eligible units free (for every X + Y units, Y of them). A bundle (fixed price for a set of items) applies
// once per complete bundle: its discount is the bundle units' value at their line prices minus count × bundle price,
// allocated to those units' lines like any discount and capped by what earlier promotions left of them; a bundle that
// would not lower the price is rejected `no_discount` (see bundle.ts for which units make a bundle).
// Tax per line, after its discount, rounded half away from zero per line. Net regions add it
// (`tax`); gross regions (prices include tax) report the included share (`taxIncluded`) and add
// nothing. Shipping is not taxed in this version. Invariant: subtotal + shipping − discount + tax = total.

import { type BundleFit, type BundleItem, fitBundles, itemMatches } from './bundle.ts';

export type { BundleItem } from './bundle.ts';
export type PromotionKind = 'percentage' | 'fixed' | 'free_shipping' | 'buy_x_get_y' | 'bundle';

export interface TotalsLine {
  lineId: string;
  productId: string;
  /** Needed by bundles that name a variant; other promotions target products and categories. */
  variantId?: string | undefined;
  categoryIds: readonly string[];
  unitPrice: number;
  quantity: number;
  /** Tax rate in basis points (1900 = 19 %). */
  taxRateBp: number;
}

export interface PromotionRule {
  promotionId: string;
  code: string | null;
  automatic: boolean;
  kind: PromotionKind;
  /** Basis points for `percentage` (1–10000), minor units for `fixed` and for the price of one `bundle`,
   * unused for `free_shipping` and `buy_x_get_y`. */
  value: number;
  minSubtotal: number | null;
  productIds: readonly string[];
  categoryIds: readonly string[];
  exclusive: boolean;
  priority: number;
  /** buy_x_get_y: for every buyQuantity + getQuantity eligible units, the getQuantity cheapest are free. */
  buyQuantity?: number;
  getQuantity?: number;
  /** bundle: the items sold together for `value`; productIds/categoryIds are not used. */
  bundleItems?: readonly BundleItem[];
}

export interface TaxRules {
  pricesIncludeTax: boolean;
}

export interface LineTotals {
  lineId: string;
  lineTotal: number;
  discount: number;
  tax: number;
  taxIncluded: number;
}

export type RejectionReason =
  | 'min_subtotal_not_met'
  | 'min_quantity_not_met'
  | 'no_eligible_items'
  | 'no_discount'
  | 'not_stackable';

export interface Totals {
  lines: LineTotals[];
  subtotal: number;
  discount: number;
  shipping: number;
  tax: number;
  taxIncluded: number;
  total: number;
  applied: { promotionId: string; code: string | null; amount: number }[];
  rejected: { promotionId: string; code: string | null; reason: RejectionReason }[];
}

/** Rounds n/d (d > 0) half away from zero, in BigInt. */
export function divRound(n: bigint, d: bigint): bigint {
  const neg = n < 0n;
  const a = neg ? -n : n;
  const q = a / d;
  const r = a - q * d;
  const out = r * 2n >= d ? q + 1n : q;
  return neg ? -out : out;
}

/** Splits `amount` over `weights` proportionally; largest remainder, ties by index. Sum is exact. */
export function allocate(amount: bigint, weights: readonly bigint[]): bigint[] {
  const total = weights.reduce((a, b) => a + b, 0n);
  if (total === 0n) return weights.map(() => 0n);
  const shares = weights.map((w) => (amount * w) / total);
  let rest = amount - shares.reduce((a, b) => a + b, 0n);
  const order = weights
    .map((w, i) => ({ i, rem: (amount * w) % total }))
    .sort((a, b) => (a.rem === b.rem ? a.i - b.i : a.rem > b.rem ? -1 : 1));
  for (const { i } of order) {
    if (rest <= 0n) break;
    shares[i] = (shares[i] ?? 0n) + 1n;
    rest -= 1n;
  }
  return shares;
}

export function sortPromotions(promotions: readonly PromotionRule[]): PromotionRule[] {
  return [...promotions].sort(
    (a, b) =>
      Number(b.automatic) - Number(a.automatic) ||
      b.priority - a.priority ||
      (a.promotionId < b.promotionId ? -1 : a.promotionId > b.promotionId ? 1 : 0),
  );
}

function eligibleIndexes(p: PromotionRule, lines: readonly TotalsLine[]): number[] {
  const out: number[] = [];
  if (p.kind === 'bundle') {
    const items = p.bundleItems ?? [];
    lines.forEach((l, i) => {
      if (items.some((item) => itemMatches(item, l))) out.push(i);
    });
    return out;
  }
  lines.forEach((l, i) => {
    const targeted = p.productIds.length > 0 || p.categoryIds.length > 0;
    if (!targeted || p.productIds.includes(l.productId) || l.categoryIds.some((c) => p.categoryIds.includes(c)))
      out.push(i);
  });
  return out;
}

function freeUnits(p: PromotionRule, idx: number[], lines: readonly TotalsLine[]): number {
  const buy = Math.max(1, p.buyQuantity ?? 1);
  const get = Math.max(1, p.getQuantity ?? 1);
  const units = idx.reduce((a, i) => a + (lines[i]?.quantity ?? 0), 0);
  return Math.floor(units / (buy + get)) * get;
}

function bundleValue(units: readonly number[], lines: readonly TotalsLine[]): bigint {
  return lines.reduce((a, l, i) => a + BigInt(l.unitPrice) * BigInt(units[i] ?? 0), 0n);
}

export function computeTotals(
  lines: readonly TotalsLine[],
  promotions: readonly PromotionRule[],
  shipping: number,
  taxRules: TaxRules,
): Totals {
  const lineTotals = lines.map((l) => BigInt(l.unitPrice) * BigInt(l.quantity));
  const subtotal = lineTotals.reduce((a, b) => a + b, 0n);
  const discounts = lines.map(() => 0n);
  let shippingDue = BigInt(shipping);
  const applied: Totals['applied'] = [];
  const rejected: Totals['rejected'] = [];

  const candidates: { p: PromotionRule; idx: number[]; fit?: BundleFit }[] = [];
  for (const p of sortPromotions(promotions)) {
    if (p.minSubtotal !== null && subtotal < BigInt(p.minSubtotal)) {
      rejected.push({ promotionId: p.promotionId, code: p.code, reason: 'min_subtotal_not_met' });
      continue;
    }
    const idx = eligibleIndexes(p, lines);
    if (p.kind !== 'free_shipping' && idx.length === 0) {
      rejected.push({ promotionId: p.promotionId, code: p.code, reason: 'no_eligible_items' });
      continue;
    }
    if (p.kind === 'buy_x_get_y' && freeUnits(p, idx, lines) === 0) {
      rejected.push({ promotionId: p.promotionId, code: p.code, reason: 'min_quantity_not_met' });
      continue;
    }
    if (p.kind === 'bundle') {
      const fit = fitBundles(p.bundleItems ?? [], lines);
      if (fit.count === 0) {
        rejected.push({ promotionId: p.promotionId, code: p.code, reason: 'min_quantity_not_met' });
        continue;
      }
      if (bundleValue(fit.units, lines) <= BigInt(fit.count) * BigInt(p.value)) {
        rejected.push({ promotionId: p.promotionId, code: p.code, reason: 'no_discount' });
        continue;
      }
      candidates.push({ p, idx, fit });
      continue;
    }
    candidates.push({ p, idx });
  }
  const exclusive = candidates.find((c) => c.p.exclusive);
  const chosen = exclusive ? [exclusive] : candidates;
  for (const c of candidates)
    if (!chosen.includes(c)) rejected.push({ promotionId: c.p.promotionId, code: c.p.code, reason: 'not_stackable' });

  for (const { p, idx, fit } of chosen) {
    if (p.kind === 'free_shipping') {
      applied.push({ promotionId: p.promotionId, code: p.code, amount: Number(shippingDue) });
      shippingDue = 0n;
      continue;
    }
    if (p.kind === 'buy_x_get_y') {
      // The cheapest eligible units are the free ones (ties by line order), capped by what is left of each line.
      let free = freeUnits(p, idx, lines);
      let amount = 0n;
      const cheapest = [...idx].sort((a, b) => (lines[a]?.unitPrice ?? 0) - (lines[b]?.unitPrice ?? 0) || a - b);
      for (const i of cheapest) {
        if (free <= 0) break;
        const l = lines[i];
        if (!l) continue;
        const n = Math.min(free, l.quantity);
        const left = (lineTotals[i] ?? 0n) - (discounts[i] ?? 0n);
        const d = BigInt(l.unitPrice) * BigInt(n) < left ? BigInt(l.unitPrice) * BigInt(n) : left;
        discounts[i] = (discounts[i] ?? 0n) + d;
        amount += d;
        free -= n;
      }
      applied.push({ promotionId: p.promotionId, code: p.code, amount: Number(amount) });
      continue;
    }
    if (p.kind === 'bundle' && fit) {
      // The bundle units' value minus the bundle prices, over the bundle lines by those units' value, each
      // line's share capped by what is left of it (so the amount is too).
      const weights = lines.map((l, i) => {
        const value = BigInt(l.unitPrice) * BigInt(fit.units[i] ?? 0);
        const left = (lineTotals[i] ?? 0n) - (discounts[i] ?? 0n);
        return value < left ? value : left;
      });
      const cap = weights.reduce((a, b) => a + b, 0n);
      let amount = bundleValue(fit.units, lines) - BigInt(fit.count) * BigInt(p.value);
      if (amount > cap) amount = cap;
      if (amount < 0n) amount = 0n;
      allocate(amount, weights).forEach((share, i) => {
        discounts[i] = (discounts[i] ?? 0n) + share;
      });
      applied.push({ promotionId: p.promotionId, code: p.code, amount: Number(amount) });
      continue;
    }
    const remaining = idx.map((i) => (lineTotals[i] ?? 0n) - (discounts[i] ?? 0n));
    const base = remaining.reduce((a, b) => a + b, 0n);
    let amount = p.kind === 'percentage' ? divRound(base * BigInt(Math.min(p.value, 10000)), 10000n) : BigInt(p.value);
    if (amount > base) amount = base;
    if (amount < 0n) amount = 0n;
    const shares = allocate(amount, remaining);
    idx.forEach((i, k) => {
      discounts[i] = (discounts[i] ?? 0n) + (shares[k] ?? 0n);
    });
    applied.push({ promotionId: p.promotionId, code: p.code, amount: Number(amount) });
  }

  const out: LineTotals[] = lines.map((l, i) => {
    const net = (lineTotals[i] ?? 0n) - (discounts[i] ?? 0n);
    const bp = BigInt(l.taxRateBp);
    const tax = taxRules.pricesIncludeTax ? 0n : divRound(net * bp, 10000n);
    const taxIncluded = taxRules.pricesIncludeTax ? divRound(net * bp, 10000n + bp) : 0n;
    return {
      lineId: l.lineId,
      lineTotal: Number(lineTotals[i]),
      discount: Number(discounts[i]),
      tax: Number(tax),
      taxIncluded: Number(taxIncluded),
    };
  });
  const discount = discounts.reduce((a, b) => a + b, 0n);
  const tax = out.reduce((a, l) => a + BigInt(l.tax), 0n);
  const taxIncluded = out.reduce((a, l) => a + BigInt(l.taxIncluded), 0n);
  const total = subtotal + shippingDue - discount + tax;
  for (const v of [subtotal, total]) {
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError('cart total exceeds the largest exact amount');
  }
  return {
    lines: out,
    subtotal: Number(subtotal),
    discount: Number(discount),
    shipping: Number(shippingDue),
    tax: Number(tax),
    taxIncluded: Number(taxIncluded),
    total: Number(total),
    applied,
    rejected,
  };
}
