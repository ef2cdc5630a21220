// Staff writes: campaigns, tax rates, shipping methods, and the promotions of promotions.admin.ts. Validated
// here as well as by the HTTP schemas, so service callers get the same codes.
import { sql, type UpdateObject } from 'kysely';
import type { Db } from '../../platform/db/db.ts';
import { errors } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { PRICING_ERRORS as E } from './contract.ts';
import type { PricingDb } from './db.generated.ts';
import { pricingTables, type ShippingMethodRow } from './pricing.repo.ts';
import { createPromotionAdmin } from './promotions.admin.ts';

export type { PromotionInput, PromotionPatch } from './promotions.admin.ts';

export interface TaxRateInput {
  country: string;
  province?: string;
  taxCategory?: string;
  rateBp: number;
  pricesIncludeTax?: boolean;
}

export interface ShippingMethodInput {
  name: string;
  countries: string[];
  currency: string;
  kind: 'flat' | 'weight';
  price: number;
  perKg?: number;
  freeAbove?: number | null;
}

export type ShippingMethodPatch = Partial<ShippingMethodInput>;

const shippingView = (m: ShippingMethodRow) => ({
  id: m.id,
  name: m.name,
  countries: m.countries,
  currency: m.currency,
  kind: m.kind,
  price: m.price,
  perKg: m.per_kg,
  freeAbove: m.free_above,
});

/** `changed` runs after every write that quotes read (tax rates, promotions, shipping methods). */
export function createPricingAdmin(db: Db, changed: () => void = () => {}) {
  return {
    ...createPromotionAdmin(db, changed),

    async createCampaign(input: { name: string; usageLimit?: number | null }) {
      const id = newId('cmp');
      await sql`insert into pricing.campaigns (id, name, usage_limit)
        values (${id}, ${input.name}, ${input.usageLimit ?? null})`.execute(db.k);
      return { id, name: input.name, usageLimit: input.usageLimit ?? null, redemptions: 0 };
    },

    /** Campaigns, newest first, with their redemptions against the limit and how many promotions they hold. */
    async listCampaigns() {
      const r = await sql<{
        id: string;
        name: string;
        usage_limit: number | null;
        redemptions: number;
        promotions: string;
      }>`
        select c.id, c.name, c.usage_limit, c.redemptions,
          (select count(*) from pricing.promotions p where p.campaign_id = c.id and p.deleted_at is null) as promotions
        from pricing.campaigns c order by c.id desc`.execute(db.k);
      return r.rows.map((c) => ({
        id: c.id,
        name: c.name,
        usageLimit: c.usage_limit,
        redemptions: c.redemptions,
        promotions: Number(c.promotions),
      }));
    },

    /**
     * Deletes a tax rate. Orders keep the tax they were charged (they store amounts, never a rate's id); carts of
     * that region and category are taxed at the region's standard rate from then on, else at 0.
     */
    async deleteTaxRate(id: string): Promise<void> {
      const r = await sql`delete from pricing.tax_rates where id = ${id} returning id`.execute(db.k);
      if (!r.rows.length) throw errors.notFound(E.notFound, `No tax rate ${id}.`);
      changed();
    },

    async upsertTaxRate(input: TaxRateInput) {
      const id = newId('txr');
      const r = await sql<{
        id: string;
      }>`insert into pricing.tax_rates (id, country, province, tax_category, rate_bp, prices_include_tax)
        values (${id}, ${input.country}, ${input.province ?? ''}, ${input.taxCategory ?? 'standard'}, ${input.rateBp}, ${input.pricesIncludeTax ?? false})
        on conflict (country, province, tax_category) do update set rate_bp = excluded.rate_bp,
          prices_include_tax = excluded.prices_include_tax returning id`.execute(db.k);
      changed();
      return { id: r.rows[0]?.id ?? id, province: '', taxCategory: 'standard', pricesIncludeTax: false, ...input };
    },

    async listTaxRates() {
      const r = await sql<{
        id: string;
        country: string;
        province: string;
        tax_category: string;
        rate_bp: number;
        prices_include_tax: boolean;
      }>`
        select * from pricing.tax_rates order by country, province, tax_category`.execute(db.k);
      return r.rows.map((t) => ({
        id: t.id,
        country: t.country,
        province: t.province,
        taxCategory: t.tax_category,
        rateBp: t.rate_bp,
        pricesIncludeTax: t.prices_include_tax,
      }));
    },

    async createShippingMethod(input: ShippingMethodInput) {
      const id = newId('shm');
      await sql`insert into pricing.shipping_methods (id, name, countries, currency, kind, price, per_kg, free_above)
        values (${id}, ${input.name}, ${input.countries}::text[], ${input.currency}, ${input.kind}, ${input.price},
          ${input.perKg ?? 0}, ${input.freeAbove ?? null})`.execute(db.k);
      changed();
      return { id, perKg: 0, freeAbove: null, ...input };
    },

    async listShippingMethods() {
      const r = await sql<ShippingMethodRow>`
        select * from pricing.shipping_methods where active order by id`.execute(db.k);
      return r.rows.map(shippingView);
    },

    /** Partial change of an active method; carts that chose it are quoted with the new price on their next read. */
    async updateShippingMethod(id: string, patch: ShippingMethodPatch) {
      const set: UpdateObject<PricingDb, 'pricing.shipping_methods'> = {};
      if (patch.name !== undefined) set.name = patch.name;
      if (patch.countries !== undefined) set.countries = sql`${patch.countries}::text[]`;
      if (patch.currency !== undefined) set.currency = patch.currency;
      if (patch.kind !== undefined) set.kind = patch.kind;
      if (patch.price !== undefined) set.price = patch.price;
      if (patch.perKg !== undefined) set.per_kg = patch.perKg;
      if (patch.freeAbove !== undefined) set.free_above = patch.freeAbove;
      const row = (await pricingTables(db.k)
        .updateTable('pricing.shipping_methods')
        .set(set)
        .where('id', '=', id)
        .where('active', '=', true)
        .returningAll()
        .executeTakeFirst()) as ShippingMethodRow | undefined;
      if (!row) throw errors.notFound(E.notFound, `No active shipping method ${id}.`);
      changed();
      return shippingView(row);
    },

    /**
     * Retires a method: no cart is offered it any more, and a cart that had chosen it has no shipping method until
     * its holder picks another (checkout refuses it until then). Idempotent.
     */
    async deleteShippingMethod(id: string): Promise<void> {
      const r = await sql`update pricing.shipping_methods set active = false where id = ${id} returning id`.execute(
        db.k,
      );
      if (!r.rows.length) throw errors.notFound(E.notFound, `No shipping method ${id}.`);
      changed();
    },
  };
}
export type PricingAdmin = ReturnType<typeof createPricingAdmin>;
