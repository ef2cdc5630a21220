// createPaymentsModule: the provider (sandbox by default, embedded and started on first use),
// the service API for orders, webhook and staff routes, the card-data guard and reconciliation.

import { fileURLToPath } from 'node:url';
import { Counter, Gauge } from 'prom-client';
import { systemCtx } from '../../platform/context.ts';
import { newSecret } from '../../platform/ids.ts';
import type { Kernel } from '../../platform/kernel.ts';
import type { ModuleDefinition } from '../../platform/module.ts';
import type { PaymentsApi } from './contract.ts';
import { registerPaymentsRoutes } from './payments.http.ts';
import { measurePayments } from './payments.metrics.ts';
import { createPaymentsService, type PaymentsService } from './payments.service.ts';
import type { PaymentProvider } from './provider.ts';
import { instrumentProvider } from './provider-metrics.ts';
import { traceProvider } from './provider-tracing.ts';
import { createSandboxProvider } from './providers/sandbox-provider.ts';
import { createStripeProvider } from './providers/stripe-provider.ts';
import { createReconciler, type ReconciliationReport } from './reconcile.ts';
import { type SandboxOptions, type SandboxPsp, startSandboxPsp } from './sandbox/sandbox-server.ts';
import { chaosFrom } from './sandbox/webhook-sender.ts';
import { createWebhookHandler } from './webhooks.service.ts';

export interface PaymentsModule {
  module: ModuleDefinition;
  api: PaymentsApi;
  /** Internals for tests and ops tooling. */
  service: PaymentsService;
  provider: PaymentProvider;
  reconcile: (window: { from: Date; to: Date }) => Promise<ReconciliationReport>;
  /** One pass of the `payments.retry_voids` job (tests, ops). */
  retryVoids: () => Promise<{ voided: number; pending: number }>;
  /** The embedded sandbox PSP (started on first use), or undefined with Stripe or a standalone sandbox. */
  sandbox: () => Promise<SandboxPsp> | undefined;
}

function stripeHost(apiUrl: string) {
  const u = new URL(apiUrl);
  const protocol = u.protocol === 'http:' ? ('http' as const) : ('https' as const);
  return { host: u.hostname, port: Number(u.port || (protocol === 'http' ? 80 : 443)), protocol };
}

export const RECONCILE_INTERVAL_MS = 15 * 60_000;
export const RECONCILE_LOOKBACK_MS = 24 * 60 * 60_000;
/** How often voids owed to an unreachable provider are tried again. */
export const RETRY_VOIDS_INTERVAL_MS = 30_000;

