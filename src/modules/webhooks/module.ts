// createWebhooksModule: outbound webhooks for integrators. Staff subscribe an endpoint to public event types; each
// event is delivered once per subscription, signed per the Standard Webhooks specification, and retried on its
// schedule with the same webhook-id.
import { fileURLToPath } from 'node:url';
import type { Kernel } from '../../platform/kernel.ts';
import type { ModuleDefinition } from '../../platform/module.ts';
import { createDispatcher } from './dispatcher.ts';
import { createEndpointsService } from './endpoints.service.ts';
import { fanOutSubscriber } from './fan-out.ts';
import { secretsRotationPart } from './secrets.ts';
import { registerWebhookRoutes } from './webhooks.http.ts';
import { createWebhookMetrics } from './webhooks.metrics.ts';
import { webhooksRetentionJob } from './webhooks.retention.ts';

export interface WebhooksModuleDeps {
  kernel: Pick<Kernel, 'db' | 'privacy' | 'config' | 'logger' | 'metrics'> & Partial<Pick<Kernel, 'tracing'>>;
}

/** How often the dispatcher job looks for due deliveries (retries; fan-outs and short retries also wake it). */
const DISPATCH_INTERVAL_MS = 1_000;

export function createWebhooksModule(deps: WebhooksModuleDeps) {
  const { db, privacy, config, logger, metrics } = deps.kernel;
  const dispatcher = createDispatcher({
    db,
    pii: privacy.pii,
    config: config.webhooks,
    logger,
    metrics: createWebhookMetrics(metrics.registry),
    tracer: deps.kernel.tracing?.tracer,
  });
  const wake = () => dispatcher.wake();
  const service = createEndpointsService({ db, pii: privacy.pii, config: config.webhooks, wake });
  privacy.register({ name: 'webhooks', rotation: [secretsRotationPart(db, privacy.pii)] });

  const definition: ModuleDefinition = {
    name: 'webhooks',
    migrations: { module: 'webhooks', dir: fileURLToPath(new URL('./migrations/', import.meta.url)) },
    registerRoutes: (http) => registerWebhookRoutes(http, service),
    subscribers: [fanOutSubscriber({ db, wake })],
    jobs: [
      {
        name: 'webhooks.dispatch',
        intervalMs: DISPATCH_INTERVAL_MS,
        run: async () => {
          await dispatcher.runOnce();
        },
      },
      webhooksRetentionJob(db, () => config.retention.webhookDeliveryDays),
    ],
    stop: () => dispatcher.stop(),
  };
  return { definition, service };
}

export type WebhooksModule = ReturnType<typeof createWebhooksModule>;
