// The public event catalog against reality (PGlite, or PostgreSQL in CI): realistic flows through the whole app over
// HTTP — catalog writes and a bulk import, stock movements, a guest and a customer checkout with the sandbox PSP,
// shipments tracked to delivered, returns rejected and received, refunds, a cancel, a 3-D Secure checkout, a declined
// card, an expired reservation, an erased account — then every payload in `platform.outbox` of a public type must
// match its schema, every public type must have been produced, and no other type may appear but the two internal ones.
import { randomBytes, randomUUID } from 'node:crypto';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CATALOG_PUBLIC_EVENTS } from '../../src/modules/catalog/index.ts';
import { IDENTITY_EVENTS, IDENTITY_PUBLIC_EVENTS } from '../../src/modules/identity/index.ts';
import { INVENTORY_PUBLIC_EVENTS } from '../../src/modules/inventory/index.ts';
import { ORDER_PUBLIC_EVENTS } from '../../src/modules/orders/index.ts';
import { PAYMENT_PUBLIC_EVENTS } from '../../src/modules/payments/index.ts';
import { systemCtx } from '../../src/platform/context.ts';
import { ISO_FORMATS } from '../../src/platform/iso-codes.ts';
import { createStaff, registerCustomer, type TestIdentity } from '../support/auth.ts';
import { readyCart } from '../support/cart.ts';
import { createTestApp, type TestApp } from '../support/create-test-app.ts';
import { listen } from '../support/listen.ts';

// ajv-formats is CommonJS: under nodenext its default import is typed as the module object.
type AddFormats = (ajv: Ajv) => unknown;
const addFormats = ((addFormatsModule as unknown as { default?: AddFormats }).default ??
  addFormatsModule) as unknown as AddFormats;

const PUBLIC = [
  ...CATALOG_PUBLIC_EVENTS,
  ...IDENTITY_PUBLIC_EVENTS,
  ...INVENTORY_PUBLIC_EVENTS,
  ...ORDER_PUBLIC_EVENTS,
  ...PAYMENT_PUBLIC_EVENTS,
];
/** Appended, but carrying a sealed single-use token for the notifications module: never offered to integrators. */
const INTERNAL = [IDENTITY_EVENTS.emailVerificationRequested, IDENTITY_EVENTS.passwordResetRequested];

interface OutboxRow {
  id: string;
  type: string;
  payload: Record<string, unknown>;
}

let t: TestApp;
let staff: TestIdentity;
let rows: OutboxRow[] = [];
const validators = new Map<string, ValidateFunction>();

