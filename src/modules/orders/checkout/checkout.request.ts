// What an Idempotency-Key of POST /v1/orders (and GraphQL placeOrder) stands for. The key is scoped to the cart: an
// attempt is found by (cart, key), so the same key sent for another cart is that cart's own checkout. The request is
// the cart, the payment provider and the payment token; an attempt stores the SHA-256 of its canonical form (never
// the token itself), and the same key for the same cart with another request is refused with 422
// idempotency.key_reused, as on every route (platform/http/idempotency.ts), instead of replaying the first answer.
import { createHash } from 'node:crypto';
import type { Ctx } from '../../../platform/context.ts';
import { idempotencyErrors } from '../../../platform/http/idempotency-errors.ts';
import { hashToken } from '../lifecycle/order-keys.ts';
import type { Attempt } from './checkout.repo.ts';

export interface CheckoutRequest {
  cartId: string;
  cartToken: string | undefined;
  payment: { provider: string; token: string };
}

/**
 * The attempt's hashes of this request: `requestHash`, the SHA-256 of the canonical request (cart, provider, token),
 * what a reuse of its key is compared with; `callerHash`, who may replay it once the cart refuses reads (the
 * customer, or the guest holding the cart token).
 */
export function requestHashes(ctx: Ctx, input: CheckoutRequest): { callerHash: string; requestHash: string } {
  const canonical = JSON.stringify(['orders.checkout', input.cartId, input.payment.provider, input.payment.token]);
  return {
    callerHash: hashToken(ctx.actor.kind === 'customer' ? `user:${ctx.actor.userId}` : `cart:${input.cartToken}`),
    requestHash: createHash('sha256').update(canonical).digest('hex'),
  };
}

/**
 * `a`, when it may answer a request with this key and hash; 422 idempotency.key_reused when it was made with this
 * key for another request. An attempt written before the request was stored (no hash) answers any request with its
 * key, as it did. A 5xx failure holds no request (the generic layer stores no 5xx answer either): the next request
 * with its key starts a new attempt.
 */
export function sameRequest(a: Attempt, key: string, hash: string): Attempt {
  if (a.idempotencyKey !== key || a.requestHash === null || a.requestHash === hash) return a;
  if (a.status === 'failed' && (a.answer?.status ?? 500) >= 500) return a;
  throw idempotencyErrors.reused();
}
