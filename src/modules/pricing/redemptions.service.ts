// Redemption limits that hold under concurrency: one transaction per reservation, conditional updates
// on the counters (global, then campaign, then per customer; each group in id order), all or nothing.
// Per-customer counters are per person (person-keys.ts): a checkout counts against its account and its email.
import { sql } from 'kysely';
import type { Ctx } from '../../platform/context.ts';
import type { Db, Tx } from '../../platform/db/db.ts';
import { AppError, errors } from '../../platform/errors.ts';
import type { Pii } from '../../platform/privacy/pii.ts';
import { PRICING_ERRORS as E, type PricingApi, type RedemptionRequest } from './contract.ts';
import { customerKeysOf, foldOldCounters } from './person-keys.ts';

function limitReached(promotionId: string, scope: string): AppError {
  return new AppError(409, E.limitReached, 'Promotion limit reached', {
    detail: `Promotion ${promotionId} has no redemptions left (${scope} limit).`,
    extra: { promotionId, scope },
  });
}

function notActive(promotionId: string): AppError {
  return new AppError(409, E.notActive, 'Promotion not active', {
    detail: `Promotion ${promotionId} was paused or deleted after the cart was priced; review the cart.`,
    extra: { promotionId },
  });
}

async function adjust(tx: Tx, key: string, delta: 1 | -1): Promise<void> {
  const rows = await sql<{ promotion_id: string; campaign_id: string | null; customer_keys: string[] }>`
    select r.promotion_id, p.campaign_id,
      coalesce(k.customer_keys, array_remove(array[k.customer_key], null)) as customer_keys from pricing.redemptions r
    join pricing.redemption_keys k on k.key = r.key join pricing.promotions p on p.id = r.promotion_id
    where r.key = ${key} order by r.promotion_id`.execute(tx);
  for (const r of rows.rows) {
    await sql`update pricing.promotions set redemptions = greatest(redemptions + ${delta}, 0) where id = ${r.promotion_id}`.execute(
      tx,
    );
  }
  const campaigns = [...new Set(rows.rows.flatMap((r) => (r.campaign_id ? [r.campaign_id] : [])))].sort();
  for (const c of campaigns) {
    await sql`update pricing.campaigns set redemptions = greatest(redemptions + ${delta}, 0) where id = ${c}`.execute(
      tx,
    );
  }
  for (const r of rows.rows) {
    if (!r.customer_keys.length) continue;
    await sql`update pricing.customer_usage set redemptions = greatest(redemptions + ${delta}, 0)
      where promotion_id = ${r.promotion_id} and customer_key = any(${r.customer_keys}::text[])`.execute(tx);
  }
}

export function createRedemptionService(db: Db, pii: Pii): PricingApi {
  return {
    async reserveRedemptions(_ctx: Ctx, req: RedemptionRequest) {
      if (typeof req.key !== 'string' || req.key.length < 1 || req.key.length > 200) {
        throw errors.badRequest(E.invalid, 'The reservation key must be 1 to 200 characters.');
      }
      const ids = [...new Set(req.promotionIds)].sort();
      if (!ids.length) return;
      const { keys: customerKeys, oldKeys } = customerKeysOf(pii, req);
      await db.transaction(
        async (tx) => {
          const inserted = await sql`insert into pricing.redemption_keys (key, customer_keys, status)
            values (${req.key}, ${customerKeys}::text[], 'reserved') on conflict (key) do nothing returning key`.execute(
            tx,
          );
          if (!inserted.rows.length) return; // idempotent: this key already holds (or held) its reservation
          const campaigns = new Map<string, string>();
          const perCustomer: { id: string; limit: number }[] = [];
          for (const id of ids) {
            const r = await sql<{ campaign_id: string | null; per_customer_limit: number | null }>`
              update pricing.promotions set redemptions = redemptions + 1
              where id = ${id} and active and deleted_at is null and (usage_limit is null or redemptions < usage_limit)
              returning campaign_id, per_customer_limit`.execute(tx);
            const row = r.rows[0];
            if (!row) {
              const why = await sql<{ usable: boolean }>`
                select active and deleted_at is null usable from pricing.promotions where id = ${id}`.execute(tx);
              const found = why.rows[0];
              if (!found) throw errors.notFound(E.notFound, `Promotion ${id} does not exist.`);
              if (!found.usable) throw notActive(id);
              throw limitReached(id, 'global');
            }
            if (row.campaign_id && !campaigns.has(row.campaign_id)) campaigns.set(row.campaign_id, id);
            if (row.per_customer_limit !== null) perCustomer.push({ id, limit: row.per_customer_limit });
          }
          for (const [c, promotionId] of [...campaigns].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
            const r = await sql`update pricing.campaigns set redemptions = redemptions + 1
              where id = ${c} and (usage_limit is null or redemptions < usage_limit) returning id`.execute(tx);
            if (!r.rows.length) throw limitReached(promotionId, 'campaign');
          }
          // One conditional increment per counter (account, person), in key order; the promotion's row, locked
          // above, already serialises reservations of the same promotion.
          for (const { id, limit } of perCustomer) {
            for (const customerKey of customerKeys) {
              const old = oldKeys.get(customerKey);
              if (old) await foldOldCounters(tx, id, customerKey, old);
              const r = await sql`insert into pricing.customer_usage (promotion_id, customer_key, redemptions)
                select ${id}, ${customerKey}, 1 where ${limit}::int >= 1
                on conflict (promotion_id, customer_key) do update set redemptions = pricing.customer_usage.redemptions + 1
                where pricing.customer_usage.redemptions < ${limit}::int returning promotion_id`.execute(tx);
              if (!r.rows.length) throw limitReached(id, 'customer');
            }
          }
          for (const id of ids) {
            await sql`insert into pricing.redemptions (key, promotion_id) values (${req.key}, ${id})`.execute(tx);
          }
        },
        { attempts: 5 },
      );
    },

    async releaseRedemptions(_ctx: Ctx, key: string) {
      await db.transaction(async (tx) => {
        const r = await sql`update pricing.redemption_keys set status = 'released'
          where key = ${key} and status = 'reserved' returning key`.execute(tx);
        if (r.rows.length) await adjust(tx, key, -1);
      });
    },

    async commitRedemptions(_ctx: Ctx, key: string) {
      await sql`update pricing.redemption_keys set status = 'committed' where key = ${key} and status = 'reserved'`.execute(
        db.k,
      );
    },
  };
}
