// Quotes reuse tax rates, automatic promotions and shipping methods for a short time; this process's own staff
// writes drop them at once, a change made elsewhere (another process) shows within the TTL.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { statementsOf } from '../../../test/support/query-cost.ts';
import { openTestDb, type TestDb } from '../../../test/support/test-db.ts';
import { PLATFORM_MIGRATIONS } from '../../app.ts';
import { migrate } from '../../platform/db/migrate.ts';
import { createPricingModule, type PricingModule } from './module.ts';

let t: TestDb;
let pricing: PricingModule;
const TTL = 300;

beforeAll(async () => {
  t = await openTestDb();
  pricing = createPricingModule({ db: t.db, referenceCacheMs: TTL });
  const m = pricing.definition.migrations;
  if (!m) throw new Error('pricing has migrations');
  await migrate(t.db, [PLATFORM_MIGRATIONS, m]);
});
afterAll(async () => {
  await t?.dispose();
});

const quote = (country: string, unitPrice: number, quantity: number) =>
  pricing.quotes.quote({
    currency: 'EUR',
    country,
    province: null,
    couponCodes: [],
    shippingMethodId: null,
    lines: [{ lineId: 'l1', productId: 'p1', variantId: 'v1', categoryIds: [], unitPrice, quantity, weightGrams: 0 }],
  });
const quoteTax = async (country: string) => (await quote(country, 10_000, 1)).totals.tax;

describe('pricing reference data', () => {
  it('[REQ-PRC-018] a staff write shows on the next quote; a change from elsewhere within the TTL, not before; no reads while cached', async () => {
    expect(await quoteTax('NL')).toBe(2100);
    await pricing.admin.upsertTaxRate({ country: 'NL', rateBp: 900 });
    expect(await quoteTax('NL')).toBe(900); // this process's write: at once

    // Another process changes the rate: this one keeps its copy (and reads nothing) until the TTL runs out.
    await sql`update pricing.tax_rates set rate_bp = 2100 where country = 'NL' and tax_category = 'standard'`.execute(
      t.db.k,
    );
    expect(await statementsOf(async () => expect(await quoteTax('NL')).toBe(900))).toBe(0);
    await new Promise((r) => setTimeout(r, TTL + 50));
    expect(await quoteTax('NL')).toBe(2100);
  });

  it('[REQ-PRC-018] an automatic promotion created or deleted by staff applies or stops at once', async () => {
    const promo = await pricing.admin.createPromotion({
      name: 'Auto 10',
      kind: 'percentage',
      value: 1000,
      automatic: true,
    });
    const discount = async () => (await quote('DE', 5000, 2)).totals.discount;
    expect(await discount()).toBe(1000);
    await pricing.admin.deletePromotion(promo.id);
    expect(await discount()).toBe(0);
  });
});
