// SQL over the cart schema. Functions take a Kysely executor (db.k or a transaction).
import { type Kysely, sql } from 'kysely';
import type { AnyDb } from '../../platform/db/db.ts';
import type { Address } from './contract.ts';

type Ex = Kysely<AnyDb>;

/**
 * A cart row as stored: its personal data sealed in `pii_enc` (cart.pii.ts), or — in rows left by older versions —
 * in plaintext in the `legacy_*` columns until the key rotation seals it.
 */
export interface StoredCart {
  id: string;
  token: string;
  user_id: string | null;
  currency: string;
  country: string | null;
  shipping_method_id: string | null;
  coupon_codes: string[];
  status: 'active' | 'completed' | 'merged' | 'expired';
  merged_into: string | null;
  order_id: string | null;
  version: number;
  pii_enc: string | null;
  email_index: string | null;
  legacy_email: string | null;
  legacy_shipping_address: Address | null;
  legacy_billing_address: Address | null;
}

/** A cart with its personal data opened (in memory only). */
export interface CartRow
  extends Omit<StoredCart, 'legacy_email' | 'legacy_shipping_address' | 'legacy_billing_address'> {
  email: string | null;
  shipping_address: Address | null;
  billing_address: Address | null;
}

/** The columns of a StoredCart (`select *` would name the plaintext columns like the opened fields). */
export const CART_COLUMNS = sql.raw(`id, token, user_id, currency, country, shipping_method_id, coupon_codes, status,
  merged_into, order_id, version, pii_enc, email_index, email as legacy_email,
  shipping_address as legacy_shipping_address, billing_address as legacy_billing_address`);

/** Sets sealed personal data and clears any plaintext an older version left. */
export const setPii = (p: { pii_enc: string | null; email_index: string | null }) =>
  sql`pii_enc = ${p.pii_enc}, email_index = ${p.email_index}, email = null, shipping_address = null,
    billing_address = null`;

export interface ItemRow {
  id: string;
  cart_id: string;
  variant_id: string;
  product_id: string;
  sku: string;
  name: string;
  quantity: number;
  unit_price: number;
  weight_grams: number;
  category_ids: string[];
}

export async function findCart(k: Ex, id: string, lock = false): Promise<StoredCart | undefined> {
  const r = lock
    ? await sql<StoredCart>`select ${CART_COLUMNS} from cart.carts where id = ${id} for update`.execute(k)
    : await sql<StoredCart>`select ${CART_COLUMNS} from cart.carts where id = ${id}`.execute(k);
  return r.rows[0];
}

export async function findActiveCartOfUser(k: Ex, userId: string): Promise<StoredCart | undefined> {
  const r = await sql<StoredCart>`select ${CART_COLUMNS} from cart.carts
    where user_id = ${userId} and status = 'active'`.execute(k);
  return r.rows[0];
}

export async function items(k: Ex, cartId: string): Promise<ItemRow[]> {
  const r = await sql<ItemRow>`select * from cart.items where cart_id = ${cartId} order by created_at, id`.execute(k);
  return r.rows;
}

export async function insertCart(
  k: Ex,
  c: { id: string; token: string; userId: string | null; currency: string; country: string | null },
): Promise<StoredCart | undefined> {
  const r = await sql<StoredCart>`insert into cart.carts (id, token, user_id, currency, country)
    values (${c.id}, ${c.token}, ${c.userId}, ${c.currency}, ${c.country})
    on conflict (user_id) where status = 'active' and user_id is not null do nothing returning ${CART_COLUMNS}`.execute(
    k,
  );
  return r.rows[0];
}

export async function bump(k: Ex, cartId: string): Promise<StoredCart | undefined> {
  const r = await sql<StoredCart>`update cart.carts set version = version + 1, updated_at = now() where id = ${cartId}
    returning ${CART_COLUMNS}`.execute(k);
  return r.rows[0];
}

export async function upsertItem(k: Ex, cartId: string, i: Omit<ItemRow, 'cart_id'>): Promise<void> {
  await sql`insert into cart.items (id, cart_id, variant_id, product_id, sku, name, quantity, unit_price, weight_grams, category_ids)
    values (${i.id}, ${cartId}, ${i.variant_id}, ${i.product_id}, ${i.sku}, ${i.name}, ${i.quantity}, ${i.unit_price},
      ${i.weight_grams}, ${i.category_ids}::text[])
    on conflict (cart_id, variant_id) do update set quantity = excluded.quantity`.execute(k);
}

/** The quantity a variant's line holds now (0 without one) and the cart's number of lines, in one statement. */
export async function lineState(k: Ex, cartId: string, variantId: string): Promise<{ before: number; lines: number }> {
  const r = await sql<{ before: number; lines: number }>`select
      coalesce((select quantity from cart.items where cart_id = ${cartId} and variant_id = ${variantId}), 0)::int as before,
      (select count(*) from cart.items where cart_id = ${cartId})::int as lines`.execute(k);
  return r.rows[0] ?? { before: 0, lines: 0 };
}
