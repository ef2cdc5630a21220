// Staff, roles and API keys. The role and permission names are the identity module's own
// (src/modules/identity/permissions.ts), bundled at build time.
import { isStaffRole, PERMISSIONS } from '../../../src/modules/identity/permissions.ts';
import { can } from './permissions.ts';

export {
  isStaffRole,
  PERMISSIONS,
  STAFF_ROLES,
  type StaffRole,
} from '../../../src/modules/identity/permissions.ts';

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
