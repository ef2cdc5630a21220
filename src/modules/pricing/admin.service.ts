// Staff writes: promotions (with coupon codes), campaigns, tax rates, shipping methods. Validated here
// as well as by the HTTP schemas, so service callers get the same codes.
import { sql } from 'kysely';
import type { Db } from '../../platform/db/db.ts';
import { isUniqueViolation } from '../../platform/db/db.ts';
import { errors } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { PRICING_ERRORS as E } from './contract.ts';

export interface PromotionInput {
  name: string;
  kind: 'percentage' | 'fixed' | 'free_shipping' | 'buy_x_get_y';
  buyQuantity?: number | null;
  getQuantity?: number | null;
  value?: number;
  currency?: string | null;
  automatic?: boolean;
  minSubtotal?: number | null;
  productIds?: string[];
  categoryIds?: string[];
  startsAt?: string | null;
  endsAt?: string | null;
  exclusive?: boolean;
  priority?: number;
  usageLimit?: number | null;
  perCustomerLimit?: number | null;
  campaignId?: string | null;
  codes?: string[];
}

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

const invalid = (detail: string) => errors.unprocessable(E.invalid, detail);

export function createPricingAdmin(db: Db) {
  return {
    async createCampaign(input: { name: string; usageLimit?: number | null }) {
      const id = newId('cmp');
      await sql`insert into pricing.campaigns (id, name, usage_limit)
        values (${id}, ${input.name}, ${input.usageLimit ?? null})`.execute(db.k);
      return { id, name: input.name, usageLimit: input.usageLimit ?? null, redemptions: 0 };
    },

    async createPromotion(input: PromotionInput) {
      const value = input.value ?? 0;
      if (input.kind === 'percentage' && (value < 1 || value > 10000))
        throw invalid('A percentage is given in basis points, 1 to 10000.');
      if (input.kind === 'fixed' && (!input.currency || value < 1))
        throw invalid('A fixed amount needs a positive value and its currency.');
      if (input.kind === 'buy_x_get_y' && (!input.buyQuantity || !input.getQuantity))
        throw invalid('Buy X get Y needs buyQuantity and getQuantity.');
      if (input.startsAt && input.endsAt && new Date(input.startsAt) >= new Date(input.endsAt))
        throw invalid('startsAt must be before endsAt.');
      const codes = [...new Set((input.codes ?? []).map((c) => c.toUpperCase()))];
      if (input.automatic && codes.length) throw invalid('An automatic promotion has no coupon codes.');
      if (!input.automatic && !codes.length) throw invalid('A coupon promotion needs at least one code.');
      const id = newId('promo');
      try {
        await db.transaction(async (tx) => {
          if (input.campaignId) {
            const c = await sql`select 1 from pricing.campaigns where id = ${input.campaignId}`.execute(tx);
            if (!c.rows.length) throw errors.notFound(E.notFound, `Campaign ${input.campaignId} does not exist.`);
          }
          await sql`insert into pricing.promotions (id, name, kind, value, currency, automatic, min_subtotal,
              product_ids, category_ids, starts_at, ends_at, exclusive, priority, usage_limit, per_customer_limit, campaign_id,
              buy_quantity, get_quantity)
            values (${id}, ${input.name}, ${input.kind}, ${value}, ${input.currency ?? null}, ${input.automatic ?? false},
              ${input.minSubtotal ?? null}, ${input.productIds ?? []}::text[], ${input.categoryIds ?? []}::text[],
              ${input.startsAt ?? null}, ${input.endsAt ?? null}, ${input.exclusive ?? false}, ${input.priority ?? 0},
              ${input.usageLimit ?? null}, ${input.perCustomerLimit ?? null}, ${input.campaignId ?? null},
              ${input.buyQuantity ?? null}, ${input.getQuantity ?? null})`.execute(tx);
          for (const code of codes) {
            await sql`insert into pricing.coupons (code, promotion_id) values (${code}, ${id})`.execute(tx);
          }
        });
      } catch (e) {
        if (isUniqueViolation(e)) throw errors.conflict(E.duplicate, 'A coupon code is already in use.');
        throw e;
      }
      return { id, codes, redemptions: 0, ...input, codesCount: codes.length };
    },

    async listPromotions() {
      const r = await sql<{
        id: string;
        name: string;
        kind: string;
        automatic: boolean;
        redemptions: number;
        usage_limit: number | null;
        codes: string[];
      }>`
        select p.id, p.name, p.kind, p.automatic, p.redemptions, p.usage_limit,
          coalesce(array_agg(c.code order by c.code) filter (where c.code is not null), '{}') codes
        from pricing.promotions p left join pricing.coupons c on c.promotion_id = p.id
        group by p.id order by p.id limit 500`.execute(db.k);
      return r.rows.map((p) => ({
        id: p.id,
        name: p.name,
        kind: p.kind,
        automatic: p.automatic,
        redemptions: p.redemptions,
        usageLimit: p.usage_limit,
        codes: p.codes,
      }));
    },

    async upsertTaxRate(input: TaxRateInput) {
      const id = newId('txr');
      const r = await sql<{
        id: string;
      }>`insert into pricing.tax_rates (id, country, province, tax_category, rate_bp, prices_include_tax)
        values (${id}, ${input.country}, ${input.province ?? ''}, ${input.taxCategory ?? 'standard'}, ${input.rateBp}, ${input.pricesIncludeTax ?? false})
        on conflict (country, province, tax_category) do update set rate_bp = excluded.rate_bp,
          prices_include_tax = excluded.prices_include_tax returning id`.execute(db.k);
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
      return { id, perKg: 0, freeAbove: null, ...input };
    },

    async listShippingMethods() {
      const r = await sql<{
        id: string;
        name: string;
        countries: string[];
        currency: string;
        kind: 'flat' | 'weight';
        price: number;
        per_kg: number;
        free_above: number | null;
      }>`
        select * from pricing.shipping_methods where active order by id`.execute(db.k);
      return r.rows.map((m) => ({
        id: m.id,
        name: m.name,
        countries: m.countries,
        currency: m.currency,
        kind: m.kind,
        price: m.price,
        perKg: m.per_kg,
        freeAbove: m.free_above,
      }));
    },
  };
}
export type PricingAdmin = ReturnType<typeof createPricingAdmin>;
