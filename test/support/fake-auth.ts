// The one fake identity, for tests that do not exercise the identity module (its own tests and test/support/auth.ts
// use real accounts and tokens). One header, `x-test-actor`, names the caller:
//   customer:<userId>            a signed-in customer
//   staff:<perm1>,<perm2>        a staff user (usr_staff) holding those permissions (`*` = every permission)
//   api_key:<perm1>,<perm2>      an API key (key_test) holding those permissions
// No header → anonymous; any other value → 401, as a forged credential gets from the real authenticator.
import type { Actor } from '../../src/platform/context.ts';
import { errors } from '../../src/platform/errors.ts';
import type { Authenticator } from '../../src/platform/http/auth.ts';

export const FAKE_ACTOR_HEADER = 'x-test-actor';
export const FAKE_STAFF_ID = 'usr_staff';
export const FAKE_API_KEY_ID = 'key_test';

const list = (raw: string) =>
  raw
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);

export const fakeAuth: Authenticator = async (req): Promise<Actor> => {
  const value = req.headers[FAKE_ACTOR_HEADER];
  if (value === undefined) return { kind: 'anonymous' };
  const m = typeof value === 'string' ? /^(customer|staff|api_key):(.*)$/.exec(value) : null;
  const rest = m?.[2] ?? '';
  if (m?.[1] === 'customer' && rest) return { kind: 'customer', userId: rest };
  if (m?.[1] === 'staff') return { kind: 'staff', userId: FAKE_STAFF_ID, roles: ['staff'], permissions: list(rest) };
  if (m?.[1] === 'api_key') return { kind: 'api_key', keyId: FAKE_API_KEY_ID, permissions: list(rest) };
  throw errors.unauthorized('The test actor is invalid.');
};

/** Headers that make the caller the customer `userId`. */
export const asCustomer = (userId: string) => ({ [FAKE_ACTOR_HEADER]: `customer:${userId}` });
/** Headers that make the caller a staff user holding `permissions`. */
export const asStaff = (...permissions: string[]) => ({ [FAKE_ACTOR_HEADER]: `staff:${permissions.join(',')}` });
/** Headers that make the caller an API key holding `permissions`. */
export const asApiKey = (...permissions: string[]) => ({ [FAKE_ACTOR_HEADER]: `api_key:${permissions.join(',')}` });