const tag = randomBytes(4).toString('hex');
/** The fields of the answers the flow reads (products, orders, shipments, returns, the 202 of a checkout). */
interface Answer {
  id: string;
  status: string;
  orderToken: string;
  variants: { id: string }[];
  totals: { shipping: { amount: number } };
  nextAction: { url: string };
}
const json = (res: { statusCode: number; body: string; json: () => unknown }, status: number): Answer => {
  if (res.statusCode !== status) throw new Error(`expected ${status}, got ${res.statusCode}: ${res.body}`);
  return (res.body ? res.json() : {}) as Answer;
};
async function call(
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
  url: string,
  status: number,
  payload?: object,
) {
  return json(await t.http.inject({ method, url, headers: staff.headers, ...(payload ? { payload } : {}) }), status);
}
async function waitFor(what: string, check: () => Promise<boolean>, ms = 15_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
const hasEvent = async (type: string, field: string, value: string) =>
  Number(
    (
      await sql<{ n: string }>`select count(*) as n from platform.outbox
        where type = ${type} and payload->>${field} = ${value}`.execute(t.kernel.db.k)
    ).rows[0]?.n,
  ) > 0;
const orderStatus = async (id: string) => (await call('GET', `/v1/orders/${id}`, 200)).status as string;

/** Places an order from a ready cart; answers the response (201 placed, 202 requires action, 402 declined). */
async function checkout(variantId: string, quantity: number, token: string, auth?: Record<string, string>) {
  const cart = await readyCart(t, variantId, { quantity, ...(auth ? { auth } : {}) });
  return t.http.inject({
    method: 'POST',
    url: '/v1/orders',
    headers: { ...cart.headers, 'idempotency-key': randomUUID() },
    payload: { cartId: cart.id, payment: { provider: 'sandbox', token } },
  });
}

/** Catalog: categories, a product with a variant, its changes, a bulk import, an archived product. */
async function catalogFlow(): Promise<string> {
  const parent = await call('POST', '/v1/categories', 201, { slug: `lamps-${tag}`, name: 'Lamps' });
  const child = await call('POST', '/v1/categories', 201, {
    slug: `desk-lamps-${tag}`,
    name: 'Desk lamps',
    parentId: parent.id,
  });
  const product = await call('POST', '/v1/products', 201, {
    slug: `lamp-${tag}`,
    name: 'Desk lamp',
    status: 'published',
    categoryIds: [child.id],
    variants: [{ sku: `LAMP-${tag}`, weightGrams: 900, prices: [{ currency: 'EUR', amount: 2500 }] }],
  });
  await call('PATCH', `/v1/products/${product.id}`, 200, { brand: 'Lumen', description: 'Warm light.' });
  const withTwo = await call('POST', `/v1/products/${product.id}/variants`, 201, {
    sku: `LAMP-${tag}-XL`,
    prices: [{ currency: 'EUR', amount: 3100 }],
  });
  const extra = withTwo.variants.at(-1)?.id as string;
  await call('PATCH', `/v1/products/${product.id}/variants/${extra}`, 200, {
    prices: [{ currency: 'EUR', amount: 2900 }],
  });
  await call('DELETE', `/v1/products/${product.id}/variants/${extra}`, 200);
  // A bulk import creating one product and changing the lamp (a new EUR price): the import's own payloads.
  const csv = [
    'slug,name,brand,description,status,categories,sku,weightGrams,price:EUR',
    `shade-${tag},Lamp shade,Lumen,,published,lamps-${tag},SHADE-${tag},200,900`,
    `lamp-${tag},Desk lamp,Lumen,Warm light.,published,desk-lamps-${tag},LAMP-${tag},900,2400`,
  ].join('\n');
  const imported = json(
    await t.http.inject({
      method: 'POST',
      url: '/v1/admin/imports',
      headers: { ...staff.headers, 'content-type': 'text/csv' },
      payload: csv,
    }),
    201,
  );
  expect(imported).toMatchObject({ status: 'completed', rowsOk: 2, productsChanged: 2 });
  const old = await call('POST', '/v1/products', 201, { slug: `old-${tag}`, name: 'Old lamp' });
  await call('DELETE', `/v1/products/${old.id}`, 200);
  return product.variants[0]?.id as string;
}

/** A guest's order of two lamps: shipped in two parts, tracked to delivered, returns rejected and received, refunds. */
async function guestOrderFlow(lamp: string): Promise<void> {
  const order = json(await checkout(lamp, 2, 'tok_visa'), 201);
  expect(order.status).toBe('pending'); // PAYMENT_CAPTURE=shipment: captured by the first shipment
  const guest = { 'x-order-token': order.orderToken as string };
  const first = await call('POST', `/v1/admin/orders/${order.id}/shipments`, 201, {
    items: [{ variantId: lamp, quantity: 1 }],
    carrier: 'DHL',
    trackingNumber: '00340434161094042557',
  });
  const second = await call('POST', `/v1/admin/orders/${order.id}/shipments`, 201, {});
  await call('PATCH', `/v1/admin/shipments/${first.id}`, 200, { status: 'in_transit' });
  await call('PATCH', `/v1/admin/shipments/${first.id}`, 200, { status: 'delivered' });
  await call('PATCH', `/v1/admin/shipments/${second.id}`, 200, { status: 'delivered' });
  expect(await orderStatus(order.id)).toBe('delivered');

  const ask = async () =>
    json(
      await t.http.inject({
        method: 'POST',
        url: `/v1/orders/${order.id}/returns`,
        headers: guest,
        payload: { items: [{ variantId: lamp, quantity: 1 }], reason: 'too bright' },
      }),
      201,
    );
  await call('POST', `/v1/admin/returns/${(await ask()).id}/reject`, 200, { note: 'worn' });
  await call('POST', `/v1/admin/returns/${(await ask()).id}/receive`, 200, { restock: true });
  await waitFor('partially refunded', async () => (await orderStatus(order.id)) === 'partially_refunded');
  const last = await ask();
  await call('POST', `/v1/admin/returns/${last.id}/receive`, 200, { restock: true });
  await waitFor('the returns refunded', async () => {
    const p = await paymentOf(order.id);
    return p.refunded === p.lines;
  });
  // A return does not refund shipping: staff refund the rest, and the returned order becomes refunded.
  expect(order.totals.shipping.amount).toBeGreaterThan(0);
  const rest = await t.http.inject({
    method: 'POST',
    url: `/v1/admin/orders/${order.id}/refunds`,
    headers: { ...staff.headers, 'idempotency-key': randomUUID() },
    payload: { reason: 'shipping' },
  });
  json(rest, 201);
  await waitFor('refunded', async () => (await orderStatus(order.id)) === 'refunded');
}

/** What the order's payment has refunded, and what its received returns refund. */
async function paymentOf(orderId: string) {
  const r = await sql<{ refunded: string; lines: string }>`select p.refunded_amount as refunded,
      (select coalesce(sum(refund_amount), 0) from orders.returns where order_id = ${orderId} and status = 'received')
        as lines
    from payments.payments p where p.order_id = ${orderId}`.execute(t.kernel.db.k);
  return { refunded: Number(r.rows[0]?.refunded), lines: Number(r.rows[0]?.lines) };
}

beforeAll(async () => {
  t = await createTestApp({ env: { PAYMENT_CAPTURE: 'shipment' } });
  await listen(t.http); // the embedded sandbox posts its webhooks here (3-D Secure)
  staff = await createStaff(t, 'admin');
  const lamp = await catalogFlow();

  // Stock: a movement into a new warehouse, a low-stock threshold the guest's order crosses (10 → 8).
  const warehouse = await call('POST', '/v1/admin/warehouses', 201, { name: `WH ${tag}`, country: 'DE' });
  await call('PUT', `/v1/admin/inventory/${lamp}/policy`, 200, { mode: 'tracked', lowStockThreshold: 8 });
  await call('POST', '/v1/admin/inventory/adjustments', 201, {
    variantId: lamp,
    warehouseId: warehouse.id,
    quantity: 10,
    reason: 'receipt',
  });

  await guestOrderFlow(lamp);

  // A customer: an order cancelled before shipping (its authorization voided), then a 3-D Secure checkout.
  const customer = await registerCustomer(t);
  const cancelled = json(await checkout(lamp, 1, 'tok_visa', customer.headers), 201);
  json(
    await t.http.inject({
      method: 'POST',
      url: `/v1/orders/${cancelled.id}/cancel`,
      headers: customer.headers,
      payload: { reason: 'changed my mind' },
    }),
    200,
  );
  await waitFor('the void', () => hasEvent('payments.payment.voided', 'orderId', cancelled.id as string));
  const waiting = json(await checkout(lamp, 1, 'tok_threeDSecureRequired', customer.headers), 202);
  expect((await fetch(`${waiting.nextAction.url}?outcome=succeed`)).status).toBeLessThan(400);
  await waitFor('the 3-D Secure order', () => hasEvent('orders.order.placed', 'orderId', waiting.id as string));

  // A declined card, and a reservation left to expire (as a gRPC caller would make it).
  expect((await checkout(lamp, 1, 'tok_chargeDeclined')).statusCode).toBe(402);
  const ctx = systemCtx('test');
  const reservation = await t.inventory.api.reserve(ctx, {
    key: `evt-test:${tag}`,
    lines: [{ variantId: lamp, quantity: 1 }],
    expiresAt: new Date(Date.now() + 50),
  });
  await waitFor('the expiry', async () => {
    await t.inventory.reservations.releaseExpired(ctx);
    return hasEvent('inventory.reservation.expired', 'reservationId', reservation.id);
  });

  // The customer deletes the account.
  json(await t.http.inject({ method: 'DELETE', url: '/v1/me', headers: customer.headers }), 204);

  rows = (
    await sql<OutboxRow>`select id, type, payload from platform.outbox order by seq`.execute(t.kernel.db.k)
  ).rows.map((r) => ({ ...r, payload: typeof r.payload === 'string' ? JSON.parse(r.payload) : r.payload }));

  const ajv = new Ajv({ allErrors: true, strict: true });
  addFormats(ajv);
  for (const [name, validate] of Object.entries(ISO_FORMATS)) ajv.addFormat(name, { type: 'string', validate });
  for (const e of PUBLIC) validators.set(e.type, ajv.compile(e.payload));
}, 180_000);
afterAll(async () => {
  await t?.close();
});

describe('public event schemas [REQ-EVT-025]', () => {
  it('[REQ-EVT-025] the lists name each type once, in `<module>.<entity>.<past-tense>` form, with a one-sentence description, and leave the internal token events out', () => {
    const types = PUBLIC.map((e) => e.type);
    expect(new Set(types).size).toBe(types.length);
    for (const e of PUBLIC) {
      expect(e.type).toMatch(/^(catalog|identity|inventory|orders|payments)\.[a-z_]+\.[a-z_]+$/);
      expect(e.description).toMatch(/^[A-Z][^\n]*\.$/);
      expect(e.description.slice(0, -1)).not.toMatch(/\.\s/);
    }
    for (const internal of INTERNAL) expect(types).not.toContain(internal);
    expect(types).toEqual(expect.arrayContaining([IDENTITY_EVENTS.userRegistered, IDENTITY_EVENTS.userErased]));
  });

  it('[REQ-EVT-025] every payload of a public type in the outbox matches its schema', () => {
    const invalid = rows
      .filter((r) => validators.has(r.type))
      .flatMap((r) => {
        const validate = validators.get(r.type) as ValidateFunction;
        return validate(r.payload) ? [] : [{ type: r.type, id: r.id, payload: r.payload, errors: validate.errors }];
      });
    expect(invalid).toEqual([]);
    expect(rows.filter((r) => validators.has(r.type)).length).toBeGreaterThan(PUBLIC.length);
  });

  it('[REQ-EVT-025] every public type was produced by the flow', () => {
    const produced = new Set(rows.map((r) => r.type));
    expect(PUBLIC.map((e) => e.type).filter((type) => !produced.has(type))).toEqual([]);
  });

  it('[REQ-EVT-025] no type in the outbox is missing from the lists, except the two internal identity ones', () => {
    const listed = new Set([...PUBLIC.map((e) => e.type), ...INTERNAL]);
    expect([...new Set(rows.map((r) => r.type))].filter((type) => !listed.has(type))).toEqual([]);
    // The internal ones were produced too (registration asks for a verification): they are left out on purpose.
    expect(rows.map((r) => r.type)).toContain(IDENTITY_EVENTS.emailVerificationRequested);
  });

  it('[REQ-EVT-025] the schemas are exact: each appended field is required, and a field added later is not breaking', () => {
    const loose: string[] = [];
    for (const r of rows.filter((x) => validators.has(x.type))) {
      const validate = validators.get(r.type) as ValidateFunction;
      expect(validate({ ...r.payload, addedInALaterVersion: 'x' })).toBe(true);
      for (const key of Object.keys(r.payload)) {
        const { [key]: _dropped, ...without } = r.payload;
        if (validate(without)) loose.push(`${r.type}: ${key}`);
      }
    }
    expect([...new Set(loose)]).toEqual([]);
  });
});
