// Staff promotions: create (with coupon codes), read, list, partial update, delete (archive).
// The same rule checks run on create and on the merged state of an update, so both answer the same codes.
// Updates lock the promotion row (`select … for update`) for the read-merge-write, which also orders them
// against checkouts raising its redemption counter (that conditional update takes the same row lock).
import { sql } from 'kysely';
import type { Db } from '../../platform/db/db.ts';
import { isUniqueViolation } from '../../platform/db/db.ts';
import { errors } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { PRICING_ERRORS as E } from './contract.ts';
import type { PromotionRow } from './pricing.repo.ts';

export type PromotionKind = PromotionRow['kind'];
export interface BundleItemInput {
  productId?: string;
  variantId?: string;
  quantity: number;
}

/** The editable rule of a promotion (everything but its identity, kind, codes and campaign). */
export interface PromotionRuleInput {
  name?: string;
  value?: number;
  currency?: string | null;
  minSubtotal?: number | null;
  productIds?: string[];
  categoryIds?: string[];
  buyQuantity?: number | null;
  getQuantity?: number | null;
  bundleItems?: BundleItemInput[] | null;
  startsAt?: string | null;
  endsAt?: string | null;
  exclusive?: boolean;
  priority?: number;
  usageLimit?: number | null;
  perCustomerLimit?: number | null;
}
export interface PromotionInput extends PromotionRuleInput {
  name: string;
  kind: PromotionKind;
  automatic?: boolean;
  campaignId?: string | null;
  codes?: string[];
}
export interface PromotionPatch extends PromotionRuleInput {
  active?: boolean;
}

const invalid = (detail: string) => errors.unprocessable(E.invalid, detail);
const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** Rule checks shared by create and update (on the merged state). */
function checkRule(kind: PromotionKind, r: PromotionRuleInput): void {
  const value = r.value ?? 0;
  if (kind === 'percentage' && (value < 1 || value > 10000))
    throw invalid('A percentage is given in basis points, 1 to 10000.');
  if (kind === 'fixed' && (!r.currency || value < 1))
    throw invalid('A fixed amount needs a positive value and its currency.');
  if (kind === 'buy_x_get_y' && (!r.buyQuantity || !r.getQuantity))
    throw invalid('Buy X get Y needs buyQuantity and getQuantity.');
  if (kind === 'bundle') {
    const items = r.bundleItems ?? [];
    if (!r.currency) throw invalid('A bundle needs its price (value, minor units) and currency.');
    if (!items.length) throw invalid('A bundle needs at least one item.');
    const keys = items.map((i) => (i.variantId ? `v:${i.variantId}` : i.productId ? `p:${i.productId}` : ''));
    if (items.some((i) => !i.variantId === !i.productId))
      throw invalid('Each bundle item names exactly one of productId or variantId.');
    if (new Set(keys).size !== keys.length) throw invalid('A bundle names each product or variant once.');
  } else if (r.bundleItems?.length) throw invalid('Only a bundle has bundleItems.');
  if (r.startsAt && r.endsAt && new Date(r.startsAt) >= new Date(r.endsAt))
    throw invalid('startsAt must be before endsAt.');
}

function toView(p: PromotionRow, codes: string[]) {
  return {
    id: p.id,
    kind: p.kind,
    automatic: p.automatic,
    ...ruleOf(p),
    campaignId: p.campaign_id,
    redemptions: p.redemptions,
    deletedAt: iso(p.deleted_at),
    codes,
    createdAt: p.created_at.toISOString(),
    updatedAt: p.updated_at.toISOString(),
  };
}
export type PromotionView = ReturnType<typeof toView>;

function ruleOf(p: PromotionRow): Required<PromotionPatch> {
  return {
    name: p.name,
    value: p.value,
    currency: p.currency,
    minSubtotal: p.min_subtotal,
    productIds: p.product_ids,
    categoryIds: p.category_ids,
    buyQuantity: p.buy_quantity,
    getQuantity: p.get_quantity,
    bundleItems: p.bundle_items,
    startsAt: iso(p.starts_at),
    endsAt: iso(p.ends_at),
    exclusive: p.exclusive,
    priority: p.priority,
    usageLimit: p.usage_limit,
    perCustomerLimit: p.per_customer_limit,
    active: p.active,
  };
}

