import { describe, expect, it } from 'vitest';
import {
  AUDIT_ACTIONS,
  accessState,
  auditActionText,
  auditActor,
  auditDetail,
  campaignUsage,
  idList,
  parseBundleItems,
  quantityInput,
} from './staff-gaps.ts';

describe('third-slice helpers [REQ-ADM-078]', () => {
  it('[REQ-ADM-078] [REQ-ADM-072] access state, audit entries in words, campaign usage', () => {
    expect(accessState({ disabledAt: null })).toBe('enabled');
    expect(accessState({})).toBe('enabled');
    expect(accessState({ disabledAt: '2026-12-06T04:00:00.000Z' })).toBe('disabled');
    expect(auditActionText('user.disabled')).toBe('Account disabled');
    expect(auditActionText('something.new')).toBe('something.new');
    expect(AUDIT_ACTIONS).toContain('password.reset_sent_by_staff');
    expect(auditActor({ actorKind: 'staff', actorId: 'usr_1' })).toBe('staff usr_1');
    expect(auditActor({ actorKind: 'staff', actorId: 'usr_1' }, { usr_1: 'ops@example.com' })).toBe(
      'staff ops@example.com',
    );
    expect(auditActor({ actorKind: 'api_key', actorId: 'key_1' })).toBe('an API key (key_1)');
    expect(auditActor({ actorKind: 'system', actorId: 'identity.bootstrap' })).toBe('the system');
    expect(auditDetail({ from: ['support'], to: [] })).toBe('support → none');
    expect(auditDetail({ sessionsRevoked: 2 })).toBe('sessionsRevoked: 2');
    expect(auditDetail({})).toBe('');
    expect(campaignUsage({ redemptions: 3, usageLimit: 100 })).toBe('3 of 100 used');
    expect(campaignUsage({ redemptions: 0, usageLimit: null })).toBe('0 used (no limit)');
  });

  it('[REQ-ADM-078] [REQ-ADM-076] bundle items and buy-X-get-Y fields become the API body; bad lines are named', () => {
    expect(parseBundleItems('prod_phone\n var_case × 2 \n\nprod_cable x3')).toEqual({
      items: [
        { productId: 'prod_phone', quantity: 1 },
        { variantId: 'var_case', quantity: 2 },
        { productId: 'prod_cable', quantity: 3 },
      ],
    });
    expect(parseBundleItems('  \n')).toEqual({ problem: 'Enter at least one product or variant id.' });
    expect(parseBundleItems('prod_a\nsku-123')).toEqual({
      problem: 'Line 2: sku-123 is neither a product (prod_…) nor a variant (var_…) id.',
    });
    expect(parseBundleItems('prod_a × 0')).toEqual({
      problem: 'Line 1: write an id, then optionally × and a quantity.',
    });
    expect(parseBundleItems('prod_a two')).toHaveProperty('problem');
    expect(quantityInput(' 2 ')).toBe(2);
    for (const bad of ['', '0', '1000', '1.5', 'two']) expect(quantityInput(bad)).toBeUndefined();
    expect(idList('prod_a, prod_b\nprod_a  prod_c')).toEqual(['prod_a', 'prod_b', 'prod_c']);
    expect(idList('  ')).toEqual([]);
  });
});
