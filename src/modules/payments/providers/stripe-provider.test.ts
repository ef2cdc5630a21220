import { Writable } from 'node:stream';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../../test/support/create-test-app.ts';
import { type FakeStripe, startFakeStripe } from '../../../../test/support/fake-stripe.ts';
import { systemCtx } from '../../../platform/context.ts';
import { createPaymentsModule, type PaymentsModule } from '../module.ts';

const SECRET_KEY = 'sk_test_51SuperSecretKeyValue';
const WEBHOOK_SECRET = 'whsec_stripe_test_secret_value';
const ctx = systemCtx('test');
const logs: string[] = [];
const logStream = new Writable({
  write(chunk, _enc, cb) {
    logs.push(chunk.toString());
    cb();
  },
});
let fake: FakeStripe;
let t: TestApp;
let pay: PaymentsModule;
let n = 0;
const order = () => `ord_stripe_${Date.now()}_${++n}`;

beforeAll(async () => {
  fake = await startFakeStripe();
  t = await createTestApp({
    logStream,
    env: {
      LOG_LEVEL: 'debug',
      PAYMENT_PROVIDER: 'stripe',
      STRIPE_SECRET_KEY: SECRET_KEY,
      STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
      STRIPE_API_URL: fake.url,
    },
  });
  pay = createPaymentsModule({ kernel: t.kernel });
});
afterAll(async () => {
  await t.close();
  await fake.close();
});

const stripe = new Stripe('sk_test_unused');
function signed(event: object, secret = WEBHOOK_SECRET, timestamp?: number) {
  const payload = JSON.stringify(event);
  return {
    payload,
    header: stripe.webhooks.generateTestHeaderString({
      payload,
      secret,
      ...(timestamp ? { timestamp } : {}),
    }),
  };
}
const deliver = (payload: string, header?: string) =>
  t.http.inject({
    method: 'POST',
    url: '/v1/payments/webhooks/stripe',
    headers: { 'content-type': 'application/json', ...(header ? { 'stripe-signature': header } : {}) },
    payload,
  });

describe('Stripe provider [REQ-PAY-010]', () => {
  it('[REQ-PAY-010] authorize (manual capture, idempotency key), capture, refund through the SDK', async () => {
    const p = await pay.api.authorize(ctx, { orderId: order(), amount: 5000, currency: 'EUR', token: 'pm_card_visa' });
    expect(p.status).toBe('authorized');
    expect(p.provider).toBe('stripe');
    const create = fake.requests.find((r) => r.method === 'POST' && r.path === '/v1/payment_intents');
    expect(create?.idempotencyKey).toBe(p.idempotencyKey);
    expect(create?.body).toMatchObject({ amount: '5000', currency: 'eur', capture_method: 'manual', confirm: 'true' });
    expect(create?.body.metadata.paymentId).toBe(p.id);
    expect(create?.authorization).toBe(`Bearer ${SECRET_KEY}`);
    const c = await pay.api.capture(ctx, p.id, 4000);
    expect([c.status, c.capturedAmount]).toEqual(['captured', 4000]);
    const r = await pay.api.refund(ctx, p.id, 1000, 'k1');
    expect([r.status, r.amount]).toEqual(['succeeded', 1000]);
    expect(fake.intents.get(p.providerPaymentId as string)?.latest_charge.amount_refunded).toBe(1000);
    const captureReq = fake.requests.find((x) => x.path.endsWith('/capture'));
    expect(captureReq?.idempotencyKey).toBe(`${p.idempotencyKey}:capture`);
  });

  it('[REQ-PAY-010] a decline is a failed payment; requires_action carries the redirect; void cancels', async () => {
    const d = await pay.api.authorize(ctx, {
      orderId: order(),
      amount: 100,
      currency: 'EUR',
      token: 'pm_card_chargeDeclined',
    });
    expect([d.status, d.failureCode]).toEqual(['failed', 'card_declined']);
    const a = await pay.api.authorize(ctx, {
      orderId: order(),
      amount: 100,
      currency: 'EUR',
      token: 'pm_card_threeDSecureRequired',
    });
    expect([a.status, a.nextActionUrl]).toEqual([
      'requires_action',
      `https://hooks.example/3ds/${a.providerPaymentId}`,
    ]);
    const v = await pay.api.void(ctx, a.id);
    expect(v.status).toBe('voided');
    expect(fake.intents.get(a.providerPaymentId as string)?.status).toBe('canceled');
  });

  it('[REQ-PAY-010] an unknown PaymentMethod → 422 payments.invalid_token; nothing authorized, void closes it', async () => {
    const orderId = order();
    const before = fake.intents.size;
    await expect(
      pay.api.authorize(ctx, { orderId, amount: 100, currency: 'EUR', token: 'pm_unknown' }),
    ).rejects.toMatchObject({ status: 422, code: 'payments.invalid_token' });
    expect(fake.intents.size).toBe(before);
    const p = await pay.api.getByOrderId(ctx, orderId);
    expect(p?.status).toBe('pending');
    expect((await pay.api.void(ctx, p?.id as string)).status).toBe('voided');
  });

  it('[REQ-PAY-010] [REQ-PAY-005] webhooks verified with constructEvent; forged and stale ones refused, nothing changes', async () => {
    const p = await pay.api.authorize(ctx, {
      orderId: order(),
      amount: 700,
      currency: 'EUR',
      token: 'pm_card_threeDSecureRequired',
    });
    const pi = fake.intents.get(p.providerPaymentId as string);
    if (pi) Object.assign(pi, { status: 'requires_capture', next_action: null });
    const event = {
      id: `evt_${p.id}`,
      object: 'event',
      type: 'payment_intent.amount_capturable_updated',
      data: { object: pi },
    };
    const forged = signed(event, 'whsec_wrong');
    const stale = signed(event, WEBHOOK_SECRET, Math.floor(Date.now() / 1000) - 301);
    for (const [payload, header] of [
      [forged.payload, forged.header],
      [stale.payload, stale.header],
      [forged.payload, undefined],
    ] as const) {
      const res = await deliver(payload, header);
      expect([res.statusCode, res.json().code]).toEqual([400, 'payments.invalid_signature']);
    }
    expect((await pay.api.get(ctx, p.id))?.status).toBe('requires_action');
    const ok = signed(event);
    const res = await deliver(ok.payload, ok.header);
    expect(res.json()).toEqual({ received: true, eventId: event.id, outcome: 'applied' });
    expect((await pay.api.get(ctx, p.id))?.status).toBe('authorized');
    expect((await deliver(ok.payload, ok.header)).json().outcome).toBe('duplicate');
  });

  it('[REQ-PAY-010] the secret key and webhook secret never reach a log line', () => {
    const all = logs.join('');
    expect(all.length).toBeGreaterThan(0);
    expect(all).not.toContain(SECRET_KEY);
    expect(all).not.toContain(WEBHOOK_SECRET);
  });
});
