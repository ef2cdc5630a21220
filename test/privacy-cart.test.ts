// Personal data in the cart module (docs/requirements/privacy-cart.md): sealed at rest under the cart's data key
// subject, re-sealed when the subject changes, exported, erased, rotated, and abandoned guest carts deleted.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemCtx } from '../src/platform/context.ts';
import { personIndex, personIndexCandidates } from '../src/platform/privacy/email.ts';
import type { DataSubject, PersonalDataContributor } from '../src/platform/privacy/privacy.ts';
import { createStaff, registerCustomer, type TestIdentity, uniqueEmail } from './support/auth.ts';
import { createVariant, type TestVariant } from './support/cart.ts';
import { createTestApp, type TestApp } from './support/create-test-app.ts';

let t: TestApp;
let staff: TestIdentity;
let v: TestVariant;
let contributor: PersonalDataContributor;
const ctx = systemCtx('test');
const street = (tag: string) => `Privacy Lane ${tag}`;
const addr = (tag: string) => ({
  name: `Ada ${tag}`,
  line1: street(tag),
  city: 'Berlin',
  postalCode: '10115',
  country: 'DE',
  phone: '+49 30 1234567',
});

beforeAll(async () => {
  t = await createTestApp({ env: { RETENTION_GUEST_CART_DAYS: '7' }, workers: false });
  staff = await createStaff(t, 'admin');
  v = await createVariant(t, staff, { price: 2500 });
  const c = t.kernel.privacy.contributors.find((x) => x.name === 'cart');
  if (!c) throw new Error('cart registers a personal data contributor');
  contributor = c;
});
afterAll(async () => {
  await t?.close();
});

interface CartBody {
  id: string;
  token: string;
  email: string | null;
  shippingAddress: unknown;
  billingAddress: unknown;
}

async function call(method: 'GET' | 'POST' | 'PATCH', url: string, headers: Record<string, string>, payload?: object) {
  const res = await t.http.inject({ method, url, headers, ...(payload ? { payload } : {}) });
  if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
  return res.json() as CartBody;
}

async function newCart(auth: Record<string, string> = {}) {
  const c = await call('POST', '/v1/carts', auth, { currency: 'EUR', country: 'DE' });
  const headers = { ...auth, 'x-cart-token': c.token };
  await call('POST', `/v1/carts/${c.id}/items`, headers, { variantId: v.variantId, quantity: 2 });
  return { id: c.id, headers };
}

interface RawCart {
  email: string | null;
  shipping_address: unknown;
  billing_address: unknown;
  pii_enc: string | null;
  email_index: string | null;
  text: string;
}
const raw = async (id: string) =>
  (
    await sql<RawCart>`select email, shipping_address, billing_address, pii_enc, email_index, c::text as text
      from cart.carts c where id = ${id}`.execute(t.kernel.db.k)
  ).rows[0];
const subjectOfSealed = async (sealed: string | null) => {
  const keyId = sealed ? t.kernel.privacy.dataKeys.keyIdOf(sealed) : undefined;
  const r = await sql<{ subject: string }>`select subject from privacy.data_keys where id = ${keyId ?? ''}`.execute(
    t.kernel.db.k,
  );
  return r.rows[0]?.subject;
};
const subjectFor = (userId: string | null, email: string | null): DataSubject => ({
  userId,
  emailIndexes: email ? personIndexCandidates(t.kernel.privacy.pii, email) : [],
});

