// SQL over the cart schema. Functions take a Kysely executor (db.k or a transaction).
import { sql } from 'kysely';
import { type Executor as Ex, type Row, typed } from '../../platform/db/typed.ts';
import type { Address } from './contract.ts';
import type { CartCarts, CartDb, CartItems } from './db.generated.ts';

/** `k` seen through cart's generated table types. */
const cartTables = (k: Ex) => typed<CartDb>(k);

/** The cart columns as stored, with the ones whose values the code constrains narrowed. */
type Carts = Row<
  CartCarts,
  {
    status: 'active' | 'completed' | 'merged' | 'expired';
    shipping_address: Address | null;
    billing_address: Address | null;
  }
>;

/**
 * A cart row as stored: its personal data sealed in `pii_enc` (cart.pii.ts), or — in rows left by older versions —
 * in plaintext in the `legacy_*` columns until the key rotation seals it.
 */
export interface StoredCart
  extends Omit<
    Carts,
    'created_at' | 'updated_at' | 'email' | 'shipping_address' | 'billing_address' | 'checkout_until' | 'checkout_by'
  > {
  /** A checkout holds the cart now (holdForCheckout): it may not change. */
  checkout_held: boolean;
  legacy_email: Carts['email'];
  legacy_shipping_address: Carts['shipping_address'];
  legacy_billing_address: Carts['billing_address'];
}

/** A cart with its personal data opened (in memory only). */
export interface CartRow
  extends Omit<StoredCart, 'legacy_email' | 'legacy_shipping_address' | 'legacy_billing_address'> {
  email: string | null;
  shipping_address: Address | null;
  billing_address: Address | null;
}

/** The columns of a StoredCart (`select *` would name the plaintext columns like the opened fields). */
export const CART_COLUMNS = sql.raw(
  [
    ...([
      'id',
      'token',
      'user_id',
      'currency',
      'country',
      'shipping_method_id',
      'coupon_codes',
      'status',
      'merged_into',
      'order_id',
      'version',
      'pii_enc',
      'email_index',
    ] satisfies (keyof CartCarts & keyof StoredCart)[]),
    ...(['email', 'shipping_address', 'billing_address'] satisfies (keyof CartCarts)[]).map(
      (c) => `${c} as legacy_${c}`,
    ),
    'coalesce(checkout_until > now(), false) as checkout_held',
  ].join(', '),
);

/** No checkout holds the cart (its mark is absent or expired): the condition of every statement that changes it. */
export const NOT_HELD = sql`(checkout_until is null or checkout_until <= now())`;

/** Sets sealed personal data and clears any plaintext an older version left. */
export const setPii = (p: { pii_enc: string | null; email_index: string | null }) =>
  sql`pii_enc = ${p.pii_enc}, email_index = ${p.email_index}, email = null, shipping_address = null,
    billing_address = null`;

/** A cart line as stored. */
export type ItemRow = Omit<Row<CartItems>, 'created_at'>;

export async function findCart(k: Ex, id: string, lock = false): Promise<StoredCart | undefined> {
  const r = lock
    ? await sql<StoredCart>`select ${CART_COLUMNS} from cart.carts where id = ${id} for update`.execute(k)
    : await sql<StoredCart>`select ${CART_COLUMNS} from cart.carts where id = ${id}`.execute(k);
  return r.rows[0];
}

/** One line `i` as JSON, with the columns of an ItemRow. */
const ITEM_JSON = sql`json_build_object('id', i.id, 'cart_id', i.cart_id, 'variant_id', i.variant_id,
    'product_id', i.product_id, 'sku', i.sku, 'name', i.name, 'quantity', i.quantity, 'unit_price', i.unit_price,
    'weight_grams', i.weight_grams, 'category_ids', i.category_ids)`;

/** A cart's lines as one JSON value, in `items()` order (for statements that read a cart with its lines). */
const ITEMS_JSON = sql`coalesce((select json_agg(${ITEM_JSON} order by i.created_at, i.id) from cart.items i
    where i.cart_id = c.id), '[]'::json)`;

/** A cart with its lines, read in one statement (one snapshot: the lines are those of the version read). */
export async function findCartWithItems(
  k: Ex,
  id: string,
): Promise<{ cart: StoredCart; items: ItemRow[] } | undefined> {
  const r = await sql<StoredCart & { items: ItemRow[] }>`select ${CART_COLUMNS}, ${ITEMS_JSON} as items
    from cart.carts c where c.id = ${id}`.execute(k);
  const row = r.rows[0];
  if (!row) return undefined;
  const { items, ...cart } = row;
  return { cart, items };
}

