// The payment state machine (pure): which transitions are allowed, and the one that brings our
// record in line with the provider's view of the payment.
import type { PaymentStatus } from './contract.ts';
import { PAYMENT_EVENTS, type PaymentEventType } from './events.ts';
import type { ProviderPayment } from './provider.ts';

export const ALLOWED: Record<PaymentStatus, readonly PaymentStatus[]> = {
  pending: ['requires_action', 'authorized', 'captured', 'failed', 'voided'],
  requires_action: ['authorized', 'captured', 'failed', 'voided'],
  authorized: ['captured', 'voided'],
  captured: ['partially_refunded', 'refunded'],
  partially_refunded: ['partially_refunded', 'refunded'],
  refunded: [],
  failed: [],
  voided: [],
};

export function canTransition(from: PaymentStatus, to: PaymentStatus): boolean {
  return ALLOWED[from].includes(to);
}

/** The statuses from which `to` may be reached (the `WHERE status IN (...)` guard). */
export function sourcesOf(to: PaymentStatus): PaymentStatus[] {
  return (Object.keys(ALLOWED) as PaymentStatus[]).filter((s) => ALLOWED[s].includes(to));
}

export interface SyncPlan {
  kind: 'transition';
  from: PaymentStatus;
  to: Exclude<PaymentStatus, 'partially_refunded' | 'refunded'>;
  capturedAmount?: number;
  /** In order: a payment captured before we saw it authorized gets both events. */
  events: PaymentEventType[];
}
export type SyncDecision = { kind: 'in_sync' } | { kind: 'conflict'; detail: string } | SyncPlan;

const TARGET: Record<ProviderPayment['status'], PaymentStatus> = {
  processing: 'pending',
  requires_action: 'requires_action',
  authorized: 'authorized',
  captured: 'captured',
  failed: 'failed',
  voided: 'voided',
};

const EVENT: Partial<Record<PaymentStatus, PaymentEventType>> = {
  requires_action: PAYMENT_EVENTS.requiresAction,
  authorized: PAYMENT_EVENTS.authorized,
  captured: PAYMENT_EVENTS.captured,
  failed: PAYMENT_EVENTS.failed,
  voided: PAYMENT_EVENTS.voided,
};

const RANK: Record<PaymentStatus, number> = {
  pending: 0,
  requires_action: 1,
  authorized: 2,
  captured: 3,
  partially_refunded: 4,
  refunded: 5,
  failed: 9,
  voided: 9,
};

export function planSync(current: PaymentStatus, provider: ProviderPayment): SyncDecision {
  const target = TARGET[provider.status];
  if (target === current) return { kind: 'in_sync' };
  // Our own refunds move us past `captured`; the provider still reports the payment as captured.
  if (target === 'captured' && (current === 'partially_refunded' || current === 'refunded')) return { kind: 'in_sync' };
  // A processing payment after 3-D Secure, or an older state arriving late: nothing to do.
  if (RANK[target] < RANK[current] && RANK[current] < 9) return { kind: 'in_sync' };
  if (!canTransition(current, target)) {
    return { kind: 'conflict', detail: `ours is ${current}, the provider's is ${provider.status}` };
  }
  const events: PaymentEventType[] = [];
  if (target === 'captured' && (current === 'pending' || current === 'requires_action')) {
    events.push(PAYMENT_EVENTS.authorized);
  }
  const ev = EVENT[target];
  if (ev) events.push(ev);
  return {
    kind: 'transition',
    from: current,
    to: target as SyncPlan['to'],
    ...(target === 'captured' ? { capturedAmount: provider.capturedAmount } : {}),
    events,
  };
}
