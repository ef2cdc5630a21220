// One app per orders test file, its orders module built over FAKE cart and pricing (test/support/orders-fakes.ts), the
// app's real inventory, and real payments with the sandbox PSP over HTTP. The app builds the orders module through
// `AppOptions.orders`, so it has the app's kernel from the start.
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { InventoryModule } from '../../src/modules/inventory/index.ts';
import {
  type CheckoutSnapshot,
  type OrdersModule,
  type OrdersModuleDeps,
  ordersModuleFor,
} from '../../src/modules/orders/index.ts';
import { createPaymentsModule, type PaymentsModule } from '../../src/modules/payments/index.ts';
import { type SandboxPsp, startSandboxPsp } from '../../src/modules/payments/testing.ts';
import { systemCtx } from '../../src/platform/context.ts';
import { createTestApp, type TestApp, type TestAppOptions } from './create-test-app.ts';
import { fakeAuth } from './fake-auth.ts';
import { listen } from './listen.ts';
import { createFakeCart, createFakePricing, type FakeCart, type FakePricing } from './orders-fakes.ts';

const SECRET = 'whsec_orders_0123456789abcdef';
export const ctx = systemCtx('test');

export interface OrdersHarness {
  t: TestApp;
  psp: SandboxPsp;
  cart: FakeCart;
  pricing: FakePricing;
  inventory: InventoryModule;
  payments: PaymentsModule;
  orders: OrdersModule;
  warehouseId: string;
  /** Mutable: tests set it to simulate a process death after a step. */
  hooks: {
    afterStep?: OrdersModuleDeps['afterStep'];
    /** Runs after the real authorize; throwing there imitates a lost answer (the provider may have authorized). */
    afterAuthorize?: () => void;
  };
  close(): Promise<void>;
}

export async function startOrdersHarness(
  options: TestAppOptions & {
    leaseMs?: number;
    deadlineMs?: number;
    timeoutMs?: number;
    capture?: 'immediate' | 'shipment';
  } = {},
): Promise<OrdersHarness> {
  const psp = await startSandboxPsp({
    webhookSecret: SECRET,
    processingDelayMs: 60_000,
    slowResponseMs: 3_000,
    retry: { baseMs: 20, maxMs: 200, maxAttempts: 30 },
  });
  const cart = createFakeCart();
  const pricing = createFakePricing();
  const hooks: OrdersHarness['hooks'] = {};
  let built: { orders: OrdersModule; payments: PaymentsModule } | undefined;
  const t = await createTestApp({
    authenticate: fakeAuth,
    ...options,
    orders: (kernel, parts) => {
      // The test's own payments instance (the same database and sandbox as the app's), so it can reach the module's
      // operations (reconcile, retryVoids) and wrap authorize.
      const payments = createPaymentsModule({ kernel });
      const orders = ordersModuleFor(kernel, {
        cart,
        pricing,
        inventory: parts.inventory,
        payments: {
          ...payments.api,
          authorize: async (c, input) => {
            const p = await payments.api.authorize(c, input);
            hooks.afterAuthorize?.();
            return p;
          },
        },
        settings: {
          leaseMs: options.leaseMs ?? 30_000,
          deadlineMs: options.deadlineMs ?? 15 * 60_000,
          capture: options.capture ?? 'immediate',
          sweepIntervalMs: 60_000,
        },
        afterStep: (step, id) => hooks.afterStep?.(step, id),
      });
      built = { orders, payments };
      return orders;
    },
    env: {
      SANDBOX_PSP_URL: psp.url,
      SANDBOX_WEBHOOK_SECRET: SECRET,
      SANDBOX_PSP_TIMEOUT_MS: String(options.timeoutMs ?? 5000),
      EVENTS_POLL_MS: '50',
      ...options.env,
    },
  });
  if (!built) throw new Error('orders harness: the app did not build the orders module');
  const { orders, payments } = built;
  const base = await listen(t.http);
  psp.setWebhookUrl(`${base}/v1/payments/webhooks/sandbox`);
  const warehouseId = (await t.inventory.stock.createWarehouse(ctx, { name: 'Main', country: 'DE' })).id;
  return {
    t,
    psp,
    cart,
    pricing,
    inventory: t.inventory,
    payments,
    orders,
    warehouseId,
    hooks,
    async close() {
      await t.close();
      await payments.module.stop?.();
      await psp.close();
    },
  };
}