export async function findActiveCartOfUser(k: Ex, userId: string): Promise<StoredCart | undefined> {
  const r = await sql<StoredCart>`select ${CART_COLUMNS} from cart.carts
    where user_id = ${userId} and status = 'active'`.execute(k);
  return r.rows[0];
}

/** The customer's active cart with its lines, in one statement (undefined: they have none). */
export async function findActiveCartOfUserWithItems(
  k: Ex,
  userId: string,
): Promise<{ cart: StoredCart; items: ItemRow[] } | undefined> {
  const r = await sql<StoredCart & { items: ItemRow[] }>`select ${CART_COLUMNS}, ${ITEMS_JSON} as items
    from cart.carts c where c.user_id = ${userId} and c.status = 'active'`.execute(k);
  const row = r.rows[0];
  if (!row) return undefined;
  const { items, ...cart } = row;
  return { cart, items };
}

/**
 * Sets the cart's currency and country, bumping the version, while the cart is still active, unheld and at `version`
 * (the version its lines were read at: every line change bumps it). Undefined when it is not (nothing written).
 */
export async function setRegionAtVersion(
  k: Ex,
  cartId: string,
  version: number,
  region: { currency: string; country: string | null },
): Promise<StoredCart | undefined> {
  const r = await sql<StoredCart>`update cart.carts set currency = ${region.currency}, country = ${region.country},
      version = version + 1, updated_at = now()
    where id = ${cartId} and version = ${version} and status = 'active' and ${NOT_HELD}
    returning ${CART_COLUMNS}`.execute(k);
  return r.rows[0];
}

