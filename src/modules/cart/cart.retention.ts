// Retention of abandoned guest carts: guest carts (no account) that are active, expired or merged and untouched
// for RETENTION_GUEST_CART_DAYS (config.retention.guestCartDays) are deleted with their lines, and the data keys of
// those sealed under their own subject (`cart:<id>`) destroyed. Completed carts stay: their order refers to them.
import { sql } from 'kysely';
import type { Db } from '../../platform/db/db.ts';
import type { Privacy } from '../../platform/privacy/privacy.ts';
import { shredCartKeys } from './cart.privacy.ts';

const BATCH = 500;
const MAX_BATCHES = 20;

/** Deletes guest carts untouched for `days`; returns how many. Bounded per run; the next run goes on. */
export async function deleteAbandonedGuestCarts(db: Db, privacy: Privacy, days: number): Promise<number> {
  let deleted = 0;
  for (let i = 0; i < MAX_BATCHES; i++) {
    const r = await sql<{ id: string }>`delete from cart.carts where id in (
        select id from cart.carts where user_id is null and status in ('active', 'expired', 'merged')
          and updated_at < now() - make_interval(days => ${days})
        order by updated_at limit ${BATCH} for update skip locked)
      returning id`.execute(db.k);
    const ids = r.rows.map((x) => x.id);
    await shredCartKeys(privacy, db, ids);
    deleted += ids.length;
    if (ids.length < BATCH) break;
  }
  return deleted;
}
