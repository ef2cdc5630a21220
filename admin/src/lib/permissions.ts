// What the signed-in staff member may do. The API returns the user's roles (GET /v1/me); the role → permission
// table is the server's (src/modules/identity/permissions.ts) and a test fails when this copy drifts from it.
// Hiding an action is a courtesy: the API refuses it anyway.

export const ROLE_PERMISSIONS: Readonly<Record<string, readonly string[]>> = {
  admin: ['*'],
  catalog_manager: ['catalog:read', 'catalog:write', 'inventory:read', 'inventory:write', 'pricing:write'],
  order_manager: [
    'orders:read',
    'orders:manage',
    'payments:read',
    'payments:refund',
    'fulfillment:manage',
    'inventory:read',
    'inventory:write',
  ],
  support: ['orders:read', 'customers:read', 'payments:read', 'jobs:read', 'notifications:read'],
};

export function permissionsOf(roles: readonly string[]): string[] {
  const out = new Set<string>();
  for (const r of roles) for (const p of ROLE_PERMISSIONS[r] ?? []) out.add(p);
  return [...out].sort();
}

export function can(held: readonly string[], permission: string): boolean {
  return held.includes('*') || held.includes(permission);
}

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