describe('personal data in carts', () => {
  it('[REQ-PRV-100] email and addresses are sealed at rest; REST, GraphQL and the checkout snapshot see them unchanged', async () => {
    const email = uniqueEmail('sealed');
    const c = await newCart();
    const patched = await call('PATCH', `/v1/carts/${c.id}`, c.headers, {
      email,
      shippingAddress: addr('ship-100'),
      billingAddress: addr('bill-100'),
    });
    expect(patched).toMatchObject({ email, shippingAddress: addr('ship-100'), billingAddress: addr('bill-100') });
    const row = await raw(c.id);
    expect(row).toMatchObject({ email: null, shipping_address: null, billing_address: null });
    expect(row?.pii_enc).toMatch(/^s1\./);
    expect(row?.email_index).toBe(personIndex(t.kernel.privacy.pii, email));
    for (const secret of [email, street('ship-100'), street('bill-100'), 'Ada ship-100', '1234567']) {
      expect(row?.text).not.toContain(secret);
    }
    // Reads decrypt: REST, GraphQL and the snapshot the checkout takes.
    expect(await call('GET', `/v1/carts/${c.id}`, c.headers)).toMatchObject({
      email,
      shippingAddress: addr('ship-100'),
      billingAddress: addr('bill-100'),
    });
    const gql = await t.http.inject({
      method: 'POST',
      url: '/graphql',
      headers: c.headers,
      payload: { query: `{ cart(id: "${c.id}") { email shippingAddress { line1 phone } billingAddress { name } } }` },
    });
    expect(gql.json()).toEqual({
      data: {
        cart: {
          email,
          shippingAddress: { line1: street('ship-100'), phone: '+49 30 1234567' },
          billingAddress: { name: 'Ada bill-100' },
        },
      },
    });
    // A PATCH that touches no personal field leaves the sealed value as it was; clearing all removes it.
    await call('PATCH', `/v1/carts/${c.id}`, c.headers, { couponCode: null });
    expect((await raw(c.id))?.pii_enc).toBe(row?.pii_enc);
    await call('PATCH', `/v1/carts/${c.id}`, c.headers, { email: null, shippingAddress: null, billingAddress: null });
    expect(await raw(c.id)).toMatchObject({ pii_enc: null, email_index: null });
  });

  it('[REQ-PRV-101] sealed under the cart until it has an email, then the guest email, then the customer after sign-in', async () => {
    const email = uniqueEmail('subject');
    const c = await newCart();
    await call('PATCH', `/v1/carts/${c.id}`, c.headers, { shippingAddress: addr('s-101') });
    expect(await subjectOfSealed((await raw(c.id))?.pii_enc ?? null)).toBe(`cart:${c.id}`);
    await call('PATCH', `/v1/carts/${c.id}`, c.headers, { email });
    expect(await subjectOfSealed((await raw(c.id))?.pii_enc ?? null)).toBe(
      `email:${personIndex(t.kernel.privacy.pii, email)}`,
    );
    // Sign-in adopts the guest cart (no active cart yet): its data moves under the customer's key.
    const ann = await registerCustomer(t);
    const merged = await call('POST', `/v1/carts/${c.id}/merge`, {
      ...ann.headers,
      'x-cart-token': c.headers['x-cart-token'] ?? '',
    });
    expect(merged).toMatchObject({ id: c.id, email, shippingAddress: addr('s-101') });
    expect(await subjectOfSealed((await raw(c.id))?.pii_enc ?? null)).toBe(`user:${ann.userId}`);
    // Merging a second guest cart into the customer's cart: the result is sealed under the customer, the merged
    // guest cart keeps no personal data.
    const g = await newCart();
    await call('PATCH', `/v1/carts/${g.id}`, g.headers, { email: uniqueEmail('other'), billingAddress: addr('b-101') });
    const into = await call('POST', `/v1/carts/${g.id}/merge`, {
      ...ann.headers,
      'x-cart-token': g.headers['x-cart-token'] ?? '',
    });
    expect(into).toMatchObject({ id: c.id, email, shippingAddress: addr('s-101'), billingAddress: null });
    expect(await subjectOfSealed((await raw(c.id))?.pii_enc ?? null)).toBe(`user:${ann.userId}`);
    expect(await raw(g.id)).toMatchObject({ pii_enc: null, email_index: null, email: null, billing_address: null });
  });

  it("[REQ-PRV-102] export: the account's carts and the guest carts with its email (any case, +tag), with lines", async () => {
    const ann = await registerCustomer(t);
    const mine = await newCart(ann.headers);
    await call('PATCH', `/v1/carts/${mine.id}`, mine.headers, { email: ann.email, shippingAddress: addr('m-102') });
    const guest = await newCart();
    const [local, domain] = ann.email.split('@');
    await call('PATCH', `/v1/carts/${guest.id}`, guest.headers, { email: `${local?.toUpperCase()}+shop@${domain}` });
    const stranger = await newCart();
    await call('PATCH', `/v1/carts/${stranger.id}`, stranger.headers, { email: uniqueEmail('stranger') });
    const out = (await contributor.exportFor?.(ctx, subjectFor(ann.userId, ann.email))) as {
      carts: { id: string; email: string | null; shippingAddress: unknown; lines: unknown[]; createdAt: string }[];
    };
    expect(out.carts.map((c) => c.id).sort()).toEqual([mine.id, guest.id].sort());
    const m = out.carts.find((c) => c.id === mine.id);
    expect(m).toMatchObject({
      status: 'active',
      currency: 'EUR',
      email: ann.email,
      shippingAddress: addr('m-102'),
      billingAddress: null,
      lines: [{ sku: v.sku, name: expect.any(String), quantity: 2, unitPrice: { amount: 2500, currency: 'EUR' } }],
    });
    expect(Number.isNaN(Date.parse(m?.createdAt ?? ''))).toBe(false);
    expect(await contributor.exportFor?.(ctx, subjectFor(null, uniqueEmail('nobody')))).toEqual({ carts: [] });
  });

  it("[REQ-PRV-103] erasure deletes the person's carts and lines (account and guest), idempotently, and nobody else's", async () => {
    const bob = await registerCustomer(t);
    const mine = await newCart(bob.headers);
    await call('PATCH', `/v1/carts/${mine.id}`, mine.headers, { email: bob.email });
    const guest = await newCart();
    await call('PATCH', `/v1/carts/${guest.id}`, guest.headers, { email: bob.email.toUpperCase() });
    const other = await newCart();
    await call('PATCH', `/v1/carts/${other.id}`, other.headers, { shippingAddress: addr('o-103') });
    const ids = [mine.id, guest.id];
    expect(await contributor.eraseFor?.(ctx, subjectFor(bob.userId, bob.email))).toBe(2);
    const left = await sql<{ n: number }>`select
        (select count(*) from cart.carts where id = any(${ids}::text[]))::int
        + (select count(*) from cart.items where cart_id = any(${ids}::text[]))::int as n`.execute(t.kernel.db.k);
    expect(left.rows[0]?.n).toBe(0);
    expect(await contributor.eraseFor?.(ctx, subjectFor(bob.userId, bob.email))).toBe(0);
    expect((await call('GET', `/v1/carts/${other.id}`, other.headers)).shippingAddress).toEqual(addr('o-103'));
    const gone = await t.http.inject({ method: 'GET', url: `/v1/carts/${guest.id}`, headers: guest.headers });
    expect(gone.statusCode).toBe(404);
  });

  it('[REQ-PRV-104] key rotation seals plaintext left by older versions and recomputes email indexes under the active key', async () => {
    const part = contributor.rotation?.find((p) => p.name === 'cart.carts');
    if (!part) throw new Error('cart has a rotation part');
    const email = uniqueEmail('legacy');
    const legacy = await newCart();
    await sql`update cart.carts set email = ${email}, shipping_address = ${JSON.stringify(addr('l-104'))}::jsonb
      where id = ${legacy.id}`.execute(t.kernel.db.k);
    const sealed = await newCart();
    await call('PATCH', `/v1/carts/${sealed.id}`, sealed.headers, { email: uniqueEmail('old-index') });
    const index = (await raw(sealed.id))?.email_index;
    await sql`update cart.carts set email_index = ${'k0.old'} where id = ${sealed.id}`.execute(t.kernel.db.k);
    expect(await part.remaining()).toBe(2);
    // Readable before the rotation too.
    expect(await call('GET', `/v1/carts/${legacy.id}`, legacy.headers)).toMatchObject({
      email,
      shippingAddress: addr('l-104'),
    });
    expect(await part.batch(100)).toBe(2);
    expect(await part.remaining()).toBe(0);
    expect(await part.batch(100)).toBe(0);
    const row = await raw(legacy.id);
    expect(row).toMatchObject({
      email: null,
      shipping_address: null,
      email_index: personIndex(t.kernel.privacy.pii, email),
    });
    expect(row?.text).not.toContain(email);
    expect(await subjectOfSealed(row?.pii_enc ?? null)).toBe(`email:${personIndex(t.kernel.privacy.pii, email)}`);
    expect((await raw(sealed.id))?.email_index).toBe(index);
    expect(await call('GET', `/v1/carts/${legacy.id}`, legacy.headers)).toMatchObject({
      email,
      shippingAddress: addr('l-104'),
    });
  });

  it('[REQ-PRV-105] the retention job deletes guest carts untouched for RETENTION_GUEST_CART_DAYS; customer, completed and recent carts stay', async () => {
    const job = t.modules
      .find((m) => m.name === 'cart')
      ?.jobs?.find((j) => j.name === 'cart.delete_abandoned_guest_carts');
    if (!job) throw new Error('cart declares the retention job');
    const carol = await registerCustomer(t);
    const [oldActive, oldExpired, oldMerged, oldCompleted, recent] = await Promise.all(
      [1, 2, 3, 4, 5].map(() => newCart()),
    );
    const customer = await newCart(carol.headers);
    const ids = (xs: { id: string }[]) => xs.map((x) => x.id);
    await sql`update cart.carts set status = 'expired' where id = ${oldExpired?.id ?? ''}`.execute(t.kernel.db.k);
    await sql`update cart.carts set status = 'merged' where id = ${oldMerged?.id ?? ''}`.execute(t.kernel.db.k);
    await sql`update cart.carts set status = 'completed' where id = ${oldCompleted?.id ?? ''}`.execute(t.kernel.db.k);
    const stale = ids([oldActive, oldExpired, oldMerged, oldCompleted, customer].flatMap((x) => (x ? [x] : [])));
    await sql`update cart.carts set updated_at = now() - interval '8 days' where id = any(${stale}::text[])`.execute(
      t.kernel.db.k,
    );
    await sql`update cart.carts set updated_at = now() - interval '6 days' where id = ${recent?.id ?? ''}`.execute(
      t.kernel.db.k,
    );
    await job.run(ctx, { scheduledAt: new Date(), attempt: 1 });
    const all = ids([oldActive, oldExpired, oldMerged, oldCompleted, recent, customer].flatMap((x) => (x ? [x] : [])));
    const r = await sql<{ id: string }>`select id from cart.carts where id = any(${all}::text[])`.execute(
      t.kernel.db.k,
    );
    expect(r.rows.map((x) => x.id).sort()).toEqual(
      ids([oldCompleted, recent, customer].flatMap((x) => (x ? [x] : []))).sort(),
    );
    const items = await sql<{ n: number }>`select count(*)::int as n from cart.items
      where cart_id = any(${ids([oldActive, oldExpired, oldMerged].flatMap((x) => (x ? [x] : [])))}::text[])`.execute(
      t.kernel.db.k,
    );
    expect(items.rows[0]?.n).toBe(0);
  });
});
