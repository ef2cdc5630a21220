// Fakes of the cart and pricing contracts orders depends on, for orders' own tests (test/support/orders-harness.ts):
// a test puts any snapshot straight into the cart and makes completions fail on demand. The fake pricing enforces
// redemption limits atomically (no await between check and update), so the coupon-limit invariant is meaningfully
// tested at the orders level.
import type { CartApi, CheckoutSnapshot, PricingApi, RedemptionRequest } from '../../src/modules/orders/index.ts';
import type { Ctx } from '../../src/platform/context.ts';
import { AppError, errors } from '../../src/platform/errors.ts';

export interface FakeCart extends CartApi {
  /** Creates or replaces a cart; a guest cart is read with `token`. */
  put(snapshot: CheckoutSnapshot, token?: string): void;
  completed(cartId: string): string | undefined;
  /** Makes the next `n` markCompleted calls throw (a failing post-pivot subscriber). */
  failNextCompletions(n: number): void;
  completionCalls(): number;
  /** Makes reads of completed carts fail with 409 `cart.completed` (a stricter real cart). */
  refuseCompletedReads(on: boolean): void;
}

export function createFakeCart(): FakeCart {
  const carts = new Map<string, { snapshot: CheckoutSnapshot; token: string | undefined; orderId?: string }>();
  let failures = 0;
  let calls = 0;
  let refuseCompleted = false;
  return {
    refuseCompletedReads(on) {
      refuseCompleted = on;
    },
    put(snapshot, token) {
      carts.set(snapshot.cartId, { snapshot, token });
    },
    completed: (cartId) => carts.get(cartId)?.orderId,
    failNextCompletions(n) {
      failures = n;
    },
    completionCalls: () => calls,
    async getCheckoutSnapshot(ctx: Ctx, cartId: string, cartToken: string | undefined) {
      const c = carts.get(cartId);
      const owner = ctx.actor.kind === 'customer' && c?.snapshot.userId === ctx.actor.userId;
      const guest = c?.token !== undefined && c.token === cartToken;
      if (!c || !(owner || guest)) throw errors.notFound('cart.not_found', `No cart ${cartId}.`);
      if (refuseCompleted && c.orderId) throw errors.conflict('cart.completed', `Cart ${cartId} is completed.`);
      return structuredClone(c.snapshot);
    },
    async holdForCheckout(ctx: Ctx, cartId: string, cartToken: string | undefined) {
      return {
        snapshot: await this.getCheckoutSnapshot(ctx, cartId, cartToken),
        held: false,
        blocked: false,
        holder: null,
        holderLeftMs: null,
      };
    },
    async releaseCheckout() {},
    /** The fake's carts never change under a checkout: a renewal always holds. */
    async renewCheckout() {
      return true;
    },
    async markCompleted(_ctx: Ctx, cartId: string, orderId: string) {
      calls++;
      if (failures > 0) {
        failures--;
        throw new Error('fake cart: markCompleted failed');
      }
      const c = carts.get(cartId);
      if (!c) throw errors.notFound('cart.not_found', `No cart ${cartId}.`);
      c.orderId ??= orderId;
    },
  };
}

export interface FakePricing extends PricingApi {
  /** Sets a promotion's global limit (redemptions reserved + committed). */
  setLimit(promotionId: string, limit: number): void;
  /** Reserved and committed redemptions of a promotion. */
  used(promotionId: string): { reserved: number; committed: number };
}

export function createFakePricing(): FakePricing {
  const limits = new Map<string, number>();
  const reservations = new Map<string, { promotionIds: string[]; status: 'reserved' | 'released' | 'committed' }>();
  const count = (promotionId: string, status: 'reserved' | 'committed') =>
    [...reservations.values()].filter((r) => r.status === status && r.promotionIds.includes(promotionId)).length;
  return {
    setLimit: (id, limit) => limits.set(id, limit),
    used: (id) => ({ reserved: count(id, 'reserved'), committed: count(id, 'committed') }),
    async reserveRedemptions(_ctx: Ctx, req: RedemptionRequest) {
      // Synchronous from here on: the check and the update are atomic on the event loop.
      if (reservations.has(req.key)) return;
      for (const id of req.promotionIds) {
        const limit = limits.get(id);
        if (limit !== undefined && count(id, 'reserved') + count(id, 'committed') >= limit) {
          throw new AppError(409, 'promotions.limit_reached', 'Conflict', {
            detail: `Promotion ${id} has no redemptions left.`,
            extra: { promotionId: id },
          });
        }
      }
      reservations.set(req.key, { promotionIds: [...req.promotionIds], status: 'reserved' });
    },
    async releaseRedemptions(_ctx: Ctx, key: string) {
      const r = reservations.get(key);
      if (r && r.status === 'reserved') r.status = 'released';
    },
    async commitRedemptions(_ctx: Ctx, key: string) {
      const r = reservations.get(key);
      if (r && r.status === 'reserved') r.status = 'committed';
    },
  };
}
