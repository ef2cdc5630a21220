import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type RefundableLine, returnRefund, unitsRefund } from './return-refund.ts';

describe('return refunds [REQ-ORD-015]', () => {
  it('[REQ-ORD-015] 3 units paid 1000 returned one by one refund 333, 333, 334', () => {
    const line: RefundableLine = { variantId: 'v', quantity: 3, lineTotal: 900, discount: 90, tax: 190, received: 0 };
    const refunds: number[] = [];
    for (let i = 0; i < 3; i++) {
      refunds.push(unitsRefund({ ...line, received: i }, 1));
    }
    expect(refunds).toEqual([333, 333, 334]);
    expect(() => unitsRefund({ ...line, received: 2 }, 2)).toThrow(RangeError);
    expect(returnRefund(new Map([['v', line]]), [{ variantId: 'v', quantity: 2 }])).toEqual({
      total: 666,
      items: [{ variantId: 'v', quantity: 2, refund: 666 }],
    });
  });

  it('[REQ-ORD-015] any split of a line into returns refunds exactly what was paid for it, never a negative amount', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 0, max: 10_000_000 }),
        fc.integer({ min: 0, max: 100 }),
        fc.integer({ min: 0, max: 2_000_000 }),
        fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 50 }),
        (quantity, lineTotal, discountPct, tax, parts) => {
          const discount = Math.floor((lineTotal * discountPct) / 100);
          let received = 0;
          let refunded = 0;
          for (const part of parts) {
            const units = Math.min(part, quantity - received);
            if (units === 0) break;
            const r = unitsRefund({ variantId: 'v', quantity, lineTotal, discount, tax, received }, units);
            expect(r).toBeGreaterThanOrEqual(0);
            refunded += r;
            received += units;
          }
          if (received < quantity) {
            refunded += unitsRefund(
              { variantId: 'v', quantity, lineTotal, discount, tax, received },
              quantity - received,
            );
          }
          expect(refunded).toBe(lineTotal - discount + tax);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
