// A fake identity for kernel HTTP tests: `x-test-user: <id>` is a customer, `x-test-staff: perm1,perm2`
// a staff user with those permissions; anything else is anonymous.
import type { Actor } from '../../src/platform/context.ts';
import type { Authenticator } from '../../src/platform/http/auth.ts';

export const fakeAuth: Authenticator = async (request): Promise<Actor> => {
  const staff = request.headers['x-test-staff'];
  if (typeof staff === 'string') {
    return { kind: 'staff', userId: 'usr_staff', roles: ['admin'], permissions: staff.split(',') };
  }
  const user = request.headers['x-test-user'];
  if (typeof user === 'string') return { kind: 'customer', userId: user };
  return { kind: 'anonymous' };
};
