// Merge on login: POST /v1/carts/{guestCartId}/merge by the signed-in customer with the guest cart's token.
// One transaction locks both carts in id order, sums quantities (capped at 999; lines beyond 250 are
// dropped), marks the guest cart `merged` and points it at the result. A repeat answers with the same
// result (idempotent); a customer without an active cart simply takes the guest cart over. Personal data moves
// under the customer's data key (`user:<id>`): the adopted cart is sealed again, and a merged guest cart keeps none.
import { sql } from 'kysely';
import type { Ctx } from '../../platform/context.ts';
import { type Db, isUniqueViolation } from '../../platform/db/db.ts';
import type { Executor } from '../../platform/db/typed.ts';
import { errors } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { type CartPii, hasLegacyPlaintext, personalDataOf, samePii } from './cart.pii.ts';
import * as repo from './cart.repo.ts';
import { canAccess, checkingOut, notFound, userOf } from './cart.rules.ts';
import { CART_ERRORS as E, MAX_LINES, MAX_QUANTITY } from './contract.ts';

export async function mergeGuestCart(
  db: Db,
  pii: CartPii,
  ctx: Ctx,
  guestId: string,
  token: string | undefined,
): Promise<string> {
  const user = userOf(ctx);
  if (!user) throw errors.unauthorized();
  for (let attempt = 0; ; attempt++) {
    // Outside the transaction: open both carts' personal data (loading their keys) and take the customer's key.
    const before = (await Promise.all([repo.findCart(db.k, guestId), repo.findActiveCartOfUser(db.k, user)])).filter(
      (c): c is repo.StoredCart => c !== undefined && c.status === 'active' && canAccess(ctx, c, token),
    );
    const opened = new Map(await Promise.all(before.map(async (c) => [c.id, { c, o: await pii.open(c) }] as const)));
    const userKey = before.some((c) => c.pii_enc || hasLegacyPlaintext(c)) ? await pii.userKey(user) : null;
    /** The locked row opened: from the read above when unchanged since, else now (its key is cached by its writer). */
    const openLocked = (c: repo.StoredCart, tx: Executor) => {
      const seen = opened.get(c.id);
      return seen && samePii(seen.c, c) ? seen.o : pii.open(c, tx);
    };
    const sealForUser = async (cartId: string, data: ReturnType<typeof personalDataOf>) =>
      pii.seal(cartId, userKey ?? (await pii.keyFor(cartId, user, data)), data);
    try {
      return await db.transaction(async (tx) => {
        const target = await repo.findActiveCartOfUser(tx, user);
        const ids = [guestId, ...(target && target.id !== guestId ? [target.id] : [])].sort();
        const locked = await sql<repo.StoredCart>`select ${repo.CART_COLUMNS} from cart.carts
          where id = any(${ids}::text[]) order by id for update`.execute(tx);
        const guest = locked.rows.find((c) => c.id === guestId);
        if (!guest || !canAccess(ctx, guest, token)) throw notFound();
        if (guest.status === 'merged' && guest.merged_into) return guest.merged_into;
        if (guest.user_id === user && guest.status === 'active') return guest.id;
        if (guest.status !== 'active') throw errors.conflict(E.completed, `Cart ${guestId} is ${guest.status}.`);
        const into = target ? locked.rows.find((c) => c.id === target.id) : undefined;
        if (guest.checkout_held || (into?.status === 'active' && into.checkout_held)) throw checkingOut();
        const guestData = personalDataOf(await openLocked(guest, tx));
        if (into?.status !== 'active') {
          const sealed = await sealForUser(guestId, guestData);
          await sql`update cart.carts set user_id = ${user}, ${repo.setPii(sealed)}, version = version + 1,
            updated_at = now() where id = ${guestId}`.execute(tx);
          return guestId;
        }
        if (into.currency !== guest.currency) {
          throw errors.conflict(E.currencyMismatch, 'The guest cart and your cart use different currencies.');
        }
        const mine = await repo.items(tx, into.id);
        let lines = mine.length;
        for (const g of await repo.items(tx, guestId)) {
          const existing = mine.find((m) => m.variant_id === g.variant_id);
          if (!existing && lines >= MAX_LINES) continue;
          if (!existing) lines++;
          await repo.upsertItem(tx, into.id, {
            ...g,
            id: newId('item'),
            quantity: Math.min(MAX_QUANTITY, g.quantity + (existing?.quantity ?? 0)),
          });
        }
        const codes = [...new Set([...into.coupon_codes, ...guest.coupon_codes])].slice(0, 5);
        const mineData = personalDataOf(await openLocked(into, tx));
        const sealed = await sealForUser(into.id, {
          email: mineData.email ?? guestData.email,
          shippingAddress: mineData.shippingAddress ?? guestData.shippingAddress,
          billingAddress: mineData.billingAddress,
        });
        await sql`update cart.carts set coupon_codes = ${codes}::text[], ${repo.setPii(sealed)},
            version = version + 1, updated_at = now() where id = ${into.id}`.execute(tx);
        await sql`update cart.carts set status = 'merged', merged_into = ${into.id},
            ${repo.setPii({ pii_enc: null, email_index: null })}, version = version + 1,
            updated_at = now() where id = ${guestId}`.execute(tx);
        return into.id;
      });
    } catch (e) {
      // A concurrent first-cart creation for this customer won the one-active-cart index: merge into it.
      if (attempt < 2 && isUniqueViolation(e)) continue;
      throw e;
    }
  }
}
