// gRPC through the whole app: identity's real API keys authenticate inventory's gRPC calls.
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inventoryServiceClient } from '../../src/modules/inventory/inventory.grpc.ts';
import { createStaff } from '../support/auth.ts';
import { createTestApp, type TestApp } from '../support/create-test-app.ts';

let t: TestApp;
// biome-ignore lint/suspicious/noExplicitAny: the generated client is untyped.
let client: any;
const keys: Record<string, string> = {};

// biome-ignore lint/suspicious/noExplicitAny: generic unary call over the generated client.
function call(method: string, request: unknown, key?: string): Promise<{ value?: any; error?: grpc.ServiceError }> {
  const md = new grpc.Metadata();
  if (key) md.set('authorization', `Bearer ${key}`);
  return new Promise((resolve) => {
    client[method](request, md, (error: grpc.ServiceError | null, value: unknown) =>
      resolve(error ? { error } : { value }),
    );
  });
}

beforeAll(async () => {
  t = await createTestApp({ env: { GRPC_PORT: '0' } });
  const admin = await createStaff(t, 'admin');
  for (const [name, permissions] of [
    ['reader', ['inventory:read']],
    ['orders', ['orders:read']],
  ] as const) {
    const res = await t.http.inject({
      method: 'POST',
      url: '/v1/admin/api-keys',
      headers: admin.headers,
      payload: { name, permissions },
    });
    expect(res.statusCode).toBe(201);
    keys[name] = res.json().key;
  }
  const server = await t.inventory.grpcServer;
  const Client = inventoryServiceClient();
  client = new Client(`127.0.0.1:${server?.port}`, grpc.credentials.createInsecure());
});
afterAll(async () => {
  client?.close();
  await t?.close();
});

describe('inventory gRPC with identity API keys [REQ-INV-019]', () => {
  it('[REQ-INV-019] a real API key with inventory:read is accepted; a revoked-looking, foreign or missing key is not', async () => {
    const ok = await call('GetAvailability', { variantIds: ['var_none'] }, keys.reader);
    expect(ok.error).toBeUndefined();
    expect(ok.value).toEqual({ items: [{ variantId: 'var_none', tracked: true, available: 0, inStock: false }] });
    expect((await call('GetAvailability', { variantIds: ['var_none'] }, 'emp_live_forged')).error?.code).toBe(
      grpc.status.UNAUTHENTICATED,
    );
    expect((await call('GetAvailability', { variantIds: ['var_none'] })).error?.code).toBe(grpc.status.UNAUTHENTICATED);
    expect((await call('GetAvailability', { variantIds: ['var_none'] }, keys.orders)).error?.code).toBe(
      grpc.status.PERMISSION_DENIED,
    );
  });
});
