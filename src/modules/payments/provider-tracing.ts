// Payment provider calls as CLIENT spans (tracing on, docs/tracing.md): one span per operation, active while it runs,
// so the sandbox client sends that span's `traceparent` with its request. Amounts, tokens and ids stay out of spans.
import { SpanKind, type Tracer } from '@opentelemetry/api';
import { inSpan } from '../../platform/observability/tracing.ts';
import type { PaymentProvider } from './provider.ts';
import { outcomeOf, PROVIDER_CALLS } from './provider-metrics.ts';

/** The same provider, each call in a span; the provider itself when tracing is off. */
export function traceProvider(provider: PaymentProvider, tracer: Tracer | undefined): PaymentProvider {
  if (!tracer) return provider;
  const traced = { ...provider } as PaymentProvider;
  for (const operation of PROVIDER_CALLS) {
    const call = provider[operation] as (...args: unknown[]) => Promise<unknown>;
    (traced as unknown as Record<string, unknown>)[operation] = (...args: unknown[]) =>
      inSpan(
        tracer,
        `payments.${provider.name} ${operation}`,
        {
          kind: SpanKind.CLIENT,
          attributes: { 'emporium.payment.provider': provider.name, 'emporium.payment.operation': operation },
        },
        async (span) => {
          try {
            return await call.apply(provider, args);
          } catch (e) {
            span?.setAttribute('emporium.payment.outcome', outcomeOf(e));
            throw e;
          }
        },
      );
  }
  return traced;
}
