// The pivot of the checkout saga: one guarded statement writes the order (its customer's fields sealed under the
// order's data key), its lines, its log entry, its `placed` event and the stored answer (sealed too).

import type { Ctx } from '../../../platform/context.ts';
import { type Db, retryingStatement } from '../../../platform/db/db.ts';
import { eventsInStatement } from '../../../platform/events/outbox.ts';
import { notifyOutboxAppended } from '../../../platform/events/wake.ts';
import { newSecret } from '../../../platform/ids.ts';
import { supportedLocale } from '../../../platform/locale.ts';
import type { CheckoutSnapshot, OrderView } from '../contract.ts';
import { ORDER_EVENTS, type OrderPlacedPayload } from '../events.ts';
import { hashToken, reservationKey } from '../lifecycle/order-keys.ts';
import { lineRows, ordersRepo, toView } from '../lifecycle/orders.repo.ts';
import { FIELDS, type OrdersPrivacy, orderSubject, sealOrderFields } from '../personal.ts';
import { inProgress } from './checkout.answers.ts';
import type { Attempt } from './checkout.repo.ts';

/** What a checkout ends in when it does not fail (failures are thrown as AppErrors). REST and GraphQL each map it. */
export type CheckoutResult =
  | {
      kind: 'placed';
      order: OrderView;
      /** The data key subject of the personal data in the order (a stored copy of it is sealed under it). */
      subject?: string | undefined;
    }
  | {
      kind: 'requires_action';
      attemptId: string;
      /** Redirect the buyer (3-D Secure and the like), or wait for the provider's webhook. */
      nextAction: { type: 'redirect'; url: string } | { type: 'wait' };
      subject?: string | undefined;
    };

/** The placed order as its stored answer holds it (the stored body is the order view). */
export const placedFrom = (body: Record<string, unknown>, subject?: string): CheckoutResult => ({
  kind: 'placed',
  order: body as unknown as OrderView,
  subject,
});

export async function placeOrder(
  deps: { db: Db; privacy: OrdersPrivacy },
  ctx: Ctx,
  p: { attempt: Attempt; snapshot: CheckoutSnapshot; owner: string; paymentId: string },
): Promise<CheckoutResult> {
  const { db, privacy } = deps;
  const { attempt: a, snapshot: s, owner, paymentId } = p;
  // The key was made when the attempt was created: taken from the cache, or read in one statement before writing.
  const key = await privacy.dataKeys.forSubject(
    a.subject ?? orderSubject(privacy, { userId: s.userId, email: s.email }, a.id),
  );
  const personal = sealOrderFields(privacy, key, s);
  const token = s.userId ? undefined : newSecret(24);
  const tokenHash = token ? hashToken(token) : null;
  const createdAt = new Date().toISOString();
  const view = toView(
    {
      id: a.id,
      number: 0,
      user_id: s.userId,
      status: 'pending',
      currency: s.currency,
      subtotal: s.totals.subtotal.amount,
      discount: s.totals.discount.amount,
      shipping: s.totals.shipping.amount,
      tax: s.totals.tax.amount,
      total: s.totals.total.amount,
      payment_status: 'authorized',
      created_at: new Date(createdAt),
    },
    lineRows(s),
    { email: s.email, shippingAddress: s.shippingAddress, billingAddress: s.billingAddress, erased: false },
  );
  const { number: _number, ...answerBody } = { ...view, ...(token ? { orderToken: token } : {}) };
  // Ids only: a consumer that needs the customer's data reads the order through the orders contract.
  const payload: Omit<OrderPlacedPayload, 'number'> = {
    orderId: a.id,
    cartId: s.cartId,
    userId: s.userId,
    reservationKey: reservationKey(a.id),
    redemptionKey: s.promotions.length ? reservationKey(a.id) : null,
    paymentId,
    total: s.totals.total,
  };
  const events = eventsInStatement(ctx, [{ type: ORDER_EVENTS.placed, aggregateId: a.id, payload: { ...payload } }]);
  const number = await retryingStatement(() =>
    ordersRepo.placeFromAttempt(db.k, {
      attemptId: a.id,
      owner,
      snapshot: s,
      paymentId,
      tokenHash,
      actor: s.userId ? `customer:${s.userId}` : 'guest',
      createdAt,
      personal,
      answerSealed: privacy.dataKeys.sealJson(key, FIELDS.answer, answerBody),
      events,
      locale: supportedLocale(ctx.locale) ?? null,
    }),
  );
  if (number === undefined) throw inProgress();
  notifyOutboxAppended();
  return {
    kind: 'placed',
    order: { ...view, number, ...(token ? { orderToken: token } : {}) },
    subject: personal.subject,
  };
}
