// Roles are named permission sets. Routes declare a permission; staff hold roles; API keys hold
// permissions directly (never more than their creator holds).

export const PERMISSIONS = [
  'catalog:read',
  'catalog:write',
  'inventory:read',
  'inventory:write',
  'pricing:write',
  'orders:read',
  'orders:manage',
  'payments:read',
  'payments:refund',
  'fulfillment:manage',
  'customers:read',
  'events:manage',
  'jobs:read',
  'users:manage',
  'api_keys:manage',
  'audit:read',
  'privacy:manage',
  'notifications:read',
  'notifications:manage',
  'webhooks:manage',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

export const STAFF_ROLES = ['admin', 'catalog_manager', 'order_manager', 'support'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

/** The role → permission table. `*` grants every permission, including ones added later. */
export const ROLE_PERMISSIONS: Readonly<Record<StaffRole, readonly string[]>> = {
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

export function isStaffRole(role: string): role is StaffRole {
  return (STAFF_ROLES as readonly string[]).includes(role);
}

export function permissionsOf(roles: readonly string[]): string[] {
  const out = new Set<string>();
  for (const r of roles) if (isStaffRole(r)) for (const p of ROLE_PERMISSIONS[r]) out.add(p);
  return [...out].sort();
}

export function grants(held: readonly string[], permission: string): boolean {
  return held.includes('*') || held.includes(permission);
}
