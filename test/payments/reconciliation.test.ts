import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asStaff } from '../support/fake-auth.ts';
import { ctx, orderId, outboxTypes, type PaymentsHarness, startPaymentsHarness } from '../support/payments-harness.ts';

let h: PaymentsHarness;
beforeAll(async () => {
  // No scheduler: the app's own payments.reconcile job, due at start-up, would otherwise run between this test's
  // reconciliation and its read of the gauge and reset it (its window ends a minute ago: no drifts).
  h = await startPaymentsHarness({ workers: false });
});
afterAll(async () => {
  await h.close();
});

const window = () => ({ from: new Date(Date.now() - 60_000), to: new Date(Date.now() + 1000) });

describe('reconciliation [REQ-PAY-008]', () => {
  it('[REQ-PAY-008] repairs a missed webhook and reports what it cannot repair, in the endpoint and the metric', async () => {
    // Missed webhook: the sandbox authorized a processing payment, we never heard.
    const missed = await h.pay.api.authorize(ctx, {
      orderId: orderId(),
      amount: 1200,
      currency: 'EUR',
      token: 'tok_processing',
    });
    const m = h.psp.payments.get(missed.providerPaymentId as string);
    if (m) m.status = 'authorized';
    // A conflict: we voided it, the provider says captured (changed behind our back).
    const conflict = await h.pay.api.authorize(ctx, {
      orderId: orderId(),
      amount: 900,
      currency: 'EUR',
      token: 'tok_visa',
    });
    await h.pay.api.void(ctx, conflict.id);
    const c = h.psp.payments.get(conflict.providerPaymentId as string);
    if (c) Object.assign(c, { status: 'captured', amount_captured: 900 });
    // In sync.
    const fine = await h.pay.api.authorize(ctx, {
      orderId: orderId(),
      amount: 300,
      currency: 'EUR',
      token: 'tok_visa',
    });

    const report = await h.pay.reconcile(window());
    expect(report.checked).toBe(3);
    expect(report.repaired).toEqual([{ paymentId: missed.id, from: 'pending', to: 'authorized' }]);
    expect(report.drifts).toEqual([
      {
        kind: 'status_conflict',
        paymentId: conflict.id,
        providerPaymentId: conflict.providerPaymentId,
        ourStatus: 'voided',
        providerStatus: 'captured',
        detail: "ours is voided, the provider's is captured",
      },
    ]);
    expect((await h.pay.api.get(ctx, missed.id))?.status).toBe('authorized');
    expect(await outboxTypes(h, missed.id)).toEqual(['payments.payment.authorized']);
    expect((await h.pay.api.get(ctx, fine.id))?.status).toBe('authorized');

    const res = await h.t.http.inject({
      method: 'GET',
      url: '/v1/admin/payments/reconciliation',
      headers: asStaff('payments:read'),
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().items).toEqual([report]);
    const denied = await h.t.http.inject({
      method: 'GET',
      url: '/v1/admin/payments/reconciliation',
      headers: asStaff('payments:refund'),
    });
    expect(denied.statusCode).toBe(403);

    const metrics = await h.t.kernel.metrics.registry.getSingleMetricAsString('payments_reconciliation_drifts');
    expect(metrics).toContain('payments_reconciliation_drifts{kind="status_conflict"} 1');

    // A second run finds nothing more to repair.
    const again = await h.pay.reconcile(window());
    expect(again.repaired).toEqual([]);
    expect(again.drifts.map((d) => d.kind)).toEqual(['status_conflict']);
  });

  it('[REQ-PAY-008] a provider payment we have no record of is reported', async () => {
    const res = await fetch(`${h.psp.url}/v1/payments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': 'stray-1' },
      body: JSON.stringify({ amount: 100, currency: 'EUR', token: 'tok_visa', metadata: {} }),
    });
    const stray = (await res.json()) as { id: string };
    const report = await h.pay.reconcile(window());
    expect(report.drifts.filter((d) => d.kind === 'unknown_at_ours')).toEqual([
      {
        kind: 'unknown_at_ours',
        paymentId: null,
        providerPaymentId: stray.id,
        ourStatus: null,
        providerStatus: 'authorized',
        detail: 'the provider has a payment (authorized) we have no record of',
      },
    ]);
  });

  it('[REQ-PAY-008] the module declares the payments.reconcile scheduled job', () => {
    const job = h.pay.module.jobs?.find((j) => j.name === 'payments.reconcile');
    expect(job?.intervalMs).toBe(15 * 60_000);
  });
});