export function createPromotionAdmin(db: Db, changed: () => void = () => {}) {
  async function codesOf(k: Db['k'], id: string): Promise<string[]> {
    const r = await sql<{
      code: string;
    }>`select code from pricing.coupons where promotion_id = ${id} order by code`.execute(k);
    return r.rows.map((c) => c.code);
  }

  return {
    async createPromotion(input: PromotionInput): Promise<PromotionView> {
      checkRule(input.kind, input);
      const codes = [...new Set((input.codes ?? []).map((c) => c.toUpperCase()))];
      // Codes are case-insensitive (stored upper case): two that differ only in case are the same code twice.
      if (codes.length !== (input.codes ?? []).length) throw invalid('codes holds the same code twice (case ignored).');
      if (input.automatic && codes.length) throw invalid('An automatic promotion has no coupon codes.');
      if (!input.automatic && !codes.length) throw invalid('A coupon promotion needs at least one code.');
      const id = newId('promo');
      const bundle = input.kind === 'bundle' ? JSON.stringify(input.bundleItems ?? []) : null;
      try {
        const row = await db.transaction(async (tx) => {
          if (input.campaignId) {
            const c = await sql`select 1 from pricing.campaigns where id = ${input.campaignId}`.execute(tx);
            if (!c.rows.length) throw errors.notFound(E.notFound, `Campaign ${input.campaignId} does not exist.`);
          }
          const r = await sql<PromotionRow>`insert into pricing.promotions (id, name, kind, value, currency, automatic,
              min_subtotal, product_ids, category_ids, starts_at, ends_at, exclusive, priority, usage_limit,
              per_customer_limit, campaign_id, buy_quantity, get_quantity, bundle_items)
            values (${id}, ${input.name}, ${input.kind}, ${input.value ?? 0}, ${input.currency ?? null},
              ${input.automatic ?? false}, ${input.minSubtotal ?? null}, ${input.productIds ?? []}::text[],
              ${input.categoryIds ?? []}::text[], ${input.startsAt ?? null}, ${input.endsAt ?? null},
              ${input.exclusive ?? false}, ${input.priority ?? 0}, ${input.usageLimit ?? null},
              ${input.perCustomerLimit ?? null}, ${input.campaignId ?? null}, ${input.buyQuantity ?? null},
              ${input.getQuantity ?? null}, ${bundle}::jsonb)
            returning *`.execute(tx);
          for (const code of codes) {
            await sql`insert into pricing.coupons (code, promotion_id) values (${code}, ${id})`.execute(tx);
          }
          return r.rows[0] as PromotionRow;
        });
        changed();
        return toView(row, codes.sort());
      } catch (e) {
        if (isUniqueViolation(e)) throw errors.conflict(E.duplicate, 'A coupon code is already in use.');
        throw e;
      }
    },

    /** Deleted promotions are listed only with includeDeleted. */
    async listPromotions(opts: { includeDeleted?: boolean } = {}) {
      const r = await sql<PromotionRow & { codes: string[] }>`
        select p.*, coalesce(array_agg(c.code order by c.code) filter (where c.code is not null), '{}') codes
        from pricing.promotions p left join pricing.coupons c on c.promotion_id = p.id
        where ${opts.includeDeleted ?? false} or p.deleted_at is null
        group by p.id order by p.id limit 500`.execute(db.k);
      return r.rows.map((p) => toView(p, p.codes));
    },

    /** Also answers for a deleted promotion (with deletedAt), so staff can read what an old order used. */
    async getPromotion(id: string): Promise<PromotionView> {
      const r = await sql<PromotionRow>`select * from pricing.promotions where id = ${id}`.execute(db.k);
      const row = r.rows[0];
      if (!row) throw errors.notFound(E.notFound, `Promotion ${id} does not exist.`);
      return toView(row, await codesOf(db.k, id));
    },

    async updatePromotion(id: string, patch: PromotionPatch): Promise<PromotionView> {
      const view = await db.transaction(async (tx) => {
        const r = await sql<PromotionRow>`select * from pricing.promotions where id = ${id} for update`.execute(tx);
        const row = r.rows[0];
        if (!row) throw errors.notFound(E.notFound, `Promotion ${id} does not exist.`);
        if (row.deleted_at) throw errors.conflict(E.deleted, `Promotion ${id} was deleted; create a new one.`);
        const defined = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
        const next = { ...ruleOf(row), ...defined } as Required<PromotionPatch>;
        checkRule(row.kind, next);
        if (next.usageLimit !== null && next.usageLimit < row.redemptions) {
          throw errors.conflict(
            E.limitBelowRedemptions,
            `usageLimit ${next.usageLimit} is below the ${row.redemptions} redemptions already counted.`,
            { redemptions: row.redemptions },
          );
        }
        const bundle = row.kind === 'bundle' ? JSON.stringify(next.bundleItems ?? []) : null;
        const u = await sql<PromotionRow>`update pricing.promotions set name = ${next.name}, value = ${next.value},
            currency = ${next.currency}, min_subtotal = ${next.minSubtotal}, product_ids = ${next.productIds}::text[],
            category_ids = ${next.categoryIds}::text[], buy_quantity = ${next.buyQuantity},
            get_quantity = ${next.getQuantity}, bundle_items = ${bundle}::jsonb, starts_at = ${next.startsAt},
            ends_at = ${next.endsAt}, exclusive = ${next.exclusive}, priority = ${next.priority},
            usage_limit = ${next.usageLimit}, per_customer_limit = ${next.perCustomerLimit}, active = ${next.active},
            updated_at = now()
          where id = ${id} returning *`.execute(tx);
        return toView(u.rows[0] as PromotionRow, await codesOf(tx, id));
      });
      changed();
      return view;
    },

    /** Archives: the promotion stops applying at once, its row, codes and redemptions stay. Idempotent. */
    async deletePromotion(id: string): Promise<void> {
      const r = await sql`update pricing.promotions set deleted_at = now(), active = false, updated_at = now()
        where id = ${id} and deleted_at is null returning id`.execute(db.k);
      changed();
      if (r.rows.length) return;
      const exists = await sql`select 1 from pricing.promotions where id = ${id}`.execute(db.k);
      if (!exists.rows.length) throw errors.notFound(E.notFound, `Promotion ${id} does not exist.`);
    },
  };
}
