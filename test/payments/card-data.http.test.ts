import { Writable } from 'node:stream';
import { Type } from 'typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
});
