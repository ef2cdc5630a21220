import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allocate, computeTotals, type PromotionRule, type TotalsLine } from './totals.ts';

const line = (
  id: string,
  unitPrice: number,
  quantity: number,
  taxRateBp = 1900,
  productId = `p_${id}`,
): TotalsLine => ({
  lineId: id,
  productId,
  categoryIds: [],
  unitPrice,
  quantity,
  taxRateBp,
});
const promo = (
  over: Partial<PromotionRule> & Pick<PromotionRule, 'promotionId' | 'kind' | 'value'>,
): PromotionRule => ({
  code: null,
  automatic: false,
  minSubtotal: null,
  productIds: [],
  categoryIds: [],
  exclusive: false,
  priority: 0,
  ...over,
});

const arbLine = (maxPrice: number) =>
  fc.record({
    lineId: fc.uuid(),
    productId: fc.constantFrom('p1', 'p2', 'p3'),
    variantId: fc.constantFrom('v1', 'v2', 'v3', 'v4'),
    categoryIds: fc.subarray(['c1', 'c2']),
    unitPrice: fc.integer({ min: 0, max: maxPrice }),
    quantity: fc.integer({ min: 1, max: 999 }),
    taxRateBp: fc.constantFrom(0, 700, 1900, 2100, 2000, 825),
  });
const arbBundleItem = fc.oneof(
  fc.record({ productId: fc.constantFrom('p1', 'p2', 'p3'), quantity: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ variantId: fc.constantFrom('v1', 'v2', 'v3', 'v4'), quantity: fc.integer({ min: 1, max: 3 }) }),
);
const arbPromo = fc.record({
  promotionId: fc.constantFrom('pr_a', 'pr_b', 'pr_c', 'pr_d'),
  code: fc.option(fc.constantFrom('SAVE', 'MORE'), { nil: null }),
  automatic: fc.boolean(),
  kind: fc.constantFrom('percentage', 'fixed', 'free_shipping', 'buy_x_get_y', 'bundle'),
  buyQuantity: fc.integer({ min: 1, max: 4 }),
  getQuantity: fc.integer({ min: 1, max: 3 }),
  value: fc.integer({ min: 1, max: 10000 }),
  minSubtotal: fc.option(fc.integer({ min: 0, max: 100000 }), { nil: null }),
  productIds: fc.subarray(['p1', 'p2']),
  categoryIds: fc.subarray(['c1']),
  exclusive: fc.boolean(),
  priority: fc.integer({ min: 0, max: 3 }),
  bundleItems: fc.array(arbBundleItem, { minLength: 1, maxLength: 3 }),
}) as fc.Arbitrary<PromotionRule>;

