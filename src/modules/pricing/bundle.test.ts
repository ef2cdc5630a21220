import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type BundleItem, fitBundles } from './bundle.ts';
import { computeTotals, type PromotionRule, type TotalsLine } from './totals.ts';

const line = (id: string, productId: string, unitPrice: number, quantity: number, variantId = `v_${id}`) =>
  ({ lineId: id, productId, variantId, categoryIds: [], unitPrice, quantity, taxRateBp: 0 }) satisfies TotalsLine;
const bundle = (over: Partial<PromotionRule> = {}): PromotionRule => ({
  promotionId: 'pr_bundle',
  code: null,
  automatic: true,
  kind: 'bundle',
  value: 9900,
  minSubtotal: null,
  productIds: [],
  categoryIds: [],
  exclusive: false,
  priority: 0,
  bundleItems: [
    { productId: 'phone', quantity: 1 },
    { productId: 'case', quantity: 1 },
    { productId: 'charger', quantity: 1 },
  ],
  ...over,
});
const net = { pricesIncludeTax: false };

describe('bundle promotions', () => {
  it('[REQ-PRC-014] phone 80.00 + case 15.00 + charger 20.00 for 99.00: 16.00 off, split by the units’ value', () => {
    const lines = [line('a', 'phone', 8000, 1), line('b', 'case', 1500, 1), line('c', 'charger', 2000, 1)];
    const t = computeTotals(lines, [bundle()], 0, net);
    expect(t.applied).toEqual([{ promotionId: 'pr_bundle', code: null, amount: 1600 }]);
    // 1600 × 8000/11500 = 1113.04, × 1500/11500 = 208.70, × 2000/11500 = 278.26 → 1113, 209, 278
    expect(t.lines.map((l) => l.discount)).toEqual([1113, 209, 278]);
    expect(t.total).toBe(9900);
  });

  it('[REQ-PRC-014] applies once per complete bundle; units beyond the bundles keep their price', () => {
    const lines = (phones: number, cases: number, chargers: number) => [
      line('a', 'phone', 8000, phones),
      line('b', 'case', 1500, cases),
      line('c', 'charger', 2000, chargers),
      line('d', 'cable', 500, 2),
    ];
    let t = computeTotals(lines(2, 2, 1), [bundle()], 0, net);
    expect([t.discount, t.total]).toEqual([1600, 2 * 8000 + 2 * 1500 + 2000 + 1000 - 1600]);
    t = computeTotals(lines(2, 3, 2), [bundle()], 0, net);
    expect(t.applied[0]?.amount).toBe(3200);
    // 3200 over 16000 / 3000 / 4000: 2226.09, 417.39, 556.52 → the spare unit goes to the largest remainder
    expect(t.lines.map((l) => l.discount)).toEqual([2226, 417, 557, 0]);
    expect(t.total).toBe(2 * 9900 + 1500 + 1000);
    t = computeTotals(lines(2, 2, 0), [bundle({ code: 'SET' })], 0, net);
    expect(t.rejected).toEqual([{ promotionId: 'pr_bundle', code: 'SET', reason: 'min_quantity_not_met' }]);
    expect(t.discount).toBe(0);
  });

  it('[REQ-PRC-014] item quantities and variants: 2 × a given variant + 1 of a product', () => {
    const items = [
      { variantId: 'v_red', quantity: 2 },
      { productId: 'case', quantity: 1 },
    ];
    const lines = [
      line('a', 'shirt', 1000, 3, 'v_blue'),
      line('b', 'shirt', 1200, 5, 'v_red'),
      line('c', 'case', 700, 1, 'v_case1'),
      line('d', 'case', 300, 2, 'v_case2'),
    ];
    // 5 red → 2 bundles; cases cheapest first: both of line d. Value 4 × 1200 + 2 × 300 = 5400; 2 × 25.00 = 5000.
    const t = computeTotals(lines, [bundle({ value: 2500, bundleItems: items })], 0, net);
    expect(fitBundles(items, lines)).toEqual({ count: 2, units: [0, 4, 0, 2] });
    expect(t.applied[0]?.amount).toBe(400);
    expect(t.lines.map((l) => l.discount)).toEqual([0, 356, 0, 44]);
  });

  it('[REQ-PRC-014] never negative: a bundle dearer than its items is rejected no_discount', () => {
    const lines = [line('a', 'phone', 8000, 1), line('b', 'case', 1500, 1), line('c', 'charger', 2000, 1)];
    const t = computeTotals(lines, [bundle({ value: 11500, code: 'SET' })], 0, net);
    expect(t.applied).toEqual([]);
    expect(t.rejected).toEqual([{ promotionId: 'pr_bundle', code: 'SET', reason: 'no_discount' }]);
    expect(t.total).toBe(11500);
    const none = computeTotals([line('x', 'cable', 500, 3)], [bundle()], 0, net);
    expect(none.rejected[0]?.reason).toBe('no_eligible_items');
  });

  it('[REQ-PRC-014] in the order of application: after an automatic 10 % sale, capped by what is left', () => {
    const lines = [line('a', 'phone', 8000, 1), line('b', 'case', 1500, 1), line('c', 'charger', 2000, 1)];
    const sale: PromotionRule = { ...bundle(), promotionId: 'pr_sale', kind: 'percentage', value: 1000, priority: 5 };
    // sale first (priority 5): 1150 off → 800, 150, 200; bundle at line prices: 11500 − 9900 = 1600, stacked
    const t = computeTotals(lines, [bundle({ code: 'SET', automatic: false }), sale], 0, net);
    expect(t.applied.map((a) => [a.promotionId, a.amount])).toEqual([
      ['pr_sale', 1150],
      ['pr_bundle', 1600],
    ]);
    expect(t.total).toBe(11500 - 2750);
    // a 99 % sale leaves 115 in total: the bundle discount is capped at it and the lines end at 0
    const deep = computeTotals(lines, [bundle({ code: 'SET', automatic: false }), { ...sale, value: 9900 }], 0, net);
    expect(deep.applied.map((a) => a.amount)).toEqual([11385, 115]);
    expect(deep.lines.map((l) => l.discount)).toEqual([8000, 1500, 2000]);
    const exclusive = computeTotals(lines, [bundle({ exclusive: true }), sale], 0, net);
    expect(exclusive.applied.map((a) => a.promotionId)).toEqual(['pr_bundle']);
    expect(exclusive.rejected).toEqual([{ promotionId: 'pr_sale', code: null, reason: 'not_stackable' }]);
  });

  it('[REQ-PRC-014] property: the count is the most complete bundles; discount = max(0, value − count × price)', () => {
    // Real carts: a variant belongs to one product (v1, v2 → p1; v3 → p2; v4 → p3).
    const productOf: Record<string, string> = { v1: 'p1', v2: 'p1', v3: 'p2', v4: 'p3' };
    const arbLine = fc.record({
      variantId: fc.constantFrom('v1', 'v2', 'v3', 'v4'),
      unitPrice: fc.integer({ min: 0, max: 5000 }),
      quantity: fc.integer({ min: 1, max: 20 }),
    });
    const arbItem: fc.Arbitrary<BundleItem> = fc.oneof(
      fc.record({ productId: fc.constantFrom('p1', 'p2', 'p3'), quantity: fc.integer({ min: 1, max: 3 }) }),
      fc.record({ variantId: fc.constantFrom('v1', 'v2', 'v3', 'v4'), quantity: fc.integer({ min: 1, max: 3 }) }),
    );
    fc.assert(
      fc.property(
        fc.array(arbLine, { maxLength: 8 }),
        fc.array(arbItem, { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 0, max: 20000 }),
        (raw, items, price) => {
          const lines = raw.map((l, i) =>
            line(`l${i}`, productOf[l.variantId] ?? '', l.unitPrice, l.quantity, l.variantId),
          );
          // Hall's condition on the nested sets (variant ⊂ product) gives the most complete bundles.
          const units = (pred: (l: TotalsLine) => boolean) => lines.filter(pred).reduce((a, l) => a + l.quantity, 0);
          let expected = Number.POSITIVE_INFINITY;
          for (const key of [...Object.keys(productOf), 'p1', 'p2', 'p3']) {
            const isVariant = key.startsWith('v');
            const need = items
              .filter((it) =>
                isVariant ? it.variantId === key : (it.productId ?? productOf[it.variantId ?? '']) === key,
              )
              .reduce((a, it) => a + it.quantity, 0);
            const have = units((l) => (isVariant ? l.variantId === key : l.productId === key));
            if (need > 0) expected = Math.min(expected, Math.floor(have / need));
          }
          const fit = fitBundles(items, lines);
          expect(fit.count).toBe(expected);
          const t = computeTotals(lines, [bundle({ value: price, bundleItems: items })], 0, net);
          const value = lines.reduce((a, l, i) => a + l.unitPrice * (fit.units[i] ?? 0), 0);
          const want = fit.count > 0 ? Math.max(0, value - fit.count * price) : 0;
          expect(t.discount).toBe(want);
          fit.units.forEach((u, i) => {
            expect(t.lines[i]?.discount ?? 0).toBeLessThanOrEqual(u * (lines[i]?.unitPrice ?? 0));
          });
        },
      ),
      { numRuns: 2000 },
    );
  });
});
