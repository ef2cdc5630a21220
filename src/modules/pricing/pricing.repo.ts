// SQL over the pricing schema. Functions take a Kysely executor (db.k or a transaction).
import { sql } from 'kysely';
import { type Executor as Ex, type Row, typed } from '../../platform/db/typed.ts';
import type { PricingDb, PricingPromotions, PricingShippingMethods } from './db.generated.ts';

/** `k` seen through pricing's generated table types. */
export const pricingTables = (k: Ex) => typed<PricingDb>(k);

/** A promotion as stored (`select *`). */
export type PromotionRow = Row<
  PricingPromotions,
  {
    kind: 'percentage' | 'fixed' | 'free_shipping' | 'buy_x_get_y' | 'bundle';
    bundle_items: { productId?: string; variantId?: string; quantity: number }[] | null;
  }
>;

/** A shipping method as stored (`select *`, less its creation time). */
export type ShippingMethodRow = Omit<Row<PricingShippingMethods, { kind: 'flat' | 'weight' }>, 'created_at'>;

export async function taxRates(
  k: Ex,
  country: string,
  province: string,
): Promise<{ tax_category: string; rate_bp: number; prices_include_tax: boolean; province: string }[]> {
  return pricingTables(k)
    .selectFrom('pricing.tax_rates')
    .select(['tax_category', 'rate_bp', 'prices_include_tax', 'province'])
    .where('country', '=', country)
    .where('province', 'in', ['', province])
    .execute();
}

export async function automaticPromotions(k: Ex): Promise<PromotionRow[]> {
  const r =
    await sql<PromotionRow>`select * from pricing.promotions where automatic and active and deleted_at is null`.execute(
      k,
    );
  return r.rows;
}

export async function couponPromotions(k: Ex, codes: string[]): Promise<(PromotionRow & { code: string })[]> {
  if (!codes.length) return [];
  const r = await sql<PromotionRow & { code: string }>`
    select c.code, p.* from pricing.coupons c join pricing.promotions p on p.id = c.promotion_id
    where c.code = any(${codes}::text[]) and p.deleted_at is null`.execute(k);
  return r.rows;
}

export async function shippingMethods(k: Ex, country: string, currency: string): Promise<ShippingMethodRow[]> {
  const r = await sql<ShippingMethodRow>`
    select * from pricing.shipping_methods
    where active and currency = ${currency} and ${country} = any(countries) order by price, id`.execute(k);
  return r.rows;
}
