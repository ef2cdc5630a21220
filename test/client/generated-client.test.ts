// A client generated from the live /openapi.json (openapi-typescript + openapi-fetch) typechecks strictly
// without casts and drives a real guest checkout and a customer's order history against a listening server.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStaff, TEST_PASSWORD, uniqueEmail } from '../support/auth.ts';
import { createTestApp, type TestApp } from '../support/create-test-app.ts';
import { listen } from '../support/listen.ts';
import {
  escapeHatches,
  type GeneratedTypes,
  generateTypes,
  programDir,
  type TypecheckResult,
  typecheckProgram,
} from './contract-typecheck.ts';

// The program's own types come from the generated file, which the project's tsc never sees (see
// .program/storefront-client.ts); the test states the part of its answers it checks.
interface Money {
  amount: number;
  currency: string;
}
interface PlacedOrder {
  id: string;
  status: string;
  email: string | null;
  userId: string | null;
  items: { variantId: string; quantity: number }[];
  totals: { total: Money };
  payment: { status: string };
  orderToken?: string;
}
interface StorefrontProgram {
  storefrontClient(baseUrl: string, accessToken?: string): unknown;
  createProduct(staff: unknown, price: number): Promise<{ variantId: string }>;
  guestCheckout(
    client: unknown,
    email: string,
  ): Promise<{
    variantId: string;
    cart: { cartId: string; total: Money };
    order: PlacedOrder;
    replay: PlacedOrder;
    read: PlacedOrder;
    withoutToken: { status: number; code: string | undefined };
  }>;
  customerOrderHistory(
    baseUrl: string,
    variantId: string,
    email: string,
    password: string,
  ): Promise<{ userId: string; order: PlacedOrder; history: { items: PlacedOrder[] } }>;
  historyOf(baseUrl: string, email: string, password: string): Promise<PlacedOrder[]>;
}

let t: TestApp;
let base: string;
let types: GeneratedTypes;
let typecheck: TypecheckResult;
let program: StorefrontProgram;
let variantId: string;

beforeAll(async () => {
  t = await createTestApp();
  base = await listen(t.http);
  types = await generateTypes(base);
  typecheck = await typecheckProgram(types);
  program = await import(pathToFileURL(join(programDir, 'storefront-client.ts')).href);
  const staff = await createStaff(t, 'admin');
  ({ variantId } = await program.createProduct(program.storefrontClient(base, staff.accessToken), 1250));
});
afterAll(async () => {
  await types?.dispose();
  await t?.close();
});

async function ordersOfCart(cartId: string) {
  const { rows } = await sql<{ id: string; status: string; total: string; payments: number }>`
    select o.id, o.status, o.total::text as total,
           (select count(*)::int from payments.payments p where p.order_id = o.id) as payments
      from orders.orders o where o.cart_id = ${cartId}`.execute(t.kernel.db.k);
  return rows;
}

describe('a generated typed client', () => {
  it('[REQ-API-050] types generated from the live /openapi.json typecheck the client program under tsc --strict', () => {
    expect(types.source).toContain('"/v1/orders/{id}": {');
    expect(types.source).toContain('"idempotency-key": string;');
    expect(typecheck.output).toBe('');
    expect(typecheck.exitCode).toBe(0);
  });

  it('[REQ-API-051] the client program uses no casts, no any and no compiler directives', async () => {
    const source = await readFile(join(programDir, 'storefront-client.ts'), 'utf8');
    expect(source).toContain('createClient<paths>(');
    expect(escapeHatches('storefront-client.ts', source)).toEqual([]);
    // The check itself finds each kind of escape hatch.
    const hatches = 'const a = b as Foo; const c = <Foo>d; const e = f!.g; let h: any; // @ts-ignore\n';
    expect(escapeHatches('probe.ts', hatches).map((line) => line.split(': ')[0])).toEqual([
      'probe.ts:1 cast',
      'probe.ts:1 cast',
      'probe.ts:1 non-null assertion',
      'probe.ts:1 any',
      'probe.ts',
    ]);
  });

  it('[REQ-API-052] a guest buys with the generated client: list, cart, address, shipping, order, read with X-Order-Token', async () => {
    const email = uniqueEmail('client-guest');
    const run = await program.guestCheckout(program.storefrontClient(base), email);

    expect(run.variantId).toBe(variantId);
    expect(run.order.status).toBe('paid');
    expect(run.order.payment.status).toBe('captured');
    expect(run.order.email).toBe(email);
    expect(run.order.userId).toBeNull();
    expect(run.order.items).toEqual([expect.objectContaining({ variantId, quantity: 2 })]);
    expect(run.order.totals.total).toEqual(run.cart.total);
    expect(run.order.orderToken).toEqual(expect.any(String));
    // The replay with the same Idempotency-Key answers the same order; the read needs the order token.
    expect(run.replay.id).toBe(run.order.id);
    expect(run.read.id).toBe(run.order.id);
    expect(run.read.totals.total).toEqual(run.order.totals.total);
    expect(run.read).not.toHaveProperty('orderToken');
    expect(run.withoutToken).toEqual({ status: 404, code: 'orders.not_found' });
    // One order and one payment for the cart, whatever the replay did.
    expect(await ordersOfCart(run.cart.cartId)).toEqual([
      { id: run.order.id, status: 'paid', total: String(run.order.totals.total.amount), payments: 1 },
    ]);
  });

  it('[REQ-API-053] a customer registers, buys with the generated client and finds the order in GET /v1/orders', async () => {
    const email = uniqueEmail('client-customer');
    const run = await program.customerOrderHistory(base, variantId, email, TEST_PASSWORD);

    expect(run.order.userId).toBe(run.userId);
    expect(run.order.status).toBe('paid');
    expect(run.order).not.toHaveProperty('orderToken');
    expect(run.history.items.map((o) => o.id)).toEqual([run.order.id]);
    expect(run.history.items[0]?.totals.total).toEqual(run.order.totals.total);
    // Another customer's history does not show it.
    expect(await program.historyOf(base, uniqueEmail('client-other'), TEST_PASSWORD)).toEqual([]);
  });
});
