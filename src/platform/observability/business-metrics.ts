// What the shop does, as counters on the app's registry: checkout outcomes, payment outcomes by provider, stock
// reservation outcomes, reconciliation findings and cache hits. Modules only call `.inc()` on these; every label
// takes values from a fixed list in code (never ids, never user input), so the series stay few.
import { Counter, type Registry } from 'prom-client';

/**
 * Checkout answers, by outcome: placed, requires_action, or why it was refused (out_of_stock, payment_declined,
 * payment_unavailable, promotion_unavailable, reservation_expired, cart_incomplete, in_progress, customer_erased,
 * rejected for another 4xx, unavailable for a 503, error for anything else). See orders/checkout/checkout.metrics.ts.
 */
export type CheckoutOutcome =
  | 'placed'
  | 'requires_action'
  | 'out_of_stock'
  | 'payment_declined'
  | 'payment_unavailable'
  | 'promotion_unavailable'
  | 'reservation_expired'
  | 'cart_incomplete'
  | 'in_progress'
  | 'customer_erased'
  | 'rejected'
  | 'unavailable'
  | 'error';

export interface BusinessMetrics {
  checkoutOutcomes: Counter<'outcome'>;
  /** Payment operations by provider, operation (authorize, capture, void, refund, sync) and outcome. */
  paymentOutcomes: Counter<'provider' | 'operation' | 'outcome'>;
  /** Stock reservation calls by operation (reserve, release, commit, expire) and outcome. */
  reservationOutcomes: Counter<'operation' | 'outcome'>;
  reconciliationRuns: Counter;
  /** Drifts a reconciliation run reported (not repaired), by kind; a drift that persists is counted every run. */
  reconciliationDrifts: Counter<'kind'>;
  cacheHits: Counter<'cache'>;
  cacheMisses: Counter<'cache'>;
}

export function createBusinessMetrics(registry: Registry): BusinessMetrics {
  const registers = [registry];
  return {
    checkoutOutcomes: new Counter({
      name: 'checkout_outcomes_total',
      help: 'Checkout requests (REST and GraphQL) by outcome: placed, requires_action, or the reason it was refused',
      labelNames: ['outcome'] as const,
      registers,
    }),
    paymentOutcomes: new Counter({
      name: 'payments_outcomes_total',
      help: 'Payment operations by provider, operation (authorize, capture, void, refund, sync) and outcome',
      labelNames: ['provider', 'operation', 'outcome'] as const,
      registers,
    }),
    reservationOutcomes: new Counter({
      name: 'inventory_reservation_outcomes_total',
      help: 'Stock reservation calls by operation (reserve, release, commit, expire) and outcome',
      labelNames: ['operation', 'outcome'] as const,
      registers,
    }),
    reconciliationRuns: new Counter({
      name: 'payments_reconciliation_runs_total',
      help: 'Payment reconciliation runs completed by this process',
      registers,
    }),
    reconciliationDrifts: new Counter({
      name: 'payments_reconciliation_drifts_found_total',
      help: 'Drifts reported (not repaired) by reconciliation runs, by kind; a lasting drift counts at every run',
      labelNames: ['kind'] as const,
      registers,
    }),
    cacheHits: new Counter({
      name: 'cache_hits_total',
      help: 'Cache reads that found a value, by cache (the key prefix: catalog, search)',
      labelNames: ['cache'] as const,
      registers,
    }),
    cacheMisses: new Counter({
      name: 'cache_misses_total',
      help: 'Cache reads that found nothing (the value was computed and stored), by cache',
      labelNames: ['cache'] as const,
      registers,
    }),
  };
}