export function createPaymentsModule(deps: {
  kernel: Kernel;
  /** Tests: tune the embedded sandbox (delays, retries). */
  sandboxOptions?: Partial<SandboxOptions>;
}): PaymentsModule {
  const { config, db, metrics, logger } = deps.kernel;
  let sandbox: Promise<SandboxPsp> | undefined;
  let provider: PaymentProvider;
  const webhookPath = '/v1/payments/webhooks/sandbox';
  let webhookUrl = config.sandbox.webhookUrl;
  let ensureSandbox: (() => Promise<SandboxPsp>) | undefined;
  if (config.paymentProvider === 'stripe') {
    provider = createStripeProvider({
      secretKey: config.stripe.secretKey as string,
      webhookSecret: config.stripe.webhookSecret as string,
      timeoutMs: config.sandbox.timeoutMs,
      ...(config.stripe.apiUrl ? stripeHost(config.stripe.apiUrl) : {}),
    });
  } else {
    const secret = config.sandbox.webhookSecret ?? newSecret();
    const external = config.sandbox.url;
    const ensure = () => {
      sandbox ??= startSandboxPsp({
        port: config.sandbox.port,
        webhookUrl,
        webhookSecret: secret,
        chaos: chaosFrom(config.sandbox.chaos, config.sandbox.chaosDelayMs),
        ...deps.sandboxOptions,
      }).then((psp) => {
        logger.info({ url: psp.url }, 'embedded sandbox PSP started');
        return psp;
      });
      return sandbox;
    };
    provider = createSandboxProvider({
      baseUrl: async () => external ?? (await ensure()).url,
      webhookSecret: secret,
      timeoutMs: config.sandbox.timeoutMs,
    });
    if (!external) ensureSandbox = ensure;
  }

  provider = instrumentProvider(provider, metrics.registry, logger);
  provider = traceProvider(provider, deps.kernel.tracing.tracer);
  const service = measurePayments(
    createPaymentsService({ db, provider }),
    provider.name,
    metrics.business.paymentOutcomes,
  );
  const handleWebhook = createWebhookHandler({ db, provider, service });
  const existing = metrics.registry.getSingleMetric('payments_reconciliation_drifts');
  const drifts =
    (existing as Gauge<'kind'> | undefined) ??
    new Gauge({
      name: 'payments_reconciliation_drifts',
      help: 'Drifts the last reconciliation run could not repair, by kind',
      labelNames: ['kind'] as const,
      registers: [metrics.registry],
    });
  const repairedTotal =
    (metrics.registry.getSingleMetric('payments_reconciliation_repaired_total') as Counter | undefined) ??
    new Counter({
      name: 'payments_reconciliation_repaired_total',
      help: 'Payments repaired by reconciliation (missed webhooks)',
      registers: [metrics.registry],
    });
  const voidsPending =
    (metrics.registry.getSingleMetric('payments_void_requests_pending') as Gauge | undefined) ??
    new Gauge({
      name: 'payments_void_requests_pending',
      help: 'Voids owed to the payment provider (asked for while it was unreachable), as of the last retry pass',
      registers: [metrics.registry],
    });
  const retryVoids = async () => {
    const r = await service.retryVoids(systemCtx('payments.retry_voids'));
    voidsPending.set(r.pending);
    if (r.voided) logger.info({ voided: r.voided, pending: r.pending }, 'payment voids completed');
    if (r.pending) logger.warn({ pending: r.pending }, 'payment voids still owed to the provider');
    return r;
  };
  const reconciler = createReconciler({
    db,
    provider,
    service,
    onReport: (r) => {
      metrics.business.reconciliationRuns.inc();
      for (const d of r.drifts) metrics.business.reconciliationDrifts.inc({ kind: d.kind });
      drifts.reset();
      for (const d of r.drifts) drifts.inc({ kind: d.kind });
      repairedTotal.inc(r.repaired.length);
      if (r.drifts.length)
        logger.warn({ runId: r.id, drifts: r.drifts.length }, 'payments reconciliation found drifts');
    },
  });

  const module: ModuleDefinition = {
    name: 'payments',
    migrations: { module: 'payments', dir: fileURLToPath(new URL('./migrations/', import.meta.url)) },
    registerRoutes(http) {
      registerPaymentsRoutes(http, {
        api: service,
        handleWebhook,
        latestReports: reconciler.latestReports,
        // Embedded mode: the sandbox posts webhooks to wherever this app listens.
        ...(webhookUrl
          ? {}
          : {
              onListen: async (port: number) => {
                webhookUrl = `http://127.0.0.1:${port}${webhookPath}`;
                if (sandbox) (await sandbox).setWebhookUrl(webhookUrl);
              },
            }),
      });
    },
    jobs: [
      { name: 'payments.retry_voids', intervalMs: RETRY_VOIDS_INTERVAL_MS, run: async () => void (await retryVoids()) },
      {
        name: 'payments.reconcile',
        intervalMs: RECONCILE_INTERVAL_MS,
        run: async (ctx) => {
          const to = new Date(Date.now() - 60_000);
          await reconciler.reconcile(ctx, { from: new Date(to.getTime() - RECONCILE_LOOKBACK_MS), to });
        },
      },
    ],
    async stop() {
      if (sandbox) await (await sandbox).close();
      await provider.close?.();
    },
  };
  return {
    module,
    api: service,
    service,
    provider,
    reconcile: (window) => reconciler.reconcile(systemCtx('payments.reconcile'), window),
    retryVoids,
    sandbox: () => ensureSandbox?.(),
  };
}