describe('computeTotals', () => {
  it('[REQ-PRC-001] [REQ-PRC-014] sum(lines) + shipping − discount + tax = total exactly over thousands of random carts (bundles included)', () => {
    fc.assert(
      fc.property(
        fc.array(arbLine(5_000_000_000), { maxLength: 30 }),
        fc.array(arbPromo, { maxLength: 4 }),
        fc.integer({ min: 0, max: 100_000 }),
        fc.boolean(),
        (lines, promos, shipping, gross) => {
          const t = computeTotals(lines, promos, shipping, { pricesIncludeTax: gross });
          const sumLines = t.lines.reduce((a, l) => a + l.lineTotal, 0);
          expect(sumLines).toBe(t.subtotal);
          expect(t.subtotal + t.shipping - t.discount + t.tax).toBe(t.total);
          expect(t.lines.reduce((a, l) => a + l.discount, 0)).toBe(t.discount);
          expect(t.lines.reduce((a, l) => a + l.tax, 0)).toBe(t.tax);
          for (const l of t.lines) {
            expect(l.discount).toBeGreaterThanOrEqual(0);
            expect(l.discount).toBeLessThanOrEqual(l.lineTotal);
          }
          expect(t.total).toBeGreaterThanOrEqual(0);
          if (gross) expect(t.tax).toBe(0);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('[REQ-PRC-001] amounts beyond 2^31 minor units stay exact (0-, 2- and 3-decimal currencies)', () => {
    // JPY (0 decimals): 3,000,000,000 × 2 = 6e9 at 10 %
    const jpy = computeTotals([line('a', 3_000_000_000, 2, 1000)], [], 0, { pricesIncludeTax: false });
    expect(jpy).toMatchObject({ subtotal: 6_000_000_000, tax: 600_000_000, total: 6_600_000_000 });
    // KWD (3 decimals): 1.005 KWD × 3 at 5 % → 3.015 + 0.151 (150.75 → 151 fils)
    const kwd = computeTotals([line('a', 1005, 3, 500)], [], 0, { pricesIncludeTax: false });
    expect(kwd).toMatchObject({ subtotal: 3015, tax: 151, total: 3166 });
  });

  it('[REQ-PRC-002] tax per line rounds half away from zero; gross prices report the included tax', () => {
    // 19 % of 250 = 47.5 → 48; of 150 = 28.5 → 29 (per line, not on the sum 400 → 76)
    const t = computeTotals([line('a', 250, 1), line('b', 150, 1)], [], 0, { pricesIncludeTax: false });
    expect(t.lines.map((l) => l.tax)).toEqual([48, 29]);
    expect(t.total).toBe(477);
    const g = computeTotals([line('a', 11900, 1)], [], 495, { pricesIncludeTax: true });
    expect(g).toMatchObject({ subtotal: 11900, tax: 0, taxIncluded: 1900, total: 12395 });
  });

  it('[REQ-PRC-003] discounts are allocated to lines by largest remainder and the lines sum to the discount', () => {
    expect(allocate(100n, [1n, 1n, 1n])).toEqual([34n, 33n, 33n]);
    const t = computeTotals(
      [line('a', 1000, 1, 0), line('b', 2000, 1, 0)],
      [promo({ promotionId: 'pr_1', kind: 'fixed', value: 1001 })],
      0,
      { pricesIncludeTax: false },
    );
    expect(t.lines.map((l) => l.discount)).toEqual([334, 667]);
    expect(t.total).toBe(1999);
  });

  it('[REQ-PRC-004] automatic before coupons, priority then id; an exclusive promotion blocks the others', () => {
    const lines = [line('a', 10000, 1, 0, 'p1'), line('b', 10000, 1, 0, 'p2')];
    const pct = promo({ promotionId: 'pr_pct', code: 'TEN', kind: 'percentage', value: 1000 });
    const sale = promo({ promotionId: 'pr_sale', automatic: true, kind: 'fixed', value: 2000, productIds: ['p1'] });
    const t = computeTotals(lines, [pct, sale], 500, { pricesIncludeTax: false });
    // sale first: 2000 off line a; then 10 % of the remaining 18000 = 1800
    expect(t.applied).toEqual([
      { promotionId: 'pr_sale', code: null, amount: 2000 },
      { promotionId: 'pr_pct', code: 'TEN', amount: 1800 },
    ]);
    expect(t.lines.map((l) => l.discount)).toEqual([2800, 1000]);
    expect(t.total).toBe(20000 + 500 - 3800);
    const ex = computeTotals(lines, [pct, { ...sale, exclusive: true }], 500, { pricesIncludeTax: false });
    expect(ex.applied.map((a) => a.promotionId)).toEqual(['pr_sale']);
    expect(ex.rejected).toEqual([{ promotionId: 'pr_pct', code: 'TEN', reason: 'not_stackable' }]);
  });

  it('[REQ-PRC-005] free shipping zeroes shipping; minimum subtotal and targeting reject with a reason', () => {
    const lines = [line('a', 3000, 1, 0, 'p1')];
    const free = promo({ promotionId: 'pr_free', code: 'SHIP', kind: 'free_shipping', value: 0 });
    const min = promo({ promotionId: 'pr_min', code: 'BIG', kind: 'fixed', value: 500, minSubtotal: 5000 });
    const target = promo({ promotionId: 'pr_t', code: 'P9', kind: 'fixed', value: 500, productIds: ['p9'] });
    const t = computeTotals(lines, [free, min, target], 495, { pricesIncludeTax: false });
    expect(t).toMatchObject({ shipping: 0, discount: 0, total: 3000 });
    expect(t.applied).toEqual([{ promotionId: 'pr_free', code: 'SHIP', amount: 495 }]);
    expect(t.rejected).toEqual([
      { promotionId: 'pr_min', code: 'BIG', reason: 'min_subtotal_not_met' },
      { promotionId: 'pr_t', code: 'P9', reason: 'no_eligible_items' },
    ]);
  });

  it('[REQ-PRC-013] buy X get Y: the cheapest eligible units are free; too few units are rejected with a reason', () => {
    const b2g1 = promo({
      promotionId: 'pr_b2g1',
      automatic: true,
      kind: 'buy_x_get_y',
      value: 0,
      productIds: ['p1'],
      buyQuantity: 2,
      getQuantity: 1,
    });
    const lines = (qa: number, qb: number) => [
      line('a', 1000, qa, 0, 'p1'),
      line('b', 500, qb, 0, 'p1'),
      line('c', 100, 3, 0, 'p2'),
    ];
    // 5 eligible units → 1 free: one 5.00 unit of line b (line c is not targeted)
    let t = computeTotals(lines(3, 2), [b2g1], 0, { pricesIncludeTax: false });
    expect(t.lines.map((l) => l.discount)).toEqual([0, 500, 0]);
    // 6 units → 2 free: both units of b
    t = computeTotals(lines(4, 2), [b2g1], 0, { pricesIncludeTax: false });
    expect(t.lines.map((l) => l.discount)).toEqual([0, 1000, 0]);
    expect(t.applied).toEqual([{ promotionId: 'pr_b2g1', code: null, amount: 1000 }]);
    t = computeTotals([line('a', 1000, 2, 0, 'p1')], [b2g1], 0, { pricesIncludeTax: false });
    expect(t.rejected).toEqual([{ promotionId: 'pr_b2g1', code: null, reason: 'min_quantity_not_met' }]);
    expect(t.total).toBe(2000);
  });
});
