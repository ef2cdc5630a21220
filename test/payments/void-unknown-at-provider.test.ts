// A payment the provider no longer knows (the embedded sandbox forgets its payments when the process restarts) holds
// nothing there: its void is our record's only. Before, every void of it was refused (409, `not_found`), so the
// checkout sweeper failed on it every pass and its stock stayed reserved (REQ-RES-034 #3).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ctx, orderId, outboxTypes, type PaymentsHarness, startPaymentsHarness } from '../support/payments-harness.ts';

let h: PaymentsHarness;
beforeAll(async () => {
  h = await startPaymentsHarness({ workers: false });
});
afterAll(async () => {
  await h?.close();
});

describe('a void of a payment the provider no longer knows [REQ-RES-034]', () => {
  it('[REQ-RES-034] voids our record only, with its event, and a second void changes nothing', async () => {
    const order = orderId();
    const p = await h.pay.api.authorize(ctx, {
      orderId: order,
      amount: 1500,
      currency: 'EUR',
      token: 'tok_threeDSecureRequired',
    });
    expect(p.status).toBe('requires_action');
    expect(p.providerPaymentId).toBeTruthy();
    // As after a restart of the sandbox: the provider has no such payment any more.
    expect(h.psp.payments.delete(p.providerPaymentId as string)).toBe(true);

    const voided = await h.pay.api.voidIfOpen(ctx, order);
    expect(voided?.status).toBe('voided');
    expect((await h.pay.api.get(ctx, p.id))?.status).toBe('voided');
    expect(await h.pay.api.voidIfOpen(ctx, order)).toMatchObject({ id: p.id, status: 'voided' });
    expect((await outboxTypes(h, p.id)).filter((t) => t === 'payments.payment.voided')).toHaveLength(1);
  });

  it('[REQ-RES-034] a payment the provider still knows is voided there as before', async () => {
    const order = orderId();
    const p = await h.pay.api.authorize(ctx, { orderId: order, amount: 700, currency: 'EUR', token: 'tok_visa' });
    expect(p.status).toBe('authorized');
    expect((await h.pay.api.voidIfOpen(ctx, order))?.status).toBe('voided');
    expect(h.psp.payments.get(p.providerPaymentId as string)?.status).toBe('voided');
  });
});
