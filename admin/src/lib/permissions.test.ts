import { describe, expect, it } from 'vitest';
import { can, permissionsOf, visibleNav } from './permissions.ts';

describe('permission gating [REQ-ADM-012]', () => {
  it('[REQ-ADM-012] roles become permissions; admin holds every one', () => {
    expect(permissionsOf(['support'])).toContain('orders:read');
    expect(can(permissionsOf(['support']), 'orders:manage')).toBe(false);
    expect(can(permissionsOf(['admin']), 'anything:new')).toBe(true);
    expect(permissionsOf(['customer', 'unknown'])).toEqual([]);
  });

  it('[REQ-ADM-012] the navigation shows the sections a role may use', () => {
    const labels = (roles: string[]) => visibleNav(permissionsOf(roles)).map((n) => n.label);
    const pricing = ['Coupons', 'Promotions'];
    expect(labels(['admin'])).toEqual([
      'Overview',
      'Products',
      'Inventory',
      'Orders',
      ...pricing,
      'Customers',
      'Tax & shipping',
      'Staff',
      'Webhooks',
      'Notifications',
      'Jobs',
    ]);
    expect(labels(['support'])).toEqual(['Overview', 'Orders', 'Notifications', 'Jobs']);
    expect(labels(['catalog_manager'])).toEqual(['Overview', 'Products', 'Inventory', ...pricing, 'Tax & shipping']);
    expect(labels(['order_manager'])).toEqual(['Overview', 'Inventory', 'Orders']);
    expect(labels(['support', 'catalog_manager'])).toEqual([
      'Overview',
      'Products',
      'Inventory',
      'Orders',
      ...pricing,
      'Tax & shipping',
      'Notifications',
      'Jobs',
    ]);
  });
});
