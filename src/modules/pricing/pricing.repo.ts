// SQL over the pricing schema. Functions take a Kysely executor (db.k or a transaction).
import { type Kysely, sql } from 'kysely';
import type { AnyDb } from '../../platform/db/db.ts';

type Ex = Kysely<AnyDb>;

export interface PromotionRow {
  id: string;
  name: string;
  kind: 'percentage' | 'fixed' | 'free_shipping' | 'buy_x_get_y' | 'bundle';
  value: number;
  currency: string | null;
  automatic: boolean;
  min_subtotal: number | null;
  product_ids: string[];
  category_ids: string[];
  starts_at: Date | null;
  ends_at: Date | null;
  exclusive: boolean;
  priority: number;
  buy_quantity: number | null;
  get_quantity: number | null;
  usage_limit: number | null;
  per_customer_limit: number | null;
  campaign_id: string | null;
  redemptions: number;
  active: boolean;
  bundle_items: { productId?: string; variantId?: string; quantity: number }[] | null;
  deleted_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export interface ShippingMethodRow {
  id: string;
  name: string;
  countries: string[];
  currency: string;
  kind: 'flat' | 'weight';
  price: number;
  per_kg: number;
  free_above: number | null;
  active: boolean;
}

export async function taxRates(
  k: Ex,
  country: string,
  province: string,
): Promise<{ tax_category: string; rate_bp: number; prices_include_tax: boolean; province: string }[]> {
  const r = await sql<{ tax_category: string; rate_bp: number; prices_include_tax: boolean; province: string }>`
    select tax_category, rate_bp, prices_include_tax, province from pricing.tax_rates
    where country = ${country} and province in ('', ${province})`.execute(k);
  return r.rows;
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
