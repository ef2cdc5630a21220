// Payment outcomes by provider (`payments_outcomes_total{provider,operation,outcome}`): each authorize, capture,
// void and refund of the payments API by what it answered, and each transition a webhook or reconciliation applied
// (`sync`: a 3-D Secure payment authorized or declined later, a missed capture). Declines are `declined`; the
// provider not answering is `unavailable`; a refusal of ours or the provider's is `rejected`.
import type { Counter } from 'prom-client';
import { isAppError } from '../../platform/errors.ts';
import { PAYMENT_ERRORS, type Payment, type PaymentStatus } from './contract.ts';
import type { PaymentsService } from './payments.service.ts';

type Outcomes = Counter<'provider' | 'operation' | 'outcome'>;

const STATUS_OUTCOME: Partial<Record<PaymentStatus, string>> = { failed: 'declined' };
const HOLDING: readonly PaymentStatus[] = ['pending', 'requires_action', 'authorized'];

export const statusOutcome = (s: PaymentStatus): string => STATUS_OUTCOME[s] ?? s;

export function errorOutcome(e: unknown): string {
  if (!isAppError(e)) return 'error';
  if (e.code === PAYMENT_ERRORS.unavailable) return 'unavailable';
  return e.status < 500 ? 'rejected' : 'error';
}

/** The same service, its operations' outcomes counted under `provider`. */
export function measurePayments(service: PaymentsService, provider: string, outcomes: Outcomes): PaymentsService {
  const count = (operation: string, outcome: string) => outcomes.inc({ provider, operation, outcome });
  async function measured<T>(operation: string, run: () => Promise<T>, ok: (r: T) => string | undefined) {
    try {
      const r = await run();
      const outcome = ok(r);
      if (outcome) count(operation, outcome);
      return r;
    } catch (e) {
      count(operation, errorOutcome(e));
      throw e;
    }
  }
  const paymentOutcome = (p: Payment) => statusOutcome(p.status);
  return {
    ...service,
    authorize: (ctx, input) => measured('authorize', () => service.authorize(ctx, input), paymentOutcome),
    capture: (ctx, id, amount, known) =>
      measured('capture', () => service.capture(ctx, id, amount, known), paymentOutcome),
    void: (ctx, id) => measured('void', () => service.void(ctx, id), paymentOutcome),
    requestVoid: (ctx, id) =>
      measured(
        'void',
        () => service.requestVoid(ctx, id),
        (r) => (r.scheduled ? 'void_owed' : statusOutcome(r.payment.status)),
      ),
    // Compensation: only a payment that was holding money is voided (or its void owed); others are not counted.
    voidIfOpen: (ctx, orderId) =>
      measured(
        'void',
        () => service.voidIfOpen(ctx, orderId),
        (p) => (p?.status === 'voided' ? 'voided' : p && HOLDING.includes(p.status) ? 'void_owed' : undefined),
      ),
    refund: (ctx, id, amount, key, reason) =>
      measured(
        'refund',
        () => service.refund(ctx, id, amount, key, reason),
        (r) => (r.status === 'succeeded' ? 'refunded' : r.status),
      ),
    sync: (ctx, id, pp, inTx) =>
      measured(
        'sync',
        () => service.sync(ctx, id, pp, inTx),
        (r) => (r.applied ? statusOutcome(r.payment.status) : undefined),
      ),
  };
}
