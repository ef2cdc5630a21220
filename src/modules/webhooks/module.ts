// createWebhooksModule: outbound webhooks for integrators. Staff subscribe an endpoint to public event types; each
// event is delivered once per subscription, signed per the Standard Webhooks specification, and retried on its
// schedule with the same webhook-id.
import { fileURLToPath } from 'node:url';
import type { Kernel } from '../../platform/kernel.ts';
import type { ModuleDefinition } from '../../platform/module.ts';

export interface WebhooksModuleDeps {
  kernel: Pick<Kernel, 'db' | 'privacy' | 'config' | 'logger' | 'metrics'>;
}

export function createWebhooksModule(_deps: WebhooksModuleDeps) {
  const definition: ModuleDefinition = {
    name: 'webhooks',
    migrations: { module: 'webhooks', dir: fileURLToPath(new URL('./migrations/', import.meta.url)) },
  };
  return { definition };
}

export type WebhooksModule = ReturnType<typeof createWebhooksModule>;
