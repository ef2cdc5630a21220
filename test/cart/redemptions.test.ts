// Promotion redemption limits: all or nothing, idempotent on key, and exact under parallel reservations.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PLATFORM_MIGRATIONS } from '../../src/app.ts';
import { createPricingModule, type PricingModule } from '../../src/modules/pricing/index.ts';
import { systemCtx } from '../../src/platform/context.ts';
import { migrate } from '../../src/platform/db/migrate.ts';
import { isAppError } from '../../src/platform/errors.ts';
import { needsPostgres, TEST_DATABASE_URL } from '../support/services.ts';
import { openTestDb, type TestDb } from '../support/test-db.ts';

let t: TestDb;
let pricing: PricingModule;
const ctx = systemCtx('test');
let n = 0;
const key = () => `attempt-${++n}`;
const coupon = (over: Record<string, unknown> = {}) =>
  pricing.admin.createPromotion({ name: 'Ten off', kind: 'percentage', value: 1000, codes: [`C${++n}X`], ...over });
const count = async (id: string) => (await pricing.admin.listPromotions()).find((p) => p.id === id)?.redemptions;
async function outcome(p: Promise<void>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    return isAppError(e) ? e.code : String(e);
  }
}

beforeAll(async () => {
  t = await openTestDb({ poolMax: 20 });
  pricing = createPricingModule({ db: t.db });
  const m = pricing.definition.migrations;
  if (!m) throw new Error('pricing has migrations');
  await migrate(t.db, [PLATFORM_MIGRATIONS, m]);
});
afterAll(async () => {
  await t?.dispose();
});

describe('redemptions', () => {
  it('[REQ-PRC-007] reserve counts, is idempotent on key, release gives it back, commit keeps it', async () => {
    const p = await coupon({ usageLimit: 1 });
    const k = key();
    await pricing.api.reserveRedemptions(ctx, { key: k, promotionIds: [p.id], customerId: null, email: null });
    await pricing.api.reserveRedemptions(ctx, { key: k, promotionIds: [p.id], customerId: null, email: null });
    expect(await count(p.id)).toBe(1);
    const second = await outcome(
      pricing.api.reserveRedemptions(ctx, { key: key(), promotionIds: [p.id], customerId: null, email: null }),
    );
    expect(second).toBe('promotions.limit_reached');
    await pricing.api.releaseRedemptions(ctx, k);
    await pricing.api.releaseRedemptions(ctx, k);
    await pricing.api.releaseRedemptions(ctx, 'unknown-key');
    expect(await count(p.id)).toBe(0);
    const k2 = key();
    await pricing.api.reserveRedemptions(ctx, { key: k2, promotionIds: [p.id], customerId: null, email: null });
    await pricing.api.commitRedemptions(ctx, k2);
    await pricing.api.commitRedemptions(ctx, k2);
    await pricing.api.releaseRedemptions(ctx, k2);
    expect(await count(p.id)).toBe(1);
  });

  it('[REQ-PRC-007] all or nothing: one exhausted promotion leaves the others uncounted', async () => {
    const a = await coupon();
    const b = await coupon({ usageLimit: 0 });
    const res = await outcome(
      pricing.api.reserveRedemptions(ctx, { key: key(), promotionIds: [a.id, b.id], customerId: null, email: null }),
    );
    expect(res).toBe('promotions.limit_reached');
    expect(await count(a.id)).toBe(0);
  });

  it('[REQ-PRC-008] per-customer limit (by id or e-mail) and a campaign limit shared by many codes', async () => {
    const p = await coupon({ perCustomerLimit: 1 });
    const r = (customerId: string | null, email: string | null) =>
      outcome(pricing.api.reserveRedemptions(ctx, { key: key(), promotionIds: [p.id], customerId, email }));
    expect([await r('usr_1', null), await r('usr_1', null), await r('usr_2', null)]).toEqual([
      'ok',
      'promotions.limit_reached',
      'ok',
    ]);
    expect([await r(null, 'A@x.io'), await r(null, 'a@x.io ')]).toEqual(['ok', 'promotions.limit_reached']);
    const campaign = await pricing.admin.createCampaign({ name: 'Influencers', usageLimit: 2 });
    const codes = await Promise.all([1, 2, 3].map(() => coupon({ campaignId: campaign.id })));
    const results: string[] = [];
    for (const c of codes) {
      results.push(
        await outcome(
          pricing.api.reserveRedemptions(ctx, { key: key(), promotionIds: [c.id], customerId: null, email: null }),
        ),
      );
    }
    expect(results).toEqual(['ok', 'ok', 'promotions.limit_reached']);
  });

  it.skipIf(!TEST_DATABASE_URL)(
    `[REQ-PRC-009] limit 3, 50 parallel reservations: exactly 3 succeed ${needsPostgres}`,
    async () => {
      const p = await coupon({ usageLimit: 3 });
      const campaign = await pricing.admin.createCampaign({ name: 'Shared', usageLimit: 3 });
      const shared = await Promise.all([1, 2, 3, 4, 5].map(() => coupon({ campaignId: campaign.id })));
      const res = await Promise.all(
        Array.from({ length: 50 }, () =>
          outcome(
            pricing.api.reserveRedemptions(ctx, { key: key(), promotionIds: [p.id], customerId: null, email: null }),
          ),
        ),
      );
      expect(res.filter((r) => r === 'ok')).toHaveLength(3);
      expect(res.filter((r) => r === 'promotions.limit_reached')).toHaveLength(47);
      expect(await count(p.id)).toBe(3);
      const res2 = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          outcome(
            pricing.api.reserveRedemptions(ctx, {
              key: key(),
              promotionIds: [shared[i % 5]?.id ?? ''],
              customerId: null,
              email: null,
            }),
          ),
        ),
      );
      expect(res2.filter((r) => r === 'ok')).toHaveLength(3);
    },
  );

  it.skipIf(!TEST_DATABASE_URL)(
    `[REQ-PRC-016] lowering usageLimit while checkouts reserve: the counter never passes the limit ${needsPostgres}`,
    async () => {
      for (let round = 0; round < 3; round++) {
        const p = await coupon({ usageLimit: 10 });
        const patch = async () => {
          try {
            await pricing.admin.updatePromotion(p.id, { usageLimit: 3 });
            return 'ok';
          } catch (e) {
            return isAppError(e) ? e.code : String(e);
          }
        };
        const reserves = Array.from({ length: 20 }, () =>
          outcome(
            pricing.api.reserveRedemptions(ctx, { key: key(), promotionIds: [p.id], customerId: null, email: null }),
          ),
        );
        const [patched, ...res] = await Promise.all([patch(), ...reserves]);
        const after = await pricing.admin.getPromotion(p.id);
        const ok = res.filter((r) => r === 'ok').length;
        expect(after.redemptions).toBe(ok);
        if (patched === 'ok') {
          expect(after.usageLimit).toBe(3);
          expect(ok).toBeLessThanOrEqual(3);
        } else {
          expect(patched).toBe('pricing.usage_limit_below_redemptions');
          expect([after.usageLimit, ok]).toEqual([10, 10]);
        }
        expect(res.filter((r) => r !== 'ok').every((r) => r === 'promotions.limit_reached')).toBe(true);
      }
    },
  );
});
