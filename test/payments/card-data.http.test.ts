import { Writable } from 'node:stream';
import { Type } from 'typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerCustomer } from '../support/auth.ts';
import { createTestApp, type TestApp } from '../support/create-test-app.ts';

const logs: string[] = [];
const logStream = new Writable({
  write(chunk, _enc, cb) {
    logs.push(chunk.toString());
    cb();
  },
});
let t: TestApp;
let calls = 0;

beforeAll(async () => {
  t = await createTestApp({
    logStream,
    env: { LOG_LEVEL: 'debug' },
    extraRoutes: (app) => {
      app.post('/v1/test/echo', { schema: { body: Type.Object({}, { additionalProperties: true }) } }, async (req) => {
        calls++;
        req.log.info({ body: req.body }, 'echo');
        return { ok: true };
      });
    },
  });
});
afterAll(async () => {
  await t.close();
});

const CARDS = ['4242424242424242', '4000 0566 5566 5556', '5555-5555-5555-4444', '378282246310005'];

describe('card data is refused [REQ-PAY-009]', () => {
  it.each(CARDS)(
    '[REQ-PAY-009] %s in a body → 400 payments.card_data_refused, handler not run, never logged',
    async (card) => {
      const before = calls;
      const res = await t.http.inject({
        method: 'POST',
        url: '/v1/test/echo',
        payload: { note: 'hi', payment: { details: `card ${card} exp 12/30` } },
      });
      expect(res.statusCode).toBe(400);
      const body = res.json();
      expect(body.code).toBe('payments.card_data_refused');
      expect(body.detail).toContain('/body/payment/details');
      expect(res.body).not.toContain(card);
      expect(calls).toBe(before);
      const digits = card.replace(/\D/g, '');
      expect(logs.join('')).toContain('request refused: card data');
      expect(logs.join('').replace(/\D/g, ' ')).not.toContain(digits);
      expect(logs.join('')).not.toContain(card);
    },
  );

  it('[REQ-PAY-009] numbers that fail Luhn, short ones, tokens and plain amounts pass', async () => {
    const before = calls;
    const res = await t.http.inject({
      method: 'POST',
      url: '/v1/test/echo',
      payload: {
        a: '4242424242424241',
        b: '123456789012',
        token: 'tok_visa',
        amount: 4242424242424242,
        phone: '+44 20 7946 0958',
      },
    });
    expect(res.statusCode).toBe(200);
    expect(calls).toBe(before + 1);
  });

  it('[REQ-PAY-009] phone numbers pass: phone fields wherever addresses sit, and E.164 values; other fields still refused', async () => {
    // 4915112345678: a German mobile number, Luhn-valid with a Visa prefix and length.
    const mobile = '4915112345678';
    const address = { name: 'A', line1: 'Str. 1', city: 'Berlin', postalCode: '10115', country: 'DE' };
    const before = calls;
    const accepted = [
      { shippingAddress: { ...address, phone: `+${mobile}` } },
      { shippingAddress: { ...address, phone: mobile }, billingAddress: { ...address, phoneNumber: mobile } },
      { customer: { mobile_number: mobile, contactPhone: '+49 151 1234 5678' } },
      { note: `+${mobile}` },
    ];
    for (const payload of accepted) {
      const res = await t.http.inject({ method: 'POST', url: '/v1/test/echo', payload });
      expect(res.statusCode).toBe(200);
    }
    expect(calls).toBe(before + accepted.length);
    // The same digits anywhere else, or 16 digits after a + (no phone number is that long), are refused.
    const refused: [object, string][] = [
      [{ shippingAddress: { ...address, line2: mobile } }, '/body/shippingAddress/line2'],
      [{ note: `call me on +${mobile}` }, '/body/note'],
      [{ microphone: mobile }, '/body/microphone'],
      [{ note: '+4242424242424242' }, '/body/note'],
    ];
    for (const [payload, where] of refused) {
      const res = await t.http.inject({ method: 'POST', url: '/v1/test/echo', payload });
      expect([res.statusCode, res.json().code]).toEqual([400, 'payments.card_data_refused']);
      expect(res.json().detail).toContain(where);
    }
    expect(calls).toBe(before + accepted.length);

    // A customer's address book takes the number and stores it as sent.
    const customer = await registerCustomer(t);
    const created = await t.http.inject({
      method: 'POST',
      url: '/v1/me/addresses',
      headers: customer.headers,
      payload: { ...address, phone: `+${mobile}` },
    });
    expect(created.statusCode).toBe(201);
    expect(created.json().phone).toBe(`+${mobile}`);
  });
});
