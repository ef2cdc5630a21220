// Prometheus metrics of outbound webhooks, on the app's registry.
import { Counter, Histogram, type Registry } from 'prom-client';

export interface WebhookMetrics {
  /** Attempt outcomes: delivered, retrying (failed, another attempt is scheduled), failed (no attempt left). */
  deliveries: Counter<'outcome'>;
  /** Duration of one attempt (resolve, connect, request, response), by success or failure. */
  attemptDuration: Histogram<'outcome'>;
}

export function createWebhookMetrics(registry: Registry): WebhookMetrics {
  return {
    deliveries: new Counter({
      name: 'webhook_deliveries_total',
      help: 'Webhook delivery attempts by outcome (delivered, retrying, failed)',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    attemptDuration: new Histogram({
      name: 'webhook_attempt_duration_seconds',
      help: 'Duration of one webhook delivery attempt, by outcome (success, failure)',
      labelNames: ['outcome'] as const,
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
  };
}
