// Creating a cart (POST /v1/carts, GraphQL createCart). A guest always gets a new cart. A signed-in customer has at
// most one active cart (a partial unique index on user_id): when they have one, it is the answer (`created: false`,
// 200 over HTTP) and the currency and country they sent are applied to it, never silently ignored:
// - nothing to change (both omitted, or what the cart holds): the cart as it is, nothing written;
// - a new country, or a new currency on a cart without lines: one update guarded by the version read (and so by the
//   lines read with it), bumping the version like every cart write;
// - a new currency on a cart with lines (their prices are in its currency): 409 cart.currency_mismatch;
// - any change while a checkout holds the cart: 409 cart.checkout_in_progress. A refusal writes nothing.
// A guarded update that matches nothing (the cart changed meanwhile) is planned again on a fresh read; after three
// such conflicts it runs under the cart's row lock. Concurrent first creations converge on the one insert the index
// lets through: the others answer that cart.
import { sql } from 'kysely';
import type { Ctx } from '../../platform/context.ts';
import type { Db } from '../../platform/db/db.ts';
import type { Executor } from '../../platform/db/typed.ts';
import { errors } from '../../platform/errors.ts';
import { newId, newSecret } from '../../platform/ids.ts';
import type { CartPii } from './cart.pii.ts';
import * as repo from './cart.repo.ts';
import { checkingOut, userOf } from './cart.rules.ts';
import type { CartView } from './cart.view.ts';
import { CART_ERRORS as E } from './contract.ts';

export interface CartCreation {
  view: CartView;
  /** False: the customer's active cart was answered (with the currency and country sent applied). */
  created: boolean;
}

export interface CreateCartInput {
  currency?: string;
  country?: string;
}

interface CreationDeps {
  db: Db;
  pii: CartPii;
  defaultCurrency: string;
  view: (cart: repo.CartRow, items?: repo.ItemRow[]) => Promise<CartView>;
}

/** What became of the customer's active cart: answered, absent (none is active), or changed since it was read. */
type Reuse = { view: CartView } | 'absent' | 'stale';

const MAX_ATTEMPTS = 6;
const OPTIMISTIC_ATTEMPTS = 3;

export function createCartCreation(deps: CreationDeps) {
  const { db, pii, view } = deps;

  /** The currency and country the cart is to hold, or undefined when the input changes nothing. */
  function regionAfter(cart: repo.StoredCart, lines: number, input: CreateCartInput) {
    const region = { currency: input.currency ?? cart.currency, country: input.country ?? cart.country };
    if (region.currency === cart.currency && region.country === cart.country) return undefined;
    if (cart.checkout_held) throw checkingOut();
    if (lines > 0 && region.currency !== cart.currency) {
      throw errors.conflict(
        E.currencyMismatch,
        `Your active cart holds lines in ${cart.currency}, so it cannot switch to ${region.currency}: check it out, ` +
          'empty it or change it first.',
        { cartId: cart.id, currency: cart.currency },
      );
    }
    return region;
  }

  /** Optimistic: the cart read with its lines, then one update guarded by the version read. */
  async function reuseRead(user: string, input: CreateCartInput): Promise<Reuse> {
    const found = await repo.findActiveCartOfUserWithItems(db.k, user);
    if (!found) return 'absent';
    const { cart, items } = found;
    const region = regionAfter(cart, items.length, input);
    if (!region) return { view: await view(await pii.open(cart), items) };
    const updated = await repo.setRegionAtVersion(db.k, cart.id, cart.version, region);
    return updated ? { view: await view(await pii.open(updated), items) } : 'stale';
  }

  /** Under the row lock of the customer's active cart (its lines counted under it). */
  async function reuseLocked(user: string, input: CreateCartInput): Promise<Reuse> {
    const cart = await db.transaction(async (tx) => {
      const locked = await lockActiveCartOfUser(tx, user);
      if (!locked) return undefined;
      const { lines, ...cart } = locked;
      const region = regionAfter(cart, lines, input);
      return region ? repo.setRegionAtVersion(tx, cart.id, cart.version, region) : cart;
    });
    return cart ? { view: await view(await pii.open(cart)) } : 'absent';
  }

  return async function create(ctx: Ctx, input: CreateCartInput): Promise<CartCreation> {
    const user = userOf(ctx);
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      if (user) {
        const reused = attempt < OPTIMISTIC_ATTEMPTS ? await reuseRead(user, input) : await reuseLocked(user, input);
        if (reused === 'stale') continue;
        if (reused !== 'absent') return { view: reused.view, created: false };
      }
      const inserted = await repo.insertCart(db.k, {
        id: newId('cart'),
        token: newSecret(),
        userId: user,
        currency: input.currency ?? deps.defaultCurrency,
        country: input.country ?? null,
      });
      if (inserted) return { view: await view(await pii.open(inserted), []), created: true };
      // Another request created this customer's active cart first: the next round answers that one.
      if (!user) throw new Error('a guest cart insert matched nothing');
    }
    throw new Error(`cart creation for ${user} did not settle in ${MAX_ATTEMPTS} attempts`);
  };
}

/** The customer's active cart, locked, with its number of lines (counted after the lock: the lines as they stay). */
async function lockActiveCartOfUser(
  tx: Executor,
  user: string,
): Promise<(repo.StoredCart & { lines: number }) | undefined> {
  const locked = await sql<repo.StoredCart>`select ${repo.CART_COLUMNS} from cart.carts
    where user_id = ${user} and status = 'active' for update`.execute(tx);
  const cart = locked.rows[0];
  if (!cart) return undefined;
  const { lines } = await repo.lineState(tx, cart.id, '');
  return { ...cart, lines };
}
