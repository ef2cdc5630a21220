// What the signed-in staff member may do. The API returns the user's roles (GET /v1/me); the role → permission
// table and its rules are the identity module's own (src/modules/identity/permissions.ts, a module with no imports),
// bundled at build time, so the dashboard and the API cannot disagree.
// Hiding an action is a courtesy: the API refuses it anyway.
import { grants as can } from '../../../src/modules/identity/permissions.ts';

export { grants as can, permissionsOf, ROLE_PERMISSIONS } from '../../../src/modules/identity/permissions.ts';

export interface NavItem {
  to: string;
  label: string;
  /** Shown only to staff holding this permission (none: every staff member). */
  permission?: string;
}

export const NAV: readonly NavItem[] = [
  { to: '/', label: 'Overview' },
  { to: '/products', label: 'Products', permission: 'catalog:read' },
  { to: '/inventory', label: 'Inventory', permission: 'inventory:read' },
  { to: '/orders', label: 'Orders', permission: 'orders:read' },
  { to: '/coupons', label: 'Coupons', permission: 'pricing:write' },
  { to: '/promotions', label: 'Promotions', permission: 'pricing:write' },
  { to: '/customers', label: 'Customers', permission: 'users:manage' },
  { to: '/tax-shipping', label: 'Tax & shipping', permission: 'pricing:write' },
  { to: '/staff', label: 'Staff', permission: 'users:manage' },
  { to: '/webhooks', label: 'Webhooks', permission: 'webhooks:manage' },
  { to: '/notifications', label: 'Notifications', permission: 'notifications:read' },
  { to: '/jobs', label: 'Jobs', permission: 'jobs:read' },
];

export function visibleNav(held: readonly string[]): NavItem[] {
  return NAV.filter((n) => !n.permission || can(held, n.permission));
}
