// Real identities for tests: customers registered over HTTP, staff created through the identity
// module (as `npm run admin:create` does) and signed in over HTTP.
import { randomBytes } from 'node:crypto';
import { systemCtx } from '../../src/platform/context.ts';
import type { TestApp } from './create-test-app.ts';

export interface TestIdentity {
  userId: string;
  email: string;
  password: string;
  accessToken: string;
  refreshToken: string;
  headers: { authorization: string };
}

export const TEST_PASSWORD = 'a-long-test-passphrase-42';

export function uniqueEmail(tag = 'user'): string {
  return `${tag}-${randomBytes(5).toString('hex')}@example.com`;
}

async function login(t: TestApp, email: string, password: string): Promise<TestIdentity> {
  const res = await t.http.inject({ method: 'POST', url: '/v1/auth/login', payload: { email, password } });
  if (res.statusCode !== 200) throw new Error(`login failed: ${res.statusCode} ${res.body}`);
  const body = res.json() as { user: { id: string }; accessToken: string; refreshToken: string };
  return {
    userId: body.user.id,
    email,
    password,
    accessToken: body.accessToken,
    refreshToken: body.refreshToken,
    headers: { authorization: `Bearer ${body.accessToken}` },
  };
}

export async function registerCustomer(
  t: TestApp,
  input: { email?: string; password?: string; name?: string } = {},
): Promise<TestIdentity> {
  const email = input.email ?? uniqueEmail('customer');
  const password = input.password ?? TEST_PASSWORD;
  const res = await t.http.inject({
    method: 'POST',
    url: '/v1/auth/register',
    payload: { email, password, ...(input.name ? { name: input.name } : {}) },
  });
  if (res.statusCode !== 201) throw new Error(`register failed: ${res.statusCode} ${res.body}`);
  const body = res.json() as { user: { id: string }; accessToken: string; refreshToken: string };
  return {
    userId: body.user.id,
    email,
    password,
    accessToken: body.accessToken,
    refreshToken: body.refreshToken,
    headers: { authorization: `Bearer ${body.accessToken}` },
  };
}

export async function createStaff(
  t: TestApp,
  role: 'admin' | 'catalog_manager' | 'order_manager' | 'support',
): Promise<TestIdentity> {
  const email = uniqueEmail(role.replace('_', '-'));
  await t.identity.services.staff.createStaff(
    systemCtx('test'),
    { email, password: TEST_PASSWORD, roles: [role] },
    { ip: '127.0.0.1' },
  );
  return login(t, email, TEST_PASSWORD);
}
