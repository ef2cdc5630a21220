import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalDemand, planAllocation, requestHash } from './allocation.ts';

const tracked = new Map();

describe('allocation rules', () => {
  it('[REQ-INV-005] demand is summed per variant and sorted; the hash ignores line order', () => {
    const d = canonicalDemand([
      { variantId: 'b', quantity: 1 },
      { variantId: 'a', quantity: 2 },
      { variantId: 'b', quantity: 3 },
    ]);
    expect(d).toEqual([
      { variantId: 'a', quantity: 2 },
      { variantId: 'b', quantity: 4 },
    ]);
    expect(requestHash(d)).toBe(
      requestHash(
        canonicalDemand([
          { variantId: 'b', quantity: 4 },
          { variantId: 'a', quantity: 2 },
        ]),
      ),
    );
    expect(requestHash(d)).not.toBe(requestHash(canonicalDemand([{ variantId: 'b', quantity: 4 }])));
  });

  it('[REQ-INV-003] one warehouse that has everything wins over a higher-priority partial one', () => {
    const plan = planAllocation(
      [
        { variantId: 'a', quantity: 1 },
        { variantId: 'b', quantity: 1 },
      ],
      tracked,
      [
        { id: 'w1', priority: 10 },
        { id: 'w2', priority: 1 },
      ],
      [
        { variantId: 'a', warehouseId: 'w1', reservable: 5 },
        { variantId: 'a', warehouseId: 'w2', reservable: 5 },
        { variantId: 'b', warehouseId: 'w2', reservable: 5 },
      ],
    );
    expect(plan).toEqual({
      ok: true,
      lines: [
        { variantId: 'a', warehouseId: 'w2', quantity: 1 },
        { variantId: 'b', warehouseId: 'w2', quantity: 1 },
      ],
    });
  });

  it('[REQ-INV-003] otherwise splits by priority, and reports every short variant', () => {
    const ranks = [
      { id: 'w1', priority: 1 },
      { id: 'w2', priority: 9 },
    ];
    const levels = [
      { variantId: 'a', warehouseId: 'w1', reservable: 3 },
      { variantId: 'a', warehouseId: 'w2', reservable: 2 },
      { variantId: 'b', warehouseId: 'w1', reservable: -4 },
    ];
    expect(planAllocation([{ variantId: 'a', quantity: 4 }], tracked, ranks, levels)).toEqual({
      ok: true,
      lines: [
        { variantId: 'a', warehouseId: 'w1', quantity: 2 },
        { variantId: 'a', warehouseId: 'w2', quantity: 2 },
      ],
    });
    expect(
      planAllocation(
        [
          { variantId: 'a', quantity: 6 },
          { variantId: 'b', quantity: 1 },
          { variantId: 'c', quantity: 1 },
        ],
        new Map([['c', 'untracked' as const]]),
        ranks,
        levels,
      ),
    ).toEqual({ ok: false, shortVariants: ['a', 'b'] });
  });

  it('[REQ-INV-003] property: a plan never takes more than a level can give and covers the demand exactly', () => {
    const arb = fc.record({
      demand: fc.uniqueArray(
        fc.record({ variantId: fc.constantFrom('a', 'b', 'c'), quantity: fc.integer({ min: 1, max: 9 }) }),
        {
          selector: (d) => d.variantId,
          minLength: 1,
        },
      ),
      levels: fc.uniqueArray(
        fc.record({
          variantId: fc.constantFrom('a', 'b', 'c'),
          warehouseId: fc.constantFrom('w1', 'w2', 'w3'),
          reservable: fc.integer({ min: -3, max: 9 }),
        }),
        { selector: (l) => `${l.variantId}/${l.warehouseId}` },
      ),
    });
    const ranks = [
      { id: 'w1', priority: 1 },
      { id: 'w2', priority: 2 },
      { id: 'w3', priority: 2 },
    ];
    fc.assert(
      fc.property(arb, ({ demand, levels }) => {
        const sorted = canonicalDemand(demand);
        const plan = planAllocation(sorted, tracked, ranks, levels);
        const total = (v: string) =>
          levels.filter((l) => l.variantId === v).reduce((s, l) => s + Math.max(0, l.reservable), 0);
        if (!plan.ok) {
          expect(plan.shortVariants.length).toBeGreaterThan(0);
          for (const v of plan.shortVariants)
            expect(total(v)).toBeLessThan(sorted.find((d) => d.variantId === v)?.quantity ?? 0);
          return;
        }
        for (const d of sorted) {
          expect(plan.lines.filter((l) => l.variantId === d.variantId).reduce((s, l) => s + l.quantity, 0)).toBe(
            d.quantity,
          );
        }
        for (const l of plan.lines) {
          const lv = levels.find((x) => x.variantId === l.variantId && x.warehouseId === l.warehouseId);
          expect(l.quantity).toBeLessThanOrEqual(lv?.reservable ?? 0);
        }
        const keys = plan.lines.map((l) => `${l.variantId}/${l.warehouseId}`);
        expect(keys).toEqual([...keys].sort());
      }),
    );
  });
});
