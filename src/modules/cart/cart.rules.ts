// Who may see a cart, and the small rules every cart write applies: the answers for a cart that is not the caller's or
// is being checked out, the coupon list after a PATCH, and the soft stock check of a line's quantity.
import { timingSafeEqual } from 'node:crypto';
import type { Ctx } from '../../platform/context.ts';
import { errors } from '../../platform/errors.ts';
import type * as repo from './cart.repo.ts';
import { CART_ERRORS as E } from './contract.ts';

export const notFound = () => errors.notFound(E.notFound, 'No such cart, or it is not yours.');
/** 409 for a change to a cart whose checkout is in progress (repo.holdForCheckout). */
export const checkingOut = () =>
  errors.conflict(
    E.checkoutInProgress,
    'A checkout of this cart is in progress: the cart cannot change until it fails or is abandoned.',
  );
const MAX_COUPONS = 5;

export function userOf(ctx: Ctx): string | null {
  return ctx.actor.kind === 'customer' || ctx.actor.kind === 'staff' ? ctx.actor.userId : null;
}

function sameToken(a: string, b: string | undefined): boolean {
  if (!b || a.length !== b.length) return false;
  return timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

/** The owner (by Bearer) or the holder of the cart token may see a cart; anyone else gets 404. */
export function canAccess(
  ctx: Ctx,
  cart: Pick<repo.StoredCart, 'user_id' | 'token'>,
  token: string | undefined,
): boolean {
  const user = userOf(ctx);
  return (cart.user_id !== null && cart.user_id === user) || sameToken(cart.token, token);
}

/** The cart's coupon codes after a PATCH's `couponCode` (undefined: unchanged; null or "": none; a code: added). */
export function couponCodesAfter(codes: string[], couponCode: string | null | undefined): string[] {
  if (couponCode === null || couponCode === '') return [];
  if (couponCode === undefined) return codes;
  const code = couponCode.toUpperCase();
  const next = codes.includes(code) ? codes : [...codes, code];
  if (next.length > MAX_COUPONS) throw errors.unprocessable(E.tooManyCoupons, `At most ${MAX_COUPONS} coupons.`);
  return next;
}

/** The soft availability check of a line's new quantity (adding, or raising a line): tracked stock below it → 409. */
export function checkStock(stock: { available: number | null } | undefined, quantity: number): void {
  if (stock && stock.available !== null && stock.available < quantity) {
    const available = Math.max(0, stock.available);
    throw errors.conflict(E.insufficientStock, `Only ${available} available.`, { available });
  }
}
