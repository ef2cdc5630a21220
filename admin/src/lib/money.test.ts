import { describe, expect, it } from 'vitest';
import { formatMoney, minorDigits, sumByCurrency, toMajorInput, toMinor } from './money.ts';

describe('money from minor units [REQ-ADM-010]', () => {
  it('[REQ-ADM-010] formats integer minor units by the currency’s own digits', () => {
    expect(formatMoney({ amount: 1250, currency: 'EUR' })).toBe('€12.50');
    expect(formatMoney({ amount: 5, currency: 'EUR' })).toBe('€0.05');
    expect(formatMoney({ amount: 1250, currency: 'JPY' })).toBe('¥1,250');
    expect(formatMoney({ amount: 1250, currency: 'KWD' })).toBe('KWD\u00a01.250');
    expect(formatMoney({ amount: -199, currency: 'USD' })).toBe('-$1.99');
    expect(minorDigits('EUR')).toBe(2);
    expect(minorDigits('JPY')).toBe(0);
    // The server's ISO 4217 minor units, where the browser's display digits differ.
    expect([minorDigits('HUF'), minorDigits('IQD'), minorDigits('KWD')]).toEqual([2, 3, 3]);
    expect(toMinor('1.5', 'HUF')).toBe(150);
  });

  it('[REQ-ADM-010] what a person types becomes minor units exactly (no float rounding), or is refused', () => {
    expect(toMinor('12.5', 'EUR')).toBe(1250);
    expect(toMinor('12,50', 'EUR')).toBe(1250);
    expect(toMinor(' 19.99 ', 'USD')).toBe(1999);
    expect(toMinor('0.29', 'EUR')).toBe(29); // 0.29 * 100 is 28.999… in floating point
    expect(toMinor('1250', 'JPY')).toBe(1250);
    expect(toMinor('1.5', 'JPY')).toBeUndefined();
    expect(toMinor('1.234', 'EUR')).toBeUndefined();
    expect(toMinor('-1', 'EUR')).toBeUndefined();
    expect(toMinor('abc', 'EUR')).toBeUndefined();
    expect(toMinor('', 'EUR')).toBeUndefined();
    expect(toMajorInput(1250, 'EUR')).toBe('12.50');
    expect(toMinor(toMajorInput(1999, 'USD'), 'USD')).toBe(1999);
  });

  it('[REQ-ADM-010] sums never add different currencies', () => {
    expect(
      sumByCurrency([
        { amount: 100, currency: 'USD' },
        { amount: 250, currency: 'EUR' },
        { amount: 50, currency: 'EUR' },
      ]),
    ).toEqual([
      { amount: 300, currency: 'EUR' },
      { amount: 100, currency: 'USD' },
    ]);
  });
});
