// CartApi for orders: getCheckoutSnapshot and markCompleted (service level, fake catalog and inventory).
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDb, type TestDb } from '../../../test/support/test-db.ts';
import { PLATFORM_MIGRATIONS } from '../../app.ts';
import type { Ctx } from '../../platform/context.ts';
import { migrate } from '../../platform/db/migrate.ts';
import { isAppError } from '../../platform/errors.ts';
import { createPrivacy } from '../../platform/privacy/privacy.ts';
import type { CartVariant } from '../catalog/index.ts';
import { createPricingModule } from '../pricing/index.ts';
import { type CartModule, createCartModule } from './index.ts';

let t: TestDb;
let cart: CartModule;
const variants: CartVariant[] = [
  {
    variantId: 'var_a',
    productId: 'prod_a',
    sku: 'A',
    name: 'Alpha',
    price: { amount: 1999, currency: 'EUR' },
    published: true,
    weightGrams: 200,
    categoryIds: [],
    taxCategory: 'standard',
  },
  {
    variantId: 'var_b',
    productId: 'prod_b',
    sku: 'B',
    name: 'Beta',
    price: { amount: 4500, currency: 'EUR' },
    published: true,
    weightGrams: 900,
    categoryIds: [],
    taxCategory: 'standard',
  },
];
const guest: Ctx = { requestId: 'r', actor: { kind: 'anonymous' } };
const alice: Ctx = { requestId: 'r', actor: { kind: 'customer', userId: 'usr_alice' } };
const bob: Ctx = { requestId: 'r', actor: { kind: 'customer', userId: 'usr_bob' } };
async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    return isAppError(e) ? `${e.status} ${e.code}` : String(e);
  }
}

beforeAll(async () => {
  t = await openTestDb();
  const pricing = createPricingModule({ db: t.db });
  cart = createCartModule({
    db: t.db,
    catalog: {
      getVariantsForCart: async (ids) => variants.filter((v) => ids.includes(v.variantId)),
      getProducts: async () => [],
    },
    pricing: pricing.quotes,
    availability: async (ids) => new Map(ids.map((id) => [id, { available: null }])),
    defaultCurrency: 'EUR',
    privacy: createPrivacy({ activeId: 'k1', keys: new Map([['k1', randomBytes(32)]]) }, t.db.k),
  });
  const ms = [pricing.definition.migrations, cart.definition.migrations].flatMap((m) => (m ? [m] : []));
  await migrate(t.db, [PLATFORM_MIGRATIONS, ...ms]);
});
afterAll(async () => {
  await t?.dispose();
});

describe('CartApi', () => {
  it('[REQ-CRT-010] getCheckoutSnapshot returns lines with discount and tax, addresses, shipping, totals and version', async () => {
    const c = (await cart.service.create(guest, { currency: 'EUR', country: 'DE' })).view;
    await cart.service.addItem(guest, c.id, c.token, { variantId: 'var_a', quantity: 2 });
    await cart.service.addItem(guest, c.id, c.token, { variantId: 'var_b', quantity: 1 });
    const addr = { name: 'Ada', line1: 'Main 1', city: 'Utrecht', postalCode: '3511', country: 'NL' };
    await cart.service.update(guest, c.id, c.token, {
      email: 'ada@example.com',
      shippingAddress: addr,
      shippingMethodId: 'shm_eu_standard',
    });
    const s = await cart.api.getCheckoutSnapshot(guest, c.id, c.token);
    const eur = (amount: number) => ({ amount, currency: 'EUR' });
    expect(s).toEqual({
      cartId: c.id,
      currency: 'EUR',
      email: 'ada@example.com',
      userId: null,
      lines: [
        {
          lineId: s.lines[0]?.lineId,
          variantId: 'var_a',
          productId: 'prod_a',
          sku: 'A',
          name: 'Alpha',
          quantity: 2,
          unitPrice: eur(1999),
          lineTotal: eur(3998),
          discount: eur(0),
          tax: eur(840),
        },
        {
          lineId: s.lines[1]?.lineId,
          variantId: 'var_b',
          productId: 'prod_b',
          sku: 'B',
          name: 'Beta',
          quantity: 1,
          unitPrice: eur(4500),
          lineTotal: eur(4500),
          discount: eur(0),
          tax: eur(945),
        },
      ],
      shippingAddress: addr,
      billingAddress: null,
      shippingMethod: { id: 'shm_eu_standard', name: 'Standard (EU)', price: eur(0) },
      promotions: [],
      totals: { subtotal: eur(8498), discount: eur(0), shipping: eur(0), tax: eur(1785), total: eur(10283) },
      version: 4,
    });
    expect(await code(cart.api.getCheckoutSnapshot(guest, c.id, undefined))).toBe('404 cart.not_found');
    expect(await code(cart.api.getCheckoutSnapshot(bob, c.id, undefined))).toBe('404 cart.not_found');
  });

  it('[REQ-CRT-011] markCompleted is idempotent and a completed cart refuses changes with 409 cart.completed', async () => {
    const c = (await cart.service.create(alice, { currency: 'EUR' })).view;
    await cart.service.addItem(alice, c.id, undefined, { variantId: 'var_a', quantity: 1 });
    const before = await cart.api.getCheckoutSnapshot(alice, c.id, undefined);
    await cart.api.markCompleted(alice, c.id, 'ord_1');
    await cart.api.markCompleted(alice, c.id, 'ord_1');
    expect(await code(cart.service.addItem(alice, c.id, undefined, { variantId: 'var_b', quantity: 1 }))).toBe(
      '409 cart.completed',
    );
    expect(await code(cart.api.markCompleted(alice, 'cart_nope', 'ord_2'))).toBe('404 cart.not_found');
    const after = await cart.api.getCheckoutSnapshot(alice, c.id, undefined);
    expect(after.lines).toEqual(before.lines);
    expect(after.version).toBe(before.version + 1);
    // The customer's next cart is a new, empty one.
    const next = (await cart.service.create(alice, {})).view;
    expect(next.id).not.toBe(c.id);
    expect(next.items).toEqual([]);
    // Completed by 8 callers at once (the placing request and the subscriber can race): all succeed, one bump.
    const raced = (await cart.service.create(guest, { currency: 'EUR' })).view;
    const token = raced.token;
    const v0 = (await cart.api.getCheckoutSnapshot(guest, raced.id, token)).version;
    await Promise.all(Array.from({ length: 8 }, () => cart.api.markCompleted(guest, raced.id, 'ord_3')));
    const completed = await sql<{ status: string; version: number; order_id: string }>`
      select status, version, order_id from cart.carts where id = ${raced.id}`.execute(t.db.k);
    expect(completed.rows).toEqual([{ status: 'completed', version: v0 + 1, order_id: 'ord_3' }]);
  });

  it('[REQ-CRT-012] abandoned carts expire by the scheduled job and then answer 404', async () => {
    const c = (await cart.service.create(guest, { currency: 'EUR' })).view;
    expect(cart.definition.jobs?.map((j) => j.name)).toEqual([
      'cart.expire_abandoned',
      'cart.delete_abandoned_guest_carts',
    ]);
    expect(await cart.service.expire(60_000)).toBe(0);
    const expired = await cart.service.expire(0);
    expect(expired).toBeGreaterThanOrEqual(1);
    expect(await code(cart.service.get(guest, c.id, c.token))).toBe('404 cart.not_found');
  });
});
