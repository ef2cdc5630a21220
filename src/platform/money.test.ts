import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { currencyExponent, formatMajorUnits, money, parseMajorUnits, roundHalfAwayFromZero } from './money.ts';

describe('money [REQ-KER-016]', () => {
  it('[REQ-KER-016] parses major units per currency exponent', () => {
    expect(parseMajorUnits('49.99', 'EUR')).toBe(4999);
    expect(parseMajorUnits('50', 'EUR')).toBe(5000);
    expect(parseMajorUnits('49.9', 'EUR')).toBe(4990);
    expect(parseMajorUnits('1500', 'JPY')).toBe(1500);
    expect(parseMajorUnits('1.5', 'JPY')).toBeUndefined();
    expect(parseMajorUnits('1.234', 'KWD')).toBe(1234);
    expect(parseMajorUnits('1.001', 'EUR')).toBeUndefined();
    expect(parseMajorUnits('-1', 'EUR')).toBeUndefined();
    expect(parseMajorUnits('1e3', 'EUR')).toBeUndefined();
    expect(parseMajorUnits('abc', 'EUR')).toBeUndefined();
    expect(currencyExponent('USD')).toBe(2);
  });

  it('[REQ-KER-016] format and parse round-trip for any amount and currency exponent', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
        fc.constantFrom('EUR', 'JPY', 'KWD'),
        (n, cur) => {
          expect(parseMajorUnits(formatMajorUnits(n, cur), cur)).toBe(n);
        },
      ),
    );
  });

  it('[REQ-KER-016] amounts beyond 2^31 stay exact; unsafe ones are refused', () => {
    expect(money(2 ** 31 + 7, 'EUR').amount).toBe(2147483655);
    expect(() => money(0.5, 'EUR')).toThrow(RangeError);
    expect(() => money(2 ** 53, 'EUR')).toThrow(RangeError);
    expect(() => money(1, 'eur')).toThrow(RangeError);
  });

  it('[REQ-KER-016] rounds half away from zero', () => {
    expect(roundHalfAwayFromZero(5, 2)).toBe(3);
    expect(roundHalfAwayFromZero(-5, 2)).toBe(-3);
    expect(roundHalfAwayFromZero(4, 3)).toBe(1);
    expect(roundHalfAwayFromZero(2, 3)).toBe(1);
    expect(roundHalfAwayFromZero(1, 3)).toBe(0);
  });
});
