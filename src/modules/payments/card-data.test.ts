import { describe, expect, it } from 'vitest';
import { containsCardNumber, findCardNumber, luhnValid } from './card-data.ts';

describe('card number detection [REQ-PAY-009]', () => {
  it('[REQ-PAY-009] Luhn-valid 13–19 digits, grouped by spaces or dashes, are found', () => {
    expect(luhnValid('4242424242424242')).toBe(true);
    expect(luhnValid('4242424242424241')).toBe(false);
    expect(containsCardNumber('4242 4242 4242 4242')).toBe(true);
    expect(containsCardNumber('pay with 5555-5555-5555-4444 please')).toBe(true);
    expect(containsCardNumber('4222222222222')).toBe(true); // 13 digits
    expect(containsCardNumber('6011000990139424')).toBe(true);
    expect(containsCardNumber('4242424242424241')).toBe(false);
    expect(containsCardNumber('424242424242')).toBe(false); // 12 digits
    expect(containsCardNumber('42424242424242424242')).toBe(false); // 20 digits
    expect(containsCardNumber('ord_01jd3v6x0c8w4b2q9n7m5k3h1g')).toBe(false);
  });

  it('[REQ-PAY-009] the JSON pointer of the first hit, never the value', () => {
    expect(findCardNumber({ a: [{ b: 'x' }, { c: '4242424242424242' }] }, '/body')).toBe('/body/a/1/c');
    expect(findCardNumber({ amount: 4242424242424242, ok: 'tok_visa' }, '/body')).toBeUndefined();
    expect(findCardNumber(undefined)).toBeUndefined();
  });
});
