// Who a per-customer limit counts: a checkout counts against its account (the user id, as before) and against
// its person, `person:<blind index of the canonical email>` (platform/privacy/email.ts: case and `+tag` ignored),
// so an account and guest checkouts with its email share one counter, and no counter key holds an email.
// Counters under an older form — `email:<address>` written by older versions, or a person index under an old
// master key — are folded into the current one when that person next reserves, and the key rotation part
// replaces the plaintext ones in bulk.
import { sql } from 'kysely';
import type { Db, Tx } from '../../platform/db/db.ts';
import { personIndex, personIndexCandidates } from '../../platform/privacy/email.ts';
import { normaliseEmail, type Pii } from '../../platform/privacy/pii.ts';
import type { KeyRotationPart } from '../../platform/privacy/privacy.ts';

export const personKey = (pii: Pii, email: string) => `person:${personIndex(pii, email)}`;

/** The counter keys of a checkout (sorted: the lock order), and for the person's key the older forms to fold in. */
export function customerKeysOf(
  pii: Pii,
  req: { customerId: string | null; email: string | null },
): { keys: string[]; oldKeys: Map<string, string[]> } {
  const keys: string[] = [];
  const oldKeys = new Map<string, string[]>();
  if (req.customerId) keys.push(req.customerId);
  if (req.email?.trim()) {
    const [current, ...older] = personIndexCandidates(pii, req.email).map((i) => `person:${i}`);
    if (current) {
      keys.push(current);
      oldKeys.set(current, [...older, `email:${normaliseEmail(req.email)}`]);
    }
  }
  return { keys: [...new Set(keys)].sort(), oldKeys };
}

/** Moves a promotion's counters kept under `old` keys onto `key` (summed), in one statement. */
export async function foldOldCounters(tx: Tx, promotionId: string, key: string, old: string[]): Promise<void> {
  await sql`with old as (
      delete from pricing.customer_usage where promotion_id = ${promotionId} and customer_key = any(${old}::text[])
      returning redemptions)
    insert into pricing.customer_usage (promotion_id, customer_key, redemptions)
    select ${promotionId}, ${key}, sum(redemptions)::int from old having count(*) > 0
    on conflict (promotion_id, customer_key)
    do update set redemptions = pricing.customer_usage.redemptions + excluded.redemptions`.execute(tx);
}

/** Key rotation part: replaces counter and reservation keys that hold a plaintext email (older versions). */
export function legacyEmailKeysPart(db: Db, pii: Pii): KeyRotationPart {
  const toPerson = (legacy: string) => personKey(pii, legacy.slice('email:'.length));
  return {
    name: 'pricing.customer_usage',
    async remaining() {
      const r = await sql<{ n: number }>`select
          (select count(*) from pricing.customer_usage where customer_key like 'email:%')::int
          + (select count(*) from pricing.redemption_keys where customer_key like 'email:%')::int as n`.execute(db.k);
      return r.rows[0]?.n ?? 0;
    },
    async batch(limit) {
      let changed = 0;
      const usage = await sql<{ promotion_id: string; customer_key: string }>`select promotion_id, customer_key
        from pricing.customer_usage where customer_key like 'email:%' order by promotion_id, customer_key
        limit ${limit}`.execute(db.k);
      for (const u of usage.rows) {
        await db.transaction(async (tx) => {
          // The promotion's row lock orders this with reservations of the same promotion.
          await sql`select id from pricing.promotions where id = ${u.promotion_id} for update`.execute(tx);
          await foldOldCounters(tx, u.promotion_id, toPerson(u.customer_key), [u.customer_key]);
        });
        changed++;
      }
      const keys = await sql<{ key: string; customer_key: string }>`select key, customer_key
        from pricing.redemption_keys where customer_key like 'email:%' order by key limit ${limit}`.execute(db.k);
      for (const k of keys.rows) {
        const r = await sql`update pricing.redemption_keys set customer_key = null,
            customer_keys = ${[toPerson(k.customer_key)]}::text[]
          where key = ${k.key} and customer_key = ${k.customer_key}`.execute(db.k);
        changed += Number(r.numAffectedRows ?? 0);
      }
      return changed;
    },
  };
}
