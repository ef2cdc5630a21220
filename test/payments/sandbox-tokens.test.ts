import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPaymentsService, ProviderUnavailableError } from '../../src/modules/payments/testing.ts';
import { listen } from '../support/listen.ts';
import { ctx, orderId, outboxTypes, type PaymentsHarness, startPaymentsHarness } from '../support/payments-harness.ts';

let h: PaymentsHarness;
let webhookUrl: string;
const until = async (fn: () => Promise<boolean>, ms = 5000) => {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await fn()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('condition not met in time');
};

beforeAll(async () => {
  // The client gives up after 1 s; tok_timeout answers after 4 s.
  h = await startPaymentsHarness({ timeoutMs: 1000, slowResponseMs: 4000 });
  const base = await listen(h.t.http);
  webhookUrl = `${base}/v1/payments/webhooks/sandbox`;
  h.psp.setWebhookUrl(webhookUrl);
});
afterAll(async () => {
  await h.close();
});

const auth = (token: string, amount = 1999) =>
  h.pay.api.authorize(ctx, { orderId: orderId(), amount, currency: 'EUR', token });

describe('sandbox tokens [REQ-PAY-003]', () => {
  it('[REQ-PAY-003] tok_visa authorizes; capture captures once; the sandbox webhooks change nothing more', async () => {
    const p = await auth('tok_visa');
    expect(p.status).toBe('authorized');
    expect(p.providerPaymentId).toMatch(/^psp_pay_/);
    const c = await h.pay.api.capture(ctx, p.id);
    expect(c.status).toBe('captured');
    expect(c.capturedAmount).toBe(1999);
    const again = await h.pay.api.capture(ctx, p.id);
    expect(again.status).toBe('captured');
    await h.psp.webhooks.idle();
    expect(await outboxTypes(h, p.id)).toEqual(['payments.payment.authorized', 'payments.payment.captured']);
    expect(h.psp.payments.get(p.providerPaymentId as string)?.amount_captured).toBe(1999);
  });

  it('[REQ-PAY-003] tok_chargeDeclined and tok_insufficientFunds decline with their codes', async () => {
    const a = await auth('tok_chargeDeclined');
    expect([a.status, a.failureCode]).toEqual(['failed', 'card_declined']);
    const b = await auth('tok_insufficientFunds');
    expect([b.status, b.failureCode]).toEqual(['failed', 'insufficient_funds']);
    expect(await outboxTypes(h, a.id)).toEqual(['payments.payment.failed']);
  });

  it('[REQ-PAY-002] one payment per order: authorizing the same order ten times at once pays once', async () => {
    const id = orderId();
    // Ten at once: whichever unique index catches the race (order id or idempotency key), one payment results.
    const all = await Promise.all(
      Array.from({ length: 10 }, () =>
        h.pay.api.authorize(ctx, { orderId: id, amount: 500, currency: 'EUR', token: 'tok_visa' }),
      ),
    );
    const a = all[0] as (typeof all)[number];
    expect(new Set(all.map((p) => p.id))).toEqual(new Set([a.id]));
    const atPsp = [...h.psp.payments.values()].filter((p) => p.metadata.orderId === id);
    expect(atPsp).toHaveLength(1);
    expect(await outboxTypes(h, a.id)).toEqual(['payments.payment.authorized']);
    await expect(
      h.pay.api.authorize(ctx, { orderId: id, amount: 501, currency: 'EUR', token: 'tok_visa' }),
    ).rejects.toMatchObject({ status: 409, code: 'payments.amount_mismatch' });
  });

  it('[REQ-PAY-003] tok_threeDSecureRequired needs action; completing it authorizes by webhook', async () => {
    const p = await auth('tok_threeDSecureRequired');
    expect(p.status).toBe('requires_action');
    expect(p.nextActionUrl).toBe(`${h.psp.url}/v1/payments/${p.providerPaymentId}/3ds`);
    const res = await fetch(`${p.nextActionUrl}?outcome=succeed`);
    expect(res.status).toBe(200);
    await until(async () => (await h.pay.api.get(ctx, p.id))?.status === 'authorized');
    expect(await outboxTypes(h, p.id)).toEqual(['payments.payment.requires_action', 'payments.payment.authorized']);
  });

  it('[REQ-PAY-003] a failed 3-D Secure action fails the payment by webhook', async () => {
    const p = await auth('tok_threeDSecureRequired');
    await fetch(`${p.nextActionUrl}?outcome=fail`);
    await until(async () => (await h.pay.api.get(ctx, p.id))?.status === 'failed');
    expect((await h.pay.api.get(ctx, p.id))?.failureCode).toBe('authentication_failed');
  });

  it('[REQ-PAY-003] tok_processing stays pending, then succeeds by webhook', async () => {
    const p = await auth('tok_processing');
    expect(p.status).toBe('pending');
    expect(p.providerPaymentId).toMatch(/^psp_pay_/);
    h.psp.update(p.providerPaymentId as string, { status: 'authorized' }, 'payment.authorized');
    await until(async () => (await h.pay.api.get(ctx, p.id))?.status === 'authorized');
    expect(await outboxTypes(h, p.id)).toEqual(['payments.payment.authorized']);
  });

  it('[REQ-PAY-003] [REQ-PAY-004] tok_timeout: the client times out, the payment is found by idempotency key', async () => {
    const started = Date.now();
    const p = await auth('tok_timeout');
    expect(Date.now() - started).toBeLessThan(3500);
    expect(p.status).toBe('authorized');
    const atPsp = [...h.psp.payments.values()].filter((x) => x.idempotency_key === p.idempotencyKey);
    expect(atPsp.map((x) => x.id)).toEqual([p.providerPaymentId]);
  });

  it('[REQ-PAY-004] timeout and the lookup fails too: 503, payment pending; void resolves it by the same key', async () => {
    const id = orderId();
    // No webhook either (it would resolve the payment on its own): only void may.
    h.psp.setWebhookUrl(undefined);
    const flaky = createPaymentsService({
      db: h.t.kernel.db,
      provider: {
        ...h.pay.provider,
        findByIdempotencyKey: async () => {
          throw new ProviderUnavailableError('down');
        },
      },
    });
    await expect(
      flaky.authorize(ctx, { orderId: id, amount: 700, currency: 'EUR', token: 'tok_timeout' }),
    ).rejects.toMatchObject({ status: 503, code: 'payments.unavailable' });
    const p = await h.pay.api.getByOrderId(ctx, id);
    expect([p?.status, p?.providerPaymentId]).toEqual(['pending', null]);
    const atPsp = [...h.psp.payments.values()].filter((x) => x.idempotency_key === p?.idempotencyKey);
    expect(atPsp.map((x) => x.status)).toEqual(['authorized']);
    const v = await h.pay.api.void(ctx, p?.id as string);
    expect(v.status).toBe('voided');
    expect(v.providerPaymentId).toBe(atPsp[0]?.id);
    expect(atPsp[0]?.status).toBe('voided');
    expect(await outboxTypes(h, v.id)).toEqual(['payments.payment.voided']);
    h.psp.setWebhookUrl(webhookUrl);
  });
});
