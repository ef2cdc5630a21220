// Staff, roles and API keys. The role and permission names are the identity module's
// (src/modules/identity/permissions.ts); test/admin/customers-tax-staff.e2e.test.ts fails when these copies drift from it.
import { can } from './permissions.ts';

export const STAFF_ROLES = ['admin', 'catalog_manager', 'order_manager', 'support'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

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

export function isStaffRole(role: string): role is StaffRole {
  return (STAFF_ROLES as readonly string[]).includes(role);
}

export function roleLabel(role: string): string {
  return role.replace(/_/g, ' ');
}

/** Accounts holding a staff role (a staff member whose roles were all removed has no staff access). */
export function staffOnly<T extends { roles: string[]; status: string }>(accounts: readonly T[]): T[] {
  return accounts.filter((a) => a.status === 'active' && a.roles.some(isStaffRole));
}

/** The permissions an API key may be given by this staff member: the API refuses any they do not hold. */
export function grantable(held: readonly string[]): string[] {
  return PERMISSIONS.filter((p) => can(held, p));
}

export function keyState(k: { revokedAt: string | null }): 'active' | 'revoked' {
  return k.revokedAt ? 'revoked' : 'active';
}
