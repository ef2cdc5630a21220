// createNotificationsModule: transactional email. Consumes outbox events, renders the message per locale and sends it
// once per (event, recipient, template) over SMTP, or into the local mail outbox when SMTP_URL is not set.
// docs/notifications.md describes the kinds, the settings, the retries and the runbook.
import { fileURLToPath } from 'node:url';
import type { Kernel } from '../../platform/kernel.ts';
import type { ModuleDefinition } from '../../platform/module.ts';
import type { IdentityApi } from '../identity/index.ts';
import type { OrdersApi } from '../orders/index.ts';
import { createDispatcher } from './dispatcher.ts';
import { registerNotificationRoutes } from './notifications.http.ts';
import { createNotificationsContributor } from './notifications.privacy.ts';
import { notificationsRetentionJob } from './notifications.retention.ts';
import { createSubscribers } from './notifications.subscribers.ts';
import { lazyRenderer } from './renderer-lazy.ts';

export interface NotificationsModuleDeps {
  kernel: Pick<Kernel, 'db' | 'privacy' | 'config' | 'logger' | 'metrics'> & Partial<Pick<Kernel, 'tracing'>>;
  identity: Pick<IdentityApi, 'contactOf'>;
  orders: OrdersApi;
}

/** The dispatcher's scheduled run, a safety net: new messages and retries due within a minute wake it in-process;
 * the job picks up the rest (retries further away, messages left by a process that died). */
const DISPATCH_INTERVAL_MS = 5000;

export function createNotificationsModule(deps: NotificationsModuleDeps) {
  const { kernel } = deps;
  const { db, privacy, logger, metrics } = kernel;
  const { shop, mail } = kernel.config;
  const renderer = lazyRenderer(shop);
  const tracer = kernel.tracing?.tracer;
  // The developer's way to a reset or verification link without SMTP: the log (the outbox copy has it redacted).
  const logSecretLinks = kernel.config.env === 'development' && !mail.smtpUrl;
  const dispatcher = createDispatcher({ db, privacy, mail, shop, logger, metrics, renderer, tracer, logSecretLinks });
  privacy.register(createNotificationsContributor({ db, privacy }));

  const definition: ModuleDefinition = {
    name: 'notifications',
    migrations: { module: 'notifications', dir: fileURLToPath(new URL('./migrations/', import.meta.url)) },
    subscribers: createSubscribers({
      db,
      privacy,
      shop,
      mail,
      identity: deps.identity,
      orders: deps.orders,
      onQueued: () => dispatcher.wake(),
    }),
    jobs: [
      {
        name: 'notifications.dispatch',
        intervalMs: DISPATCH_INTERVAL_MS,
        run: async () => {
          await dispatcher.runOnce();
        },
      },
      notificationsRetentionJob(db, () => kernel.config.retention.notificationDays),
    ],
    registerRoutes: (http) =>
      registerNotificationRoutes(http, { db, privacy, shop, renderer, wake: () => dispatcher.wake() }),
    stop: () => dispatcher.stop(),
  };
  return { definition, renderer, dispatcher };
}

export type NotificationsModule = ReturnType<typeof createNotificationsModule>;
