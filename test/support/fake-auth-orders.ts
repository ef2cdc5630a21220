// A fake authenticator for orders tests: `x-test-customer: usr_x` or `x-test-staff: perm1,perm2`.
import type { Authenticator } from '../../src/platform/http/auth.ts';

export const fakeOrdersAuth: Authenticator = async (req) => {
  const customer = req.headers['x-test-customer'];
  if (typeof customer === 'string') return { kind: 'customer', userId: customer };
  const perms = req.headers['x-test-staff'];
  if (typeof perms === 'string') {
    return { kind: 'staff', userId: 'usr_staff', roles: ['staff'], permissions: perms.split(',').filter(Boolean) };
  }
  return { kind: 'anonymous' };
};
