// Cart operations. Item writes lock the cart row (select … for update) in one short transaction, so they are
// serialised; a PATCH of the cart's own fields is one update guarded by the version it read (optimistic, with the
// lock as the fallback under contention). Catalog, inventory and pricing are called outside transactions.
import { isDeepStrictEqual } from 'node:util';
import { sql } from 'kysely';
import type { Ctx } from '../../platform/context.ts';
import type { Db, Tx } from '../../platform/db/db.ts';
import { errors } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import type { Privacy } from '../../platform/privacy/privacy.ts';
import type { CartVariant, CatalogApi } from '../catalog/index.ts';
import type { PricingQuoteApi, ShippingOption } from '../pricing/index.ts';
import { createCartCreation } from './cart.create.ts';
import { type CartPersonalData, createCartPii, hasLegacyPlaintext, samePii } from './cart.pii.ts';
import * as repo from './cart.repo.ts';
import { canAccess, checkingOut, checkStock, couponCodesAfter, notFound, userOf } from './cart.rules.ts';
import { buildView, type CartView, quoteInput } from './cart.view.ts';
import { type Address, CART_ERRORS as E, MAX_LINES, MAX_QUANTITY } from './contract.ts';

export interface CartServiceDeps {
  db: Db;
  catalog: Pick<CatalogApi, 'getVariantsForCart'>;
  pricing: PricingQuoteApi;
  availability: (variantIds: readonly string[]) => Promise<Map<string, { available: number | null }>>;
  defaultCurrency: string;
  /** Seals the cart's personal data (cart.pii.ts). */
  privacy: Privacy;
}

export interface CartPatch {
  email?: string | null;
  shippingAddress?: Address | null;
  billingAddress?: Address | null;
  shippingMethodId?: string | null;
  couponCode?: string | null;
}

/** The cart's currency changed between an add's read and its locked write (the price read is void). */
class CurrencyChanged extends Error {}

