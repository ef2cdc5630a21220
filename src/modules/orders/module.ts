// createOrdersModule: the checkout saga, orders, their routes, post-pivot subscribers and the sweeper.
import { fileURLToPath } from 'node:url';
import type { Db } from '../../platform/db/db.ts';
import type { Kernel } from '../../platform/kernel.ts';
import type { ModuleDefinition } from '../../platform/module.ts';
import type { InventoryApi } from '../inventory/index.ts';
import { createPaymentsContributor, type PaymentsApi } from '../payments/index.ts';
import { type CaptureMode, captureOrder } from './capture.ts';
import { DEFAULT_LEASE_MS } from './checkout.lease.ts';
import type { Step } from './checkout.repo.ts';
import { type CheckoutService, type CheckoutSettings, createCheckoutService } from './checkout.service.ts';
import { checkoutSubscribers, checkoutSweeper, sweep } from './checkout.workers.ts';
import type { CartApi, PricingApi } from './contract.ts';
import { createOrdersGraphql } from './orders.graphql.ts';
import { registerOrdersRoutes } from './orders.http.ts';
import { createOrdersContributor } from './orders.privacy.ts';
import { orderRetentionJobs } from './orders.retention.ts';
import { createOrdersService, type OrdersService } from './orders.service.ts';
import { registerReturnRoutes } from './returns.http.ts';
import { createReturnsService, type ReturnsService } from './returns.service.ts';
import { registerShipmentRoutes } from './shipments.http.ts';
import { createShipmentsService, type ShipmentsService } from './shipments.service.ts';

export interface OrdersModuleDeps {
  kernel: Pick<Kernel, 'db' | 'privacy' | 'config'>;
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
  checkout: CheckoutService;
  orders: OrdersService;
  /** One sweeper pass (tests, ops). */
  sweep(): Promise<number>;
}

export const ORDERS_MIGRATIONS = { module: 'orders', dir: fileURLToPath(new URL('./migrations/', import.meta.url)) };

/**
 * Builds the module from dependencies resolved on first use. The definition's static parts (migrations,
 * subscriber and job names) do not need them, so a test can build the definition before the app's kernel
 * exists and bind the dependencies afterwards.
 */
export function createLateOrdersModule(
  resolveDeps: () => OrdersModuleDeps,
  sweepIntervalMs = 10_000,
): OrdersModule & { bound: () => boolean } {
  let built:
    | {
        checkout: CheckoutService;
        orders: OrdersService;
        shipments: ShipmentsService;
        returns: ReturnsService;
        db: Db;
        deps: OrdersModuleDeps;
        capture: CaptureMode;
      }
    | undefined;
  const get = () => {
    if (built) return built;
    const deps = resolveDeps();
    const db = deps.kernel.db;
    const privacy = deps.kernel.privacy;
    const orders = createOrdersService({ db, privacy });
    const capture = deps.settings?.capture ?? 'immediate';
    const checkout = createCheckoutService({
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
    const shipments = createShipmentsService({ db, payments: deps.payments, orders });
    const returns = createReturnsService({ db, privacy, orders });
    built = { checkout, orders, shipments, returns, db, deps, capture };
    return built;
  };
  const workerDeps = () => {
    const b = get();
    return { ...b.deps, db: b.db, checkout: b.checkout, orders: b.orders, capture: b.capture };
  };
  // What the routes and resolvers call: bound to the dependencies on first use.
  const services: { checkout: CheckoutService; orders: OrdersService; returns: ReturnsService } = {
    checkout: {
      checkout: (...a) => get().checkout.checkout(...a),
      resume: (...a) => get().checkout.resume(...a),
      abandon: (...a) => get().checkout.abandon(...a),
    },
    orders: new Proxy({} as OrdersService, { get: (_t, p) => get().orders[p as keyof OrdersService] }),
    returns: {
      request: (...a) => get().returns.request(...a),
      list: (...a) => get().returns.list(...a),
      listAll: (...a) => get().returns.listAll(...a),
      receive: (...a) => get().returns.receive(...a),
      reject: (...a) => get().returns.reject(...a),
    },
  };
  const definition: ModuleDefinition = {
    name: 'orders',
    migrations: ORDERS_MIGRATIONS,
    registerRoutes: (http) => {
      registerShipmentRoutes(http, {
        ship: (...a) => get().shipments.ship(...a),
        list: (...a) => get().shipments.list(...a),
        update: (...a) => get().shipments.update(...a),
      });
      registerOrdersRoutes(http, services);
      registerReturnRoutes(http, services.returns);
    },
    graphql: createOrdersGraphql(services),
    subscribers: checkoutSubscribers(workerDeps),
    jobs: [
      checkoutSweeper(workerDeps, sweepIntervalMs),
      ...orderRetentionJobs(
        () => get().db,
        () => get().deps.kernel.config.retention,
      ),
    ],
  };
  return {
    definition,
    get checkout() {
      return get().checkout;
    },
    get orders() {
      return get().orders;
    },
    sweep: () => sweep(workerDeps()),
    bound: () => built !== undefined,
  };
}

export function createOrdersModule(deps: OrdersModuleDeps): OrdersModule {
  return createLateOrdersModule(() => deps, deps.settings?.sweepIntervalMs);
}

/**
 * For app.ts: the orders module over the kernel and the other modules' APIs. Registers the orders' part of a person's
 * export and erasure, and payments' part (the payments of the person's orders: only orders can tell which those are,
 * and payments may not depend on orders).
 */
export function ordersModuleFor(
  kernel: Kernel,
  deps: { cart: CartApi; pricing: PricingApi; inventory: InventoryApi; payments: PaymentsApi },
): OrdersModule {
  const personalData = createOrdersContributor({ db: kernel.db, privacy: kernel.privacy });
  kernel.privacy.register(personalData);
  kernel.privacy.register(createPaymentsContributor({ payments: deps.payments, orderIdsOf: personalData.orderIdsOf }));
  return createOrdersModule({ kernel, ...deps, settings: { capture: kernel.config.paymentCapture } });
}