let n = 0;
export const uid = (p: string) => `${p}_${randomBytes(4).toString('hex')}_${++n}`;

export async function stock(h: OrdersHarness, variantId: string, quantity: number) {
  await h.inventory.stock.recordMovement(ctx, {
    variantId,
    warehouseId: h.warehouseId,
    kind: 'receive',
    quantity,
    reason: 'test stock',
    idempotencyKey: uid('mv'),
  });
}

const eur = (amount: number) => ({ amount, currency: 'EUR' });

/** A complete cart snapshot: `qty` × variant at 1000 + 500 shipping + 190 tax per unit, minus `discount`. */
export function snapshot(
  o: {
    variantId: string;
    qty?: number;
    userId?: string | null;
    promotionId?: string;
    discount?: number;
  } & Partial<CheckoutSnapshot>,
): CheckoutSnapshot {
  const qty = o.qty ?? 1;
  const discount = o.promotionId ? (o.discount ?? 100) : 0;
  const subtotal = 1000 * qty;
  const tax = 190 * qty;
  const base: CheckoutSnapshot = {
    cartId: uid('cart'),
    currency: 'EUR',
    email: 'shopper@example.com',
    userId: o.userId ?? null,
    lines: [
      {
        lineId: 'line_1',
        variantId: o.variantId,
        productId: 'prod_1',
        sku: `SKU-${o.variantId}`,
        name: 'Test shirt',
        quantity: qty,
        unitPrice: eur(1000),
        lineTotal: eur(subtotal),
        discount: eur(discount),
        tax: eur(tax),
      },
    ],
    shippingAddress: { name: 'Ada', line1: 'Main St 1', city: 'Berlin', postalCode: '10115', country: 'DE' },
    billingAddress: null,
    shippingMethod: { id: 'ship_std', name: 'Standard', price: eur(500) },
    promotions: o.promotionId ? [{ promotionId: o.promotionId, code: 'SAVE', amount: eur(discount) }] : [],
    totals: {
      subtotal: eur(subtotal),
      discount: eur(discount),
      shipping: eur(500),
      tax: eur(tax),
      total: eur(subtotal - discount + 500 + tax),
    },
    version: 1,
  };
  const { variantId: _v, qty: _q, promotionId: _p, discount: _d, ...rest } = o;
  return { ...base, ...rest, userId: o.userId ?? null };
}

/** A guest cart in the fake cart; returns its id and token. */
export function guestCart(h: OrdersHarness, s: CheckoutSnapshot) {
  const token = uid('ctok');
  h.cart.put(s, token);
  return { cartId: s.cartId, token };
}

export function placeOrder(
  h: OrdersHarness,
  cartId: string,
  o: { token?: string; key?: string; payToken?: string; provider?: string; headers?: Record<string, string> } = {},
) {
  return h.t.http.inject({
    method: 'POST',
    url: '/v1/orders',
    headers: {
      'idempotency-key': o.key ?? uid('key'),
      ...(o.token ? { 'x-cart-token': o.token } : {}),
      ...o.headers,
    },
    payload: { cartId, payment: { provider: o.provider ?? 'sandbox', token: o.payToken ?? 'tok_visa' } },
  });
}

export async function q<T>(h: OrdersHarness, query: ReturnType<typeof sql>): Promise<T[]> {
  return (await query.execute(h.t.kernel.db.k)).rows as T[];
}

export async function level(h: OrdersHarness, variantId: string) {
  const r = await q<{ onHand: number; reserved: number }>(
    h,
    sql`select on_hand as "onHand", reserved from inventory.levels where variant_id = ${variantId}`,
  );
  return r[0] ? { onHand: Number(r[0].onHand), reserved: Number(r[0].reserved) } : undefined;
}

export async function paymentOf(h: OrdersHarness, orderId: string) {
  return h.payments.api.getByOrderId(ctx, orderId);
}

export async function waitFor<T>(fn: () => Promise<T | undefined | false>, ms = 8000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > until) throw new Error('waitFor: timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}
