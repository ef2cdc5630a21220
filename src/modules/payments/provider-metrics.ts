// What the operator sees of the payment provider: every call counted by operation and outcome, its duration, and a
// warn line for each call the provider did not answer (timeout, refused connection, 5xx).
import { Counter, Histogram, type Registry } from 'prom-client';
import type { Logger } from '../../platform/observability/logger.ts';
import { type PaymentProvider, ProviderRejectedError, ProviderUnavailableError } from './provider.ts';

export type ProviderOutcome = 'ok' | 'unavailable' | 'rejected' | 'error';

/** The provider's operations that call out (metrics here, spans in provider-tracing.ts). */
export const PROVIDER_CALLS = [
  'authorize',
  'findByIdempotencyKey',
  'capture',
  'void',
  'refund',
  'retrieve',
  'list',
] as const;

function counters(registry: Registry) {
  const calls =
    (registry.getSingleMetric('payments_provider_calls_total') as Counter<'operation' | 'outcome'> | undefined) ??
    new Counter({
      name: 'payments_provider_calls_total',
      help: 'Calls to the payment provider by operation and outcome (ok, unavailable, rejected, error)',
      labelNames: ['operation', 'outcome'] as const,
      registers: [registry],
    });
  const duration =
    (registry.getSingleMetric('payments_provider_call_duration_seconds') as Histogram<'operation'> | undefined) ??
    new Histogram({
      name: 'payments_provider_call_duration_seconds',
      help: 'Duration of calls to the payment provider, by operation (timeouts included)',
      labelNames: ['operation'] as const,
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    });
  return { calls, duration };
}

export function outcomeOf(e: unknown): ProviderOutcome {
  if (e instanceof ProviderUnavailableError) return 'unavailable';
  if (e instanceof ProviderRejectedError) return 'rejected';
  return 'error';
}

/** The same provider, its calls measured. */
export function instrumentProvider(provider: PaymentProvider, registry: Registry, logger: Logger): PaymentProvider {
  const { calls, duration } = counters(registry);
  const measured = { ...provider } as PaymentProvider;
  for (const operation of PROVIDER_CALLS) {
    const call = provider[operation] as (...args: unknown[]) => Promise<unknown>;
    (measured as unknown as Record<string, unknown>)[operation] = async (...args: unknown[]) => {
      const end = duration.startTimer({ operation });
      try {
        const r = await call.apply(provider, args);
        calls.inc({ operation, outcome: 'ok' });
        return r;
      } catch (e) {
        const outcome = outcomeOf(e);
        calls.inc({ operation, outcome });
        if (outcome === 'unavailable') {
          logger.warn(
            { provider: provider.name, operation, err: (e as Error).message },
            'payment provider unavailable',
          );
        }
        throw e;
      } finally {
        end();
      }
    };
  }
  return measured;
}
