// Per-person coupon counters (docs/requirements/privacy-cart.md): an account and guest checkouts with its email
// share one counter, no key holds an email, and counters left under an email by older versions are carried over.
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDb, type TestDb } from '../../../test/support/test-db.ts';
import { PLATFORM_MIGRATIONS } from '../../app.ts';
import { systemCtx } from '../../platform/context.ts';
import { migrate } from '../../platform/db/migrate.ts';
import { isAppError } from '../../platform/errors.ts';
import { personIndex } from '../../platform/privacy/email.ts';
import { createPrivacy, type Privacy } from '../../platform/privacy/privacy.ts';
import { createPricingModule, type PricingModule } from './module.ts';

let t: TestDb;
let pricing: PricingModule;
let privacy: Privacy;
const ctx = systemCtx('test');
let n = 0;
const key = () => `attempt-${++n}`;
const email = () => `ann-${randomBytes(4).toString('hex')}@example.com`;
const coupon = (over: Record<string, unknown> = {}) =>
  pricing.admin.createPromotion({
    name: 'Once each',
    kind: 'percentage',
    value: 1000,
    codes: [`P${++n}X`],
    perCustomerLimit: 1,
    ...over,
  });
async function outcome(p: Promise<void>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    return isAppError(e) ? e.code : String(e);
  }
}
const reserve = (promotionId: string, customerId: string | null, mail: string | null, k = key()) =>
  outcome(pricing.api.reserveRedemptions(ctx, { key: k, promotionIds: [promotionId], customerId, email: mail }));
const usage = async (promotionId: string) =>
  (
    await sql<{ customer_key: string; redemptions: number }>`select customer_key, redemptions
      from pricing.customer_usage where promotion_id = ${promotionId} order by customer_key`.execute(t.db.k)
  ).rows;

beforeAll(async () => {
  t = await openTestDb();
  privacy = createPrivacy({ activeId: 'k1', keys: new Map([['k1', randomBytes(32)]]) }, t.db.k);
  pricing = createPricingModule({ db: t.db, privacy });
  const m = pricing.definition.migrations;
  if (!m) throw new Error('pricing has migrations');
  await migrate(t.db, [PLATFORM_MIGRATIONS, m]);
});
afterAll(async () => {
  await t?.dispose();
});

describe('per-person coupon limits', () => {
  it('[REQ-PRV-110] an account and guest checkouts with its email (case, +tag) share one counter; no key holds an email', async () => {
    const p = await coupon();
    const mail = email();
    const [local, domain] = mail.split('@');
    expect(await reserve(p.id, 'usr_ann', mail)).toBe('ok');
    expect(await reserve(p.id, null, mail)).toBe('promotions.limit_reached');
    expect(await reserve(p.id, null, ` ${local?.toUpperCase()}+shop@${domain?.toUpperCase()} `)).toBe(
      'promotions.limit_reached',
    );
    // The account with another email is still the same account.
    expect(await reserve(p.id, 'usr_ann', email())).toBe('promotions.limit_reached');
    // Someone else is not limited.
    expect(await reserve(p.id, null, email())).toBe('ok');
    const person = `person:${personIndex(privacy.pii, mail)}`;
    expect(await usage(p.id)).toContainEqual({ customer_key: person, redemptions: 1 });
    const keys = await sql<{ text: string }>`select (select string_agg(customer_key, ' ') from pricing.customer_usage)
      || ' ' || (select string_agg(array_to_string(customer_keys, ' '), ' ') from pricing.redemption_keys) as text`.execute(
      t.db.k,
    );
    expect(keys.rows[0]?.text).not.toContain('@');
    // A refused reservation counted nothing; a released one gives the person's (and the account's) use back.
    const q = await coupon();
    const k = key();
    expect(await reserve(q.id, 'usr_bob', mail, k)).toBe('ok');
    await pricing.api.releaseRedemptions(ctx, k);
    expect((await usage(q.id)).map((u) => u.redemptions)).toEqual([0, 0]);
    expect(await reserve(q.id, null, mail.toUpperCase())).toBe('ok');
  });

  it('[REQ-PRV-111] counters kept under a plaintext email by older versions still count, and key rotation replaces them', async () => {
    const p = await coupon();
    const a = email();
    const b = email();
    const [bl, bd] = b.split('@');
    await sql`insert into pricing.customer_usage (promotion_id, customer_key, redemptions) values
      (${p.id}, ${`email:${a}`}, 1), (${p.id}, ${`email:${bl}+old@${bd}`}, 1)`.execute(t.db.k);
    await sql`insert into pricing.redemption_keys (key, customer_key, status) values
      (${key()}, ${`email:${a}`}, 'committed')`.execute(t.db.k);
    // A legacy counter counts for the person (refused, nothing folded by the refused attempt).
    expect(await reserve(p.id, null, a.toUpperCase())).toBe('promotions.limit_reached');
    // Folded into the person's counter when that person next checks out.
    const p2 = await coupon({ perCustomerLimit: 2 });
    await sql`insert into pricing.customer_usage (promotion_id, customer_key, redemptions) values
      (${p2.id}, ${`email:${a}`}, 1)`.execute(t.db.k);
    expect(await reserve(p2.id, null, a)).toBe('ok');
    expect(await usage(p2.id)).toEqual([{ customer_key: `person:${personIndex(privacy.pii, a)}`, redemptions: 2 }]);
    expect(await reserve(p2.id, null, a)).toBe('promotions.limit_reached');
    // The rotation part replaces what is left (a `+tag` address too).
    const part = privacy.contributors.find((c) => c.name === 'pricing')?.rotation?.[0];
    if (!part) throw new Error('pricing registers a rotation part');
    expect(await part.remaining()).toBe(3);
    expect(await part.batch(100)).toBe(3);
    expect(await part.remaining()).toBe(0);
    expect(await usage(p.id)).toEqual(
      [a, b]
        .map((x) => ({ customer_key: `person:${personIndex(privacy.pii, x)}`, redemptions: 1 }))
        .sort((x, y) => (x.customer_key < y.customer_key ? -1 : 1)),
    );
    expect(await reserve(p.id, null, b)).toBe('promotions.limit_reached');
    const left = await sql<{ n: number }>`select
        (select count(*) from pricing.customer_usage where customer_key like '%@%')::int
        + (select count(*) from pricing.redemption_keys where customer_key like '%@%')::int as n`.execute(t.db.k);
    expect(left.rows[0]?.n).toBe(0);
  });
});
