// Merge on login: POST /v1/carts/{guestCartId}/merge by the signed-in customer with the guest cart's token.
// One transaction locks both carts in id order, sums quantities (capped at 999; lines beyond 250 are
// dropped), marks the guest cart `merged` and points it at the result. A repeat answers with the same
// result (idempotent); a customer without an active cart simply takes the guest cart over.
import { sql } from 'kysely';
import type { Ctx } from '../../platform/context.ts';
import { type Db, isUniqueViolation } from '../../platform/db/db.ts';
import { errors } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import * as repo from './cart.repo.ts';
import { canAccess, json, notFound, userOf } from './cart.service.ts';
import { CART_ERRORS as E, MAX_LINES, MAX_QUANTITY } from './contract.ts';

export async function mergeGuestCart(db: Db, ctx: Ctx, guestId: string, token: string | undefined): Promise<string> {
  const user = userOf(ctx);
  if (!user) throw errors.unauthorized();
  for (let attempt = 0; ; attempt++) {
    try {
      return await db.transaction(async (tx) => {
        const target = await repo.findActiveCartOfUser(tx, user);
        const ids = [guestId, ...(target && target.id !== guestId ? [target.id] : [])].sort();
        const locked = await sql<repo.CartRow>`select * from cart.carts where id = any(${ids}::text[])
          order by id for update`.execute(tx);
        const guest = locked.rows.find((c) => c.id === guestId);
        if (!guest || !canAccess(ctx, guest, token)) throw notFound();
        if (guest.status === 'merged' && guest.merged_into) return guest.merged_into;
        if (guest.user_id === user && guest.status === 'active') return guest.id;
        if (guest.status !== 'active') throw errors.conflict(E.completed, `Cart ${guestId} is ${guest.status}.`);
        const into = target ? locked.rows.find((c) => c.id === target.id) : undefined;
        if (into?.status !== 'active') {
          await sql`update cart.carts set user_id = ${user}, version = version + 1, updated_at = now()
            where id = ${guestId}`.execute(tx);
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
        await sql`update cart.carts set coupon_codes = ${codes}::text[], email = coalesce(email, ${guest.email}),
            shipping_address = coalesce(shipping_address, ${json(guest.shipping_address)}::jsonb),
            version = version + 1, updated_at = now() where id = ${into.id}`.execute(tx);
        await sql`update cart.carts set status = 'merged', merged_into = ${into.id}, version = version + 1,
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
