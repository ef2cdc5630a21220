// A fake identity for inventory HTTP tests: `x-test-permissions: inventory:read,inventory:write` makes
// the caller a staff user with those permissions; no header → anonymous.
import type { Authenticator } from '../../src/platform/http/auth.ts';

export const fakeInventoryAuth: Authenticator = async (req) => {
  const raw = req.headers['x-test-permissions'];
  if (typeof raw !== 'string') return { kind: 'anonymous' };
  const permissions = raw
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  return { kind: 'staff', userId: 'usr_test_staff', roles: ['test'], permissions };
};

export const asStaff = (permissions = 'inventory:read,inventory:write') => ({ 'x-test-permissions': permissions });
