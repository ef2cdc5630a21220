// Placing an attempt past its deadline (a payment that waited long for the customer, settled by a late webhook or a
// retry before the sweeper compensated it): what the attempt held until its deadline may have run out meanwhile.
// The cart's mark outlives the deadline by a lease only, and the stock reservation by a backstop; both are looked at
// again, and the order is placed only when the cart is still as the snapshot saw it and the stock is still held.
import type { Ctx } from '../../../platform/context.ts';
import { type AppError, errors } from '../../../platform/errors.ts';
import { INVENTORY_ERRORS, type InventoryApi } from '../../inventory/index.ts';
import { type CartApi, type CheckoutSnapshot, ORDER_ERRORS } from '../contract.ts';
import { reservationKey } from '../lifecycle/order-keys.ts';

/** Why the attempt may no longer be placed (the compensation's cause), or undefined when it may. */
export async function pastDeadlineRefusal(
  deps: { cart: CartApi; inventory: InventoryApi },
  ctx: Ctx,
  a: { id: string; cartId: string },
  s: CheckoutSnapshot,
  holdMs: number,
): Promise<AppError | undefined> {
  // Held again only when unchanged since the snapshot: a customer who edited the cart after the mark ran out is not
  // charged for the cart as it was.
  if (!(await deps.cart.renewCheckout(ctx, a.cartId, a.id, s.version, holdMs))) {
    return errors.conflict(
      ORDER_ERRORS.cartChanged,
      'The cart changed after the checkout waited past its deadline; nothing was charged.',
    );
  }
  const reservation = await deps.inventory.reserve(ctx, {
    key: reservationKey(a.id),
    lines: s.lines.map((l) => ({ variantId: l.variantId, quantity: l.quantity })),
  });
  if (reservation.status !== 'active') {
    return errors.conflict(INVENTORY_ERRORS.reservationExpired, 'The stock reservation expired.');
  }
  return undefined;
}
