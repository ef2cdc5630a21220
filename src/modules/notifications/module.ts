// createNotificationsModule: transactional email. Consumes outbox events, renders the message per locale and sends it
// once per (event, recipient, template) over SMTP, or into the local mail outbox when SMTP_URL is not set.
import { fileURLToPath } from 'node:url';
import type { Kernel } from '../../platform/kernel.ts';
import type { ModuleDefinition } from '../../platform/module.ts';
import type { IdentityApi } from '../identity/index.ts';
import type { OrdersApi } from '../orders/index.ts';

export interface NotificationsModuleDeps {
  kernel: Pick<Kernel, 'db' | 'privacy' | 'config' | 'logger' | 'metrics'>;
  identity: Pick<IdentityApi, 'contactOf'>;
  orders: OrdersApi;
}

export function createNotificationsModule(_deps: NotificationsModuleDeps) {
  const definition: ModuleDefinition = {
    name: 'notifications',
    migrations: { module: 'notifications', dir: fileURLToPath(new URL('./migrations/', import.meta.url)) },
  };
  return { definition };
}

export type NotificationsModule = ReturnType<typeof createNotificationsModule>;
