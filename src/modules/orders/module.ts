// createOrdersModule wires the sub-domains (checkout/, lifecycle/, shipments/, returns/, privacy/): their services,
// routes, subscribers, the checkout sweeper and the retention jobs.
import { fileURLToPath } from 'node:url';
import type { Kernel } from '../../platform/kernel.ts';
import type { ModuleDefinition } from '../../platform/module.ts';
import type { InventoryApi } from '../inventory/index.ts';
import { createPaymentsContributor, type PaymentsApi } from '../payments/index.ts';
import { DEFAULT_LEASE_MS } from './checkout/checkout.lease.ts';
import { measureCheckout } from './checkout/checkout.metrics.ts';
import type { Step } from './checkout/checkout.repo.ts';
import { type CheckoutService, type CheckoutSettings, createCheckoutService } from './checkout/checkout.service.ts';
import {
  afterPlacedSubscribers,
  checkoutSweeper,
  paymentSettledSubscribers,
  sweep,
} from './checkout/checkout.workers.ts';
import { createDoneInline } from './checkout/done-inline.ts';
import type { CartApi, OrdersApi, PricingApi } from './contract.ts';
import { type CaptureMode, captureOrder } from './lifecycle/capture.ts';
import { createOrdersService, type OrdersService } from './lifecycle/orders.service.ts';
import { lifecycleSubscribers } from './lifecycle/orders.workers.ts';
import { createOrdersGraphql } from './orders.graphql.ts';
import { registerOrdersRoutes } from './orders.http.ts';
import { createOrdersContributor } from './privacy/orders.privacy.ts';
import { orderRetentionJobs } from './privacy/orders.retention.ts';
import { registerReturnRoutes } from './returns/returns.http.ts';
import { createReturnsService } from './returns/returns.service.ts';
import { returnsSubscribers } from './returns/returns.workers.ts';
import { registerShipmentRoutes } from './shipments/shipments.http.ts';
import { createShipmentsService } from './shipments/shipments.service.ts';

export interface OrdersModuleDeps {
  kernel: Pick<Kernel, 'db' | 'privacy' | 'config' | 'metrics'>;
  cart: CartApi;
  pricing: PricingApi;
  inventory: InventoryApi;
  payments: PaymentsApi;
  /** Defaults: 10 s lease (renewed while held), 15 min deadline, sweeper every 10 s, capture immediately. */
  settings?: Partial<CheckoutSettings & { sweepIntervalMs: number; capture: CaptureMode }>;
  /** Tests: throwing here simulates the process dying right after that step. */
  afterStep?: (step: Step, attemptId: string) => void;
}

export interface OrdersModule {
  definition: ModuleDefinition;
  /** What other modules may ask (contract.ts). */
  api: OrdersApi;
  checkout: CheckoutService;
  orders: OrdersService;
  /** One sweeper pass (tests, ops). */
  sweep(): Promise<number>;
}

export const ORDERS_MIGRATIONS = { module: 'orders', dir: fileURLToPath(new URL('./migrations/', import.meta.url)) };

export function createOrdersModule(deps: OrdersModuleDeps): OrdersModule {
  const { db, privacy } = deps.kernel;
  const orders = createOrdersService({ db, privacy });
  const capture = deps.settings?.capture ?? 'immediate';
  const doneInline = createDoneInline();
  const service = createCheckoutService({
    doneInline,
    db,
    privacy,
    cart: deps.cart,
    pricing: deps.pricing,
    inventory: deps.inventory,
    payments: deps.payments,
    settings: {
      leaseMs: deps.settings?.leaseMs ?? DEFAULT_LEASE_MS,
      deadlineMs: deps.settings?.deadlineMs ?? 15 * 60_000,
    },
    ...(deps.afterStep ? { afterStep: deps.afterStep } : {}),
    ...(capture === 'immediate'
      ? {
          captureNow: (ctx, id, paymentId, payment) =>
            captureOrder({ payments: deps.payments, orders }, ctx, id, { paymentId, payment }),
        }
      : {}),
  });
  const checkout = measureCheckout(service, deps.kernel.metrics.business.checkoutOutcomes);
  const shipments = createShipmentsService({ db, payments: deps.payments, orders });
  const returns = createReturnsService({ db, privacy, orders });
  const workerDeps = { ...deps, db, checkout, orders, capture, doneInline };
  const definition: ModuleDefinition = {
    name: 'orders',
    migrations: ORDERS_MIGRATIONS,
    registerRoutes: (http) => {
      registerShipmentRoutes(http, shipments);
      registerOrdersRoutes(http, { checkout, orders });
      registerReturnRoutes(http, returns);
    },
    graphql: createOrdersGraphql({ checkout, orders, returns }),
    subscribers: [
      ...afterPlacedSubscribers(() => workerDeps),
      ...lifecycleSubscribers(() => workerDeps),
      ...returnsSubscribers(() => workerDeps),
      ...paymentSettledSubscribers(() => workerDeps),
    ],
    jobs: [
      checkoutSweeper(() => workerDeps, deps.settings?.sweepIntervalMs ?? 10_000),
      ...orderRetentionJobs(
        () => db,
        () => deps.kernel.config.retention,
      ),
    ],
  };
  const api: OrdersApi = { getOrder: orders.forNotification };
  return { definition, api, checkout, orders, sweep: () => sweep(workerDeps) };
}

/** What the orders module is built over besides the kernel: the other modules' contracts and its settings. */
export type OrdersParts = Omit<OrdersModuleDeps, 'kernel'>;

/**
 * For app.ts: the orders module over the kernel and the other modules' APIs (a test may pass fakes of some and its own
 * settings). Registers the orders' part of a person's export and erasure, and payments' part (the payments of the
 * person's orders: only orders can tell which those are, and payments may not depend on orders).
 */
export function ordersModuleFor(kernel: Kernel, parts: OrdersParts): OrdersModule {
  const personalData = createOrdersContributor({ db: kernel.db, privacy: kernel.privacy });
  kernel.privacy.register(personalData);
  kernel.privacy.register(createPaymentsContributor({ payments: parts.payments, orderIdsOf: personalData.orderIdsOf }));
  return createOrdersModule({
    kernel,
    ...parts,
    settings: { capture: kernel.config.paymentCapture, ...parts.settings },
  });
}
