// Staff list campaigns with their usage, and delete tax rates.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/support/create-test-app.ts';
import { asStaff, fakeAuth } from '../../../test/support/fake-auth.ts';
import { systemCtx } from '../../platform/context.ts';
import { createPii } from '../../platform/privacy/pii.ts';
import { createRedemptionService } from './redemptions.service.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ authenticate: fakeAuth });
});
afterAll(async () => {
  await t?.close();
});

const staff = asStaff('pricing:write');
const call = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: Record<string, unknown>, h = staff) =>
  t.http.inject({ method, url, headers: h, ...(payload ? { payload } : {}) });

describe('campaigns listed with their usage [REQ-PRC-021]', () => {
  it('[REQ-PRC-021] a campaign shows redemptions against its limit and its promotions, newest first', async () => {
    const older = (await call('POST', '/v1/admin/campaigns', { name: 'Spring' })).json();
    const campaign = (await call('POST', '/v1/admin/campaigns', { name: 'Black Friday', usageLimit: 5 })).json();
    const promo = await call('POST', '/v1/admin/promotions', {
      name: 'BF 10 %',
      kind: 'percentage',
      value: 1000,
      automatic: true,
      campaignId: campaign.id,
    });
    expect(promo.statusCode).toBe(201);
    const pii = createPii({ activeId: 'k', keys: new Map([['k', randomBytes(32)]]) });
    const redemptions = createRedemptionService(t.kernel.db, pii);
    const key = `chk_${randomBytes(4).toString('hex')}`;
    await redemptions.reserveRedemptions(systemCtx('test'), {
      key,
      promotionIds: [promo.json().id],
      customerId: null,
      email: null,
    });
    await redemptions.commitRedemptions(systemCtx('test'), key);

    const list = await call('GET', '/v1/admin/campaigns');
    expect(list.statusCode).toBe(200);
    const items = list.json().items as { id: string }[];
    expect(items.find((c) => c.id === campaign.id)).toEqual({
      id: campaign.id,
      name: 'Black Friday',
      usageLimit: 5,
      redemptions: 1,
      promotions: 1,
    });
    expect(items.findIndex((c) => c.id === campaign.id)).toBeLessThan(items.findIndex((c) => c.id === older.id));
  });

  it('[REQ-PRC-021] without pricing:write → 403; anonymous → 401', async () => {
    expect((await call('GET', '/v1/admin/campaigns', undefined, asStaff('orders:read'))).statusCode).toBe(403);
    expect((await t.http.inject({ method: 'GET', url: '/v1/admin/campaigns' })).statusCode).toBe(401);
  });
});

describe('tax rates deleted [REQ-PRC-022]', () => {
  const rates = async () => (await call('GET', '/v1/admin/tax-rates')).json().items as { id: string }[];

  it('[REQ-PRC-022] DELETE removes the rate (204); again → 404 problem+json; PUT restores it', async () => {
    const set = await call('PUT', '/v1/admin/tax-rates', { country: 'IT', taxCategory: 'books', rateBp: 400 });
    expect(set.statusCode).toBe(200);
    const { id } = set.json();
    const gone = await call('DELETE', `/v1/admin/tax-rates/${id}`);
    expect(gone.statusCode).toBe(204);
    expect((await rates()).map((r) => r.id)).not.toContain(id);
    const again = await call('DELETE', `/v1/admin/tax-rates/${id}`);
    expect([again.statusCode, again.json().code]).toEqual([404, 'pricing.not_found']);
    expect(again.headers['content-type']).toContain('application/problem+json');
    const back = await call('PUT', '/v1/admin/tax-rates', { country: 'IT', taxCategory: 'books', rateBp: 400 });
    expect(back.statusCode).toBe(200);
    expect((await rates()).map((r) => r.id)).toContain(back.json().id);
  });

  it('[REQ-PRC-022] without pricing:write → 403 and the rate stays', async () => {
    const refused = await call('DELETE', '/v1/admin/tax-rates/txr_de_reduced', undefined, asStaff('orders:read'));
    expect(refused.statusCode).toBe(403);
    expect((await rates()).map((r) => r.id)).toContain('txr_de_reduced');
  });
});
