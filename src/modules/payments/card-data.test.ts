import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { containsCardNumber, findCardNumber, isPhoneKey, luhnValid } from './card-data.ts';

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
  it('[REQ-PAY-009] a streamed body is not walked (its socket and server graph is not data)', () => {
    const stream = new PassThrough();
    const server: Record<string, unknown> = { note: '4242424242424242' };
    Object.assign(stream, { socket: { server }, note: '4242424242424242' });
    server.self = stream;
    const started = performance.now();
    expect(findCardNumber(stream, '/body')).toBeUndefined();
    expect(
      findCardNumber(Object.create(null, { note: { value: '4242424242424242', enumerable: true } }), '/body'),
    ).toBe('/body/note');
    expect(performance.now() - started).toBeLessThan(100);
  });
  it('[REQ-PAY-009] barcodes and other non-card numbers are not refused', () => {
    // EAN-13 barcodes of German products (GS1 prefix 400–440) start with 4 and some pass Luhn by chance:
    // 4006381333924 is a valid EAN-13 and Luhn-valid, so as free text it looks like a 13-digit Visa number.
    expect(containsCardNumber('4006381333924')).toBe(true);
    expect(findCardNumber({ variants: [{ sku: 'A-1', barcode: '4006381333924' }] }, '/body')).toBeUndefined();
    expect(findCardNumber({ gtin: '4006381333924', ean: '4006381333924' }, '/body')).toBeUndefined();
    // 16 Luhn-valid digits without a card network's prefix (an order reference, say).
    expect(containsCardNumber('9999999999999995')).toBe(false);
    // Real test cards of each network are still found, also outside product-code fields.
    for (const pan of ['5555555555554444', '378282246310005', '3530111333300000', '6200000000000005']) {
      expect(containsCardNumber(pan)).toBe(true);
    }
    expect(findCardNumber({ note: 'my card 4242 4242 4242 4242' }, '/body')).toBe('/body/note');
  });

  it('[REQ-PAY-009] phone fields and E.164 values are not card numbers; the digits elsewhere still are', () => {
    for (const k of ['phone', 'Phone', 'phoneNumber', 'phone_number', 'mobile', 'contactPhone', 'tel', 'fax']) {
      expect(isPhoneKey(k)).toBe(true);
    }
    for (const k of ['microphone', 'telemetry', 'note', 'phonetic', 'details']) expect(isPhoneKey(k)).toBe(false);
    expect(containsCardNumber('4915112345678')).toBe(true);
    expect(findCardNumber({ address: { phone: '4915112345678' } }, '/body')).toBeUndefined();
    expect(findCardNumber({ address: { line2: '+49 151 1234 5678' } }, '/body')).toBeUndefined();
    expect(findCardNumber({ address: { line2: '4915112345678' } }, '/body')).toBe('/body/address/line2');
    expect(findCardNumber({ note: '+4242424242424242' }, '/body')).toBe('/body/note');
  });
});
