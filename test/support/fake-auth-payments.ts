// A fake identity for payments tests until the identity module lands: `x-test-staff: perm1,perm2`.
import type { Authenticator } from '../../src/platform/http/auth.ts';

export const fakePaymentsAuth: Authenticator = async (req) => {
  const perms = req.headers['x-test-staff'];
  if (typeof perms === 'string') {
    return { kind: 'staff', userId: 'usr_staff', roles: ['staff'], permissions: perms.split(',').filter(Boolean) };
  }
  return { kind: 'anonymous' };
};