export function createCartService(deps: CartServiceDeps) {
  const { db } = deps;
  const pii = createCartPii(deps.privacy);

  /**
   * The cart as answered, priced from the catalog now. `known`: variants this request has just read; when they cover
   * every line, the catalog is not asked again.
   */
  async function view(cart: repo.CartRow, items?: repo.ItemRow[], known?: CartVariant[]): Promise<CartView> {
    const lines = items ?? (await repo.items(db.k, cart.id));
    const covered = known && lines.every((l) => known.some((v) => v.variantId === l.variant_id));
    const current = covered
      ? known
      : await deps.catalog.getVariantsForCart(
          lines.map((l) => l.variant_id),
          cart.currency,
        );
    return buildView(deps.pricing, cart, lines, current);
  }

  /** The stored cart if this caller may read it (and it was neither merged nor expired), else 404. */
  function visible(ctx: Ctx, cart: repo.StoredCart | undefined, token: string | undefined): repo.StoredCart {
    if (!cart || !canAccess(ctx, cart, token) || cart.status === 'merged' || cart.status === 'expired')
      throw notFound();
    return cart;
  }

  /** The cart with its lines (one statement), if this caller may read it. */
  async function readStored(
    ctx: Ctx,
    cartId: string,
    token: string | undefined,
  ): Promise<{ cart: repo.StoredCart; items: repo.ItemRow[] }> {
    const found = await repo.findCartWithItems(db.k, cartId);
    return { cart: visible(ctx, found?.cart, token), items: found?.items ?? [] };
  }

  /** The cart alone (callers that do not need its lines, such as adding an item, read no lines). */
  async function readable(ctx: Ctx, cartId: string, token: string | undefined): Promise<repo.CartRow> {
    return pii.open(visible(ctx, await repo.findCart(db.k, cartId), token));
  }

  /** readable, with the cart's lines read in the same statement. */
  async function readableWithItems(ctx: Ctx, cartId: string, token: string | undefined) {
    const { cart, items } = await readStored(ctx, cartId, token);
    return { cart: await pii.open(cart), items };
  }

  /**
   * Locks the cart, checks access and state, runs `fn`, bumps the version. `fn` may return the cart row it already
   * updated with the bump (one statement instead of two).
   */
  async function write(
    ctx: Ctx,
    cartId: string,
    token: string | undefined,
    // biome-ignore lint/suspicious/noConfusingVoidType: most callbacks only write and return nothing
    fn: (tx: Tx, cart: repo.StoredCart) => Promise<repo.StoredCart | undefined | void>,
    known?: CartVariant[],
  ): Promise<CartView> {
    const written = await db.transaction(async (tx) => {
      const c = await repo.findCart(tx, cartId, true);
      if (!c || !canAccess(ctx, c, token) || c.status === 'merged' || c.status === 'expired') throw notFound();
      if (c.status === 'completed') throw errors.conflict(E.completed, 'This cart has been checked out.');
      if (c.checkout_held) throw checkingOut();
      const updated = await fn(tx, c);
      // Either fn's own update (its lines unchanged: read after), or the bump with the lines as written.
      return updated ? { cart: updated, items: undefined } : repo.bump(tx, cartId);
    });
    if (!written) throw notFound();
    return view(await pii.open(written.cart), written.items, known);
  }

  const service = {
    view,
    readable,
    pii,

    /** A new cart, or the signed-in customer's active cart with the currency and country sent (cart.create.ts). */
    create: createCartCreation({ db, pii, defaultCurrency: deps.defaultCurrency, view }),

    async get(ctx: Ctx, cartId: string, token: string | undefined): Promise<CartView> {
      const { cart, items } = await readableWithItems(ctx, cartId, token);
      return view(cart, items);
    },

    /**
     * Optimistic: the cart is read with its lines, the line is checked, and one statement writes it guarded by the
     * version read. When a concurrent write came first (the statement matches nothing), the line is checked again and
     * written under the cart's row lock: on a busy cart, reading again would most likely lose the race again.
     */
    async addItem(
      ctx: Ctx,
      cartId: string,
      token: string | undefined,
      input: { variantId: string; quantity: number },
    ): Promise<CartView> {
      // The cart's lines come with it, and their variants are read with the new one: the answer needs them all.
      const { cart, items } = await readableWithItems(ctx, cartId, token);
      const ids = [...new Set([input.variantId, ...items.map((l) => l.variant_id)])];
      const known = await deps.catalog.getVariantsForCart(ids, cart.currency);
      const variant = known.find((v) => v.variantId === input.variantId);
      if (!variant?.published || !variant.price) {
        throw errors.unprocessable(
          E.variantUnavailable,
          `Variant ${input.variantId} is not for sale in ${cart.currency}.`,
        );
      }
      const stock = (await deps.availability([input.variantId])).get(input.variantId);
      /** The line's quantity after the add, if the cart may hold it. */
      const checked = (before: number, lines: number): number => {
        const quantity = before + input.quantity;
        if (quantity > MAX_QUANTITY) {
          throw errors.unprocessable(E.quantityLimit, `A line holds at most ${MAX_QUANTITY} units.`);
        }
        checkStock(stock, quantity);
        if (!before && lines >= MAX_LINES) {
          throw errors.unprocessable(E.tooManyLines, `A cart holds at most ${MAX_LINES} lines.`);
        }
        return quantity;
      };
      const line = (quantity: number) => ({
        id: newId('item'),
        variant_id: variant.variantId,
        product_id: variant.productId,
        sku: variant.sku,
        name: variant.name,
        quantity,
        unit_price: variant.price?.amount ?? 0,
        weight_grams: variant.weightGrams,
        category_ids: variant.categoryIds,
      });
      if (cart.status === 'completed') throw errors.conflict(E.completed, 'This cart has been checked out.');
      if (cart.checkout_held) throw checkingOut();
      const existing = items.find((l) => l.variant_id === input.variantId);
      const written = await repo.addItemAtVersion(
        db.k,
        cart.id,
        cart.version,
        line(checked(existing?.quantity ?? 0, items.length)),
      );
      if (written) {
        const lines = existing ? items.map((l) => (l === existing ? written.item : l)) : [...items, written.item];
        return view(await pii.open(written.cart), lines, known);
      }
      // Another write came first: the cart is busy, so this one waits for its row lock rather than reading again. The
      // price read is in the currency read; should the cart have taken another one meanwhile (an empty cart takes the
      // currency a create sends: cart.create.ts), nothing is written and the add starts over on the cart as it is.
      try {
        return await write(
          ctx,
          cartId,
          token,
          async (tx, c) => {
            if (c.currency !== cart.currency) throw new CurrencyChanged();
            const { before, lines } = await repo.lineState(tx, c.id, input.variantId);
            await repo.upsertItem(tx, c.id, line(checked(before, lines)));
          },
          known,
        );
      } catch (e) {
        if (e instanceof CurrencyChanged) return service.addItem(ctx, cartId, token, input);
        throw e;
      }
    },

    /**
     * The line's variant is read with the cart and its stock asked before the transaction (inventory is never called
     * inside one). Under the cart's lock the line is set; a raise past the stock is refused (the update rolls back),
     * a lowering never is.
     */
    async setQuantity(ctx: Ctx, cartId: string, token: string | undefined, itemId: string, quantity: number) {
      const { items } = await readStored(ctx, cartId, token);
      const line = items.find((l) => l.id === itemId);
      const stock = line && (await deps.availability([line.variant_id])).get(line.variant_id);
      return write(ctx, cartId, token, async (tx, c) => {
        const r = await sql<{ before: number }>`with old as (
            select quantity from cart.items where id = ${itemId} and cart_id = ${c.id})
          update cart.items set quantity = ${quantity} where id = ${itemId} and cart_id = ${c.id}
          returning (select quantity from old) as before`.execute(tx);
        const before = r.rows[0]?.before;
        if (before === undefined) throw errors.notFound(E.itemNotFound, `No item ${itemId} in this cart.`);
        if (quantity > before) checkStock(stock, quantity);
      });
    },

    async removeItem(ctx: Ctx, cartId: string, token: string | undefined, itemId: string) {
      return write(ctx, cartId, token, async (tx, c) => {
        const r = await sql`delete from cart.items where id = ${itemId} and cart_id = ${c.id} returning id`.execute(tx);
        if (!r.rows.length) throw errors.notFound(E.itemNotFound, `No item ${itemId} in this cart.`);
      });
    },

    /**
     * PATCH: optimistic — read, validate, then one update guarded by the version read (a concurrent write makes it
     * match nothing, and the PATCH is planned again on a fresh read); under sustained contention it takes the lock. A
     * PATCH that would store what the cart holds (e.g. an empty body) writes nothing and answers the cart as it is.
     */
    async update(ctx: Ctx, cartId: string, token: string | undefined, patch: CartPatch) {
      const pick = <T>(v: T | undefined, old: T) => (v === undefined ? old : v);
      const touchesPii =
        patch.email !== undefined || patch.shippingAddress !== undefined || patch.billingAddress !== undefined;
      /** The personal data after the patch, sealed under the subject it implies (undefined: left as stored). */
      const sealedAfter = async (stored: repo.StoredCart, cart: repo.CartRow) => {
        if (!touchesPii && !hasLegacyPlaintext(stored)) return undefined;
        const data: CartPersonalData = {
          email: pick(patch.email, cart.email),
          shippingAddress: pick(patch.shippingAddress, cart.shipping_address),
          billingAddress: pick(patch.billingAddress, cart.billing_address),
        };
        return pii.seal(cart.id, await pii.keyFor(cart.id, cart.user_id, data), data);
      };
      const apply = async (
        q: Tx | typeof db.k,
        c: Pick<repo.StoredCart, 'id' | 'coupon_codes' | 'shipping_method_id' | 'version'>,
        sealed: Awaited<ReturnType<typeof sealedAfter>>,
        guardVersion: boolean,
      ) => {
        const codes = couponCodesAfter(c.coupon_codes, patch.couponCode);
        const r = await sql<repo.StoredCart>`update cart.carts set ${sealed ? sql`${repo.setPii(sealed)},` : sql``}
            shipping_method_id = ${pick(patch.shippingMethodId, c.shipping_method_id)},
            coupon_codes = ${codes}::text[], version = version + 1, updated_at = now()
          where id = ${c.id} ${guardVersion ? sql`and version = ${c.version} and status = 'active' and ${repo.NOT_HELD}` : sql``}
          returning ${repo.CART_COLUMNS}`.execute(q);
        return r.rows[0];
      };
      const checkMethod = async (cart: repo.CartRow, items: repo.ItemRow[]) => {
        if (!patch.shippingMethodId) return;
        const next = {
          ...cart,
          shipping_address: patch.shippingAddress !== undefined ? patch.shippingAddress : cart.shipping_address,
        };
        const options = await deps.pricing.shippingOptions(quoteInput(next, items));
        if (!options.some((o) => o.id === patch.shippingMethodId)) {
          throw errors.unprocessable(E.invalidShippingMethod, 'This shipping method is not available for the cart.');
        }
      };
      /** True when the patch would store what the cart holds (nothing is written then: version and updated_at stay). */
      const changesNothing = (stored: repo.StoredCart, cart: repo.CartRow) =>
        !hasLegacyPlaintext(stored) &&
        (patch.email === undefined || patch.email === cart.email) &&
        (patch.shippingAddress === undefined || isDeepStrictEqual(patch.shippingAddress, cart.shipping_address)) &&
        (patch.billingAddress === undefined || isDeepStrictEqual(patch.billingAddress, cart.billing_address)) &&
        (patch.shippingMethodId === undefined || patch.shippingMethodId === cart.shipping_method_id) &&
        isDeepStrictEqual(couponCodesAfter(cart.coupon_codes, patch.couponCode), cart.coupon_codes);
      for (let attempt = 0; attempt < 3; attempt++) {
        const { cart: stored, items } = await readStored(ctx, cartId, token);
        const cart = await pii.open(stored);
        if (cart.status === 'completed') throw errors.conflict(E.completed, 'This cart has been checked out.');
        if (cart.checkout_held) throw checkingOut();
        await checkMethod(cart, items);
        if (changesNothing(stored, cart)) return view(cart, items);
        const updated = await apply(db.k, cart, await sealedAfter(stored, cart), true);
        // Guarded by the version read: the lines are still the ones read with it (every line change bumps it).
        if (updated) return view(await pii.open(updated), items);
      }
      // Contended: validate once more, then write under the cart's row lock (no other module is called inside it).
      // The data key is taken before the lock; should the personal data have changed in between, the locked row is
      // opened and sealed inside (its key is then in this process's cache: the writer that changed it loaded it).
      const { cart: stored, items } = await readStored(ctx, cartId, token);
      const cart = await pii.open(stored);
      await checkMethod(cart, items);
      const sealed = await sealedAfter(stored, cart);
      return write(ctx, cartId, token, async (tx, c) => {
        if (samePii(c, stored) && c.user_id === stored.user_id) return apply(tx, c, sealed, false);
        return apply(tx, c, await sealedAfter(c, await pii.open(c, tx)), false);
      });
    },

    /**
     * The checkout's read: the cart marked as being checked out by `holder` for `forMs`, as one statement
     * (repo.holdForCheckout). `blocked`: another checkout holds it. A cart that is not active is read as before.
     */
    async holdForCheckout(ctx: Ctx, cartId: string, token: string | undefined, holder: string, forMs: number) {
      const r = await repo.holdForCheckout(db.k, cartId, { userId: userOf(ctx), token }, holder, forMs);
      if (!r || !canAccess(ctx, r.cart, token)) {
        if (r?.held) await repo.releaseCheckout(db.k, cartId, holder);
        const { cart, items } = await readableWithItems(ctx, cartId, token);
        return { view: await view(cart, items), held: false, blocked: false, holder: null, holderLeftMs: null };
      }
      try {
        const snapshotView = await view(await pii.open(r.cart), r.items);
        return { view: snapshotView, held: r.held, blocked: !r.held, holder: r.holder, holderLeftMs: r.holderLeftMs };
      } catch (e) {
        if (r.held) await repo.releaseCheckout(db.k, cartId, holder);
        throw e;
      }
    },

    async releaseCheckout(_ctx: Ctx, cartId: string, holder: string): Promise<void> {
      await repo.releaseCheckout(db.k, cartId, holder);
    },

    renewCheckout: (_ctx: Ctx, cartId: string, holder: string, version: number, forMs: number) =>
      repo.renewCheckout(db.k, cartId, holder, version, forMs),

    async shippingOptions(ctx: Ctx, cartId: string, token: string | undefined): Promise<ShippingOption[]> {
      const { cart, items } = await readableWithItems(ctx, cartId, token);
      return deps.pricing.shippingOptions(quoteInput(cart, items));
    },

    /**
     * One statement whether or not it changes anything (it runs twice per order: right after placing, and in the
     * subscriber that guarantees it): the update, and the status the cart had when it matched nothing.
     */
    async markCompleted(_ctx: Ctx, cartId: string, orderId: string): Promise<void> {
      const r = await sql<{ updated: boolean; status: string }>`with u as (
          update cart.carts set status = 'completed', order_id = ${orderId}, version = version + 1, updated_at = now(),
            checkout_until = null, checkout_by = null
          where id = ${cartId} and status = 'active' returning id)
        select exists (select 1 from u) as updated, c.status from cart.carts c where c.id = ${cartId}`.execute(db.k);
      let status = r.rows[0]?.status;
      if (r.rows[0]?.updated) return;
      // 'active' yet not updated: another statement changed the row while this one waited for its lock (the
      // statement's snapshot predates that change). Read it again.
      if (status === 'active') status = (await repo.findCart(db.k, cartId))?.status;
      if (status === undefined) throw notFound();
      if (status === 'completed') return; // idempotent
      throw errors.conflict(E.completed, `Cart ${cartId} is ${status}.`);
    },

    /**
     * Expires active carts untouched for `olderThanMs` (the scheduled job). `updated_at` stays the customer's last
     * change: guest cart retention (cart.retention.ts) counts from it.
     */
    async expire(olderThanMs: number, batch = 500): Promise<number> {
      const r = await sql`update cart.carts set status = 'expired' where id in (
          select id from cart.carts where status = 'active' and ${repo.NOT_HELD}
            and updated_at < now() - make_interval(secs => ${olderThanMs / 1000})
          order by updated_at limit ${batch} for update skip locked) returning id`.execute(db.k);
      return r.rows.length;
    },
  };
  return service;
}
export type CartService = ReturnType<typeof createCartService>;
