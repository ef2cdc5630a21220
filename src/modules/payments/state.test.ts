import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PaymentStatus } from './contract.ts';
import type { ProviderPayment, ProviderStatus } from './provider.ts';
import { ALLOWED, canTransition, planSync, sourcesOf } from './state.ts';

const pp = (status: ProviderStatus, capturedAmount = 0): ProviderPayment => ({
  id: 'psp_1',
  status,
  amount: 1000,
  currency: 'EUR',
  capturedAmount,
  refundedAmount: 0,
  nextActionUrl: null,
  failureCode: null,
  paymentId: 'pay_1',
  createdAt: new Date(0),
});
const STATUSES = Object.keys(ALLOWED) as PaymentStatus[];
const PROVIDER: ProviderStatus[] = ['processing', 'requires_action', 'authorized', 'captured', 'failed', 'voided'];

describe('payment state machine [REQ-PAY-001]', () => {
  it('[REQ-PAY-001] final states have no way out; refunds only after capture', () => {
    expect(ALLOWED.failed).toEqual([]);
    expect(ALLOWED.voided).toEqual([]);
    expect(ALLOWED.refunded).toEqual([]);
    expect(sourcesOf('refunded')).toEqual(['captured', 'partially_refunded']);
    expect(sourcesOf('voided')).toEqual(['pending', 'requires_action', 'authorized']);
    expect(canTransition('captured', 'voided')).toBe(false);
  });

  it('[REQ-PAY-001] captured seen before authorized: both events, in order', () => {
    expect(planSync('pending', pp('captured', 1000))).toEqual({
      kind: 'transition',
      from: 'pending',
      to: 'captured',
      capturedAmount: 1000,
      events: ['payments.payment.authorized', 'payments.payment.captured'],
    });
    expect(planSync('captured', pp('authorized'))).toEqual({ kind: 'in_sync' });
    expect(planSync('requires_action', pp('processing'))).toEqual({ kind: 'in_sync' });
    expect(planSync('voided', pp('captured'))).toEqual({
      kind: 'conflict',
      detail: "ours is voided, the provider's is captured",
    });
  });

  it('[REQ-PAY-001] any provider view plans only allowed transitions, and applying it twice is a no-op', () => {
    fc.assert(
      fc.property(fc.constantFrom(...STATUSES), fc.constantFrom(...PROVIDER), (ours, theirs) => {
        const d = planSync(ours, pp(theirs, 1000));
        if (d.kind !== 'transition') return;
        expect(canTransition(d.from, d.to)).toBe(true);
        expect(d.events.length).toBeGreaterThan(0);
        expect(planSync(d.to, pp(theirs, 1000)).kind).toBe('in_sync');
      }),
    );
  });
});
