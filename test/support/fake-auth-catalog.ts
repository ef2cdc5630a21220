// A FAKE identity for catalog and search tests until the identity module lands:
// `x-test-actor: staff:<perm1>,<perm2>` → a staff actor with those permissions; `customer` → a customer.
import type { Actor } from '../../src/platform/context.ts';
import type { Authenticator } from '../../src/platform/http/auth.ts';

export const fakeCatalogAuth: Authenticator = async (req) => {
  const h = req.headers['x-test-actor'];
  if (typeof h !== 'string') return { kind: 'anonymous' };
  if (h === 'customer') return { kind: 'customer', userId: 'usr_customer' };
  const perms = h.slice(h.indexOf(':') + 1);
  const actor: Actor = { kind: 'staff', userId: 'usr_staff', roles: ['staff'], permissions: perms.split(',') };
  return actor;
};

export const STAFF = { 'x-test-actor': 'staff:catalog:write,catalog:read' };