export async function items(k: Ex, cartId: string): Promise<ItemRow[]> {
  return cartTables(k)
    .selectFrom('cart.items')
    .selectAll()
    .where('cart_id', '=', cartId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
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

/** Bumps the version and returns the cart with its lines as they are now in this transaction (one statement). */
export async function bump(k: Ex, cartId: string): Promise<{ cart: StoredCart; items: ItemRow[] } | undefined> {
  const r = await sql<StoredCart & { items: ItemRow[] }>`with c as (
      update cart.carts set version = version + 1, updated_at = now() where id = ${cartId} returning ${CART_COLUMNS})
    select c.*, ${ITEMS_JSON} as items from c`.execute(k);
  const row = r.rows[0];
  if (!row) return undefined;
  const { items, ...cart } = row;
  return { cart, items };
}

export async function upsertItem(k: Ex, cartId: string, i: Omit<ItemRow, 'cart_id'>): Promise<void> {
  await cartTables(k)
    .insertInto('cart.items')
    .values({
      // Named one by one: a caller may pass a whole stored line (merge), whose id and created_at must not be copied.
      id: i.id,
      cart_id: cartId,
      variant_id: i.variant_id,
      product_id: i.product_id,
      sku: i.sku,
      name: i.name,
      quantity: i.quantity,
      unit_price: i.unit_price,
      weight_grams: i.weight_grams,
      category_ids: sql<string[]>`${i.category_ids}::text[]`,
    })
    .onConflict((oc) =>
      oc.columns(['cart_id', 'variant_id']).doUpdateSet((eb) => ({ quantity: eb.ref('excluded.quantity') })),
    )
    .execute();
}

/**
 * Adding an item in one statement, guarded by the version the caller read the cart and its lines at: the version is
 * bumped and the line written (a new line, or the variant's line with its new quantity) only while the cart is still
 * active at that version. Undefined when it is not (another write came first). The line comes
 * back as written; the cart's other lines are the ones read with that version (every line change bumps it).
 */
export async function addItemAtVersion(
  k: Ex,
  cartId: string,
  version: number,
  i: Omit<ItemRow, 'cart_id'>,
): Promise<{ cart: StoredCart; item: ItemRow } | undefined> {
  const r = await sql<StoredCart & { item: ItemRow }>`with c as (
      update cart.carts set version = version + 1, updated_at = now()
      where id = ${cartId} and version = ${version} and status = 'active' and ${NOT_HELD} returning ${CART_COLUMNS}),
    i as (
      insert into cart.items (id, cart_id, variant_id, product_id, sku, name, quantity, unit_price, weight_grams,
        category_ids)
      select ${i.id}, c.id, ${i.variant_id}, ${i.product_id}, ${i.sku}, ${i.name}, ${i.quantity}, ${i.unit_price},
        ${i.weight_grams}, ${i.category_ids}::text[] from c
      on conflict (cart_id, variant_id) do update set quantity = excluded.quantity
      returning *)
    select c.*, (select ${ITEM_JSON} from i) as item from c`.execute(k);
  const row = r.rows[0];
  if (!row?.item) return undefined;
  const { item, ...cart } = row;
  return { cart, item };
}

/** The quantity a variant's line holds now (0 without one) and the cart's number of lines, in one statement. */
export async function lineState(k: Ex, cartId: string, variantId: string): Promise<{ before: number; lines: number }> {
  const r = await sql<{ before: number; lines: number }>`select
      coalesce((select quantity from cart.items where cart_id = ${cartId} and variant_id = ${variantId}), 0)::int as before,
      (select count(*) from cart.items where cart_id = ${cartId})::int as lines`.execute(k);
  return r.rows[0] ?? { before: 0, lines: 0 };
}

/**
 * The checkout's read of the cart, as one update: an active cart the caller may see is marked as being checked out by
 * `holder` for `forMs` (unless another checkout's mark is still live, which it keeps), and comes back with its lines.
 * `held`: the mark is this holder's; `holder`: whose mark it is. Undefined when the cart is not active or not the caller's (nothing is written).
 */
export async function holdForCheckout(
  k: Ex,
  cartId: string,
  caller: { userId: string | null; token: string | undefined },
  holder: string,
  forMs: number,
): Promise<
  { cart: StoredCart; items: ItemRow[]; held: boolean; holder: string | null; holderLeftMs: number } | undefined
> {
  const live = sql`checkout_until > now()`;
  const r = await sql<
    StoredCart & { items: ItemRow[]; held: boolean; holder: string | null; left_ms: number; stale: boolean }
  >`with c as (
      update cart.carts set checkout_by = case when ${live} then checkout_by else ${holder} end,
        checkout_until = case when ${live} then checkout_until else now() + make_interval(secs => ${forMs / 1000}) end
      where id = ${cartId} and status = 'active'
        and ((user_id is not null and user_id = ${caller.userId}) or token = ${caller.token ?? null})
      returning ${CART_COLUMNS}, checkout_by = ${holder} as held, checkout_by as holder,
        (extract(epoch from checkout_until - now()) * 1000)::float8 as left_ms)
    select c.*, ${ITEMS_JSON} as items,
      c.version <> (select s.version from cart.carts s where s.id = c.id) as stale from c`.execute(k);
  const row = r.rows[0];
  if (!row) return undefined;
  const { items, held, holder: by, left_ms: holderLeftMs, stale, ...cart } = row;
  if (!stale) return { cart, items, held, holder: by, holderLeftMs };
  // A change committed while this statement waited for the row's lock: the row it updated is that change's, but the
  // lines it read are from before it (the statement's snapshot). Every line change bumps the version, so this is
  // seen; the cart is held now (by this checkout or another), so it cannot change again: read it with its lines anew.
  const now = await findCartWithItems(k, cartId);
  return now ? { ...now, held, holder: by, holderLeftMs } : undefined;
}

/**
 * Marks the cart as checked out by `holder` for `forMs` again, if it is still active at `version` (unchanged since
 * the snapshot taken at that version). A live mark of another checkout is taken over: the caller's attempt is live,
 * so no other attempt can exist for the cart, and the cart cannot have changed under that mark. False: it changed.
 */
export async function renewCheckout(
  k: Ex,
  cartId: string,
  holder: string,
  version: number,
  forMs: number,
): Promise<boolean> {
  const r = await sql`update cart.carts set checkout_by = ${holder},
      checkout_until = now() + make_interval(secs => ${forMs / 1000})
    where id = ${cartId} and status = 'active' and version = ${version} returning id`.execute(k);
  return r.rows.length > 0;
}

/** Ends `holder`'s mark on the cart (a checkout that failed, was abandoned or created no attempt). */
export async function releaseCheckout(k: Ex, cartId: string, holder: string): Promise<void> {
  await sql`update cart.carts set checkout_until = null, checkout_by = null
    where id = ${cartId} and checkout_by = ${holder}`.execute(k);
}
