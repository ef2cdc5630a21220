import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type InventoryTestDb, level, openInventoryTestDb, staffCtx } from '../../../test/support/inventory.ts';
import type { Actor } from '../../platform/context.ts';
import { createLogger } from '../../platform/observability/logger.ts';
import { inventoryServiceClient, type RunningGrpcServer, startInventoryGrpcServer } from './inventory.grpc.ts';
import { createInventoryModule } from './module.ts';

const KEYS: Record<string, Actor> = {
  'key-write': { kind: 'api_key', keyId: 'key_w', permissions: ['inventory:read', 'inventory:write'] },
  'key-read': { kind: 'api_key', keyId: 'key_r', permissions: ['inventory:read'] },
};

let t: InventoryTestDb;
let server: RunningGrpcServer;
// biome-ignore lint/suspicious/noExplicitAny: the generated client is untyped.
let client: any;
let wh: string;

// biome-ignore lint/suspicious/noExplicitAny: generic unary call helper over the generated client.
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
  t = await openInventoryTestDb();
  wh = (await t.inventory.stock.createWarehouse(staffCtx, { name: 'G', country: 'NL' })).id;
  await t.inventory.stock.recordMovement(staffCtx, {
    variantId: 'var_g1',
    warehouseId: wh,
    kind: 'receive',
    quantity: 3,
    reason: 'PO',
  });
  server = await startInventoryGrpcServer({
    api: t.inventory.api,
    logger: createLogger('silent'),
    host: '127.0.0.1',
    port: 0,
    verifyApiKey: async (key) => KEYS[key],
  });
  const Client = inventoryServiceClient();
  client = new Client(`127.0.0.1:${server.port}`, grpc.credentials.createInsecure());
});
afterAll(async () => {
  client?.close();
  await server?.stop();
  await t?.dispose();
});

describe('inventory gRPC', () => {
  it('[REQ-INV-016] ReserveInventory, CommitReservation, ReleaseInventory and GetAvailability over a real client', async () => {
    const reserved = await call(
      'ReserveInventory',
      { key: 'g-1', lines: [{ variantId: 'var_g1', quantity: 2 }] },
      'key-write',
    );
    expect(reserved.value).toMatchObject({
      key: 'g-1',
      status: 'active',
      allocations: [{ variantId: 'var_g1', warehouseId: wh, quantity: 2 }],
    });
    expect(reserved.value.expiresAtUnixMs).toBeGreaterThan(Date.now() + 890_000);
    const avail = await call('GetAvailability', { variantIds: ['var_g1', 'var_none'] }, 'key-read');
    expect(avail.value).toEqual({
      items: [
        { variantId: 'var_g1', tracked: true, available: 1, inStock: true },
        { variantId: 'var_none', tracked: true, available: 0, inStock: false },
      ],
    });
    expect((await call('CommitReservation', { key: 'g-1' }, 'key-write')).value.status).toBe('committed');
    expect((await call('CommitReservation', { key: 'g-1' }, 'key-write')).value.status).toBe('committed');
    expect(await level(t.db, 'var_g1', wh)).toEqual({ onHand: 1, reserved: 0 });
    await call('ReserveInventory', { key: 'g-2', lines: [{ variantId: 'var_g1', quantity: 1 }] }, 'key-write');
    expect((await call('ReleaseInventory', { key: 'g-2' }, 'key-write')).value.status).toBe('released');
    expect(await level(t.db, 'var_g1', wh)).toEqual({ onHand: 1, reserved: 0 });
  });

  it('[REQ-INV-016] errors map to gRPC status codes and change nothing', async () => {
    const expectError = async (p: ReturnType<typeof call>, status: grpc.status, code: string) => {
      const { error } = await p;
      expect(error?.code).toBe(status);
      expect(error?.metadata.get('emporium-code')).toEqual([code]);
      return error;
    };
    const short = await expectError(
      call('ReserveInventory', { key: 'g-3', lines: [{ variantId: 'var_g1', quantity: 5 }] }, 'key-write'),
      grpc.status.RESOURCE_EXHAUSTED,
      'inventory.insufficient_stock',
    );
    expect(short?.metadata.get('emporium-variants')).toEqual(['var_g1']);
    await expectError(
      call('ReleaseInventory', { key: 'nope' }, 'key-write'),
      grpc.status.NOT_FOUND,
      'inventory.reservation_not_found',
    );
    await expectError(
      call('ReserveInventory', { key: 'g-4', lines: [{ variantId: 'var_g1', quantity: 0 }] }, 'key-write'),
      grpc.status.INVALID_ARGUMENT,
      'inventory.invalid_reservation',
    );
    await expectError(
      call('ReserveInventory', { key: 'g-5', lines: [{ variantId: 'var_g1', quantity: 1 }] }),
      grpc.status.UNAUTHENTICATED,
      'auth.unauthorized',
    );
    await expectError(
      call('ReserveInventory', { key: 'g-5', lines: [{ variantId: 'var_g1', quantity: 1 }] }, 'wrong-key'),
      grpc.status.UNAUTHENTICATED,
      'auth.unauthorized',
    );
    await expectError(
      call('ReserveInventory', { key: 'g-5', lines: [{ variantId: 'var_g1', quantity: 1 }] }, 'key-read'),
      grpc.status.PERMISSION_DENIED,
      'auth.forbidden',
    );
    expect(await level(t.db, 'var_g1', wh)).toEqual({ onHand: 1, reserved: 0 });
  });

  it('[REQ-INV-016] the module starts gRPC only when GRPC_PORT is set and stops it on shutdown', async () => {
    const off = createInventoryModule({
      db: t.db,
      logger: createLogger('silent'),
      config: { reservationTtlSeconds: 900, grpcPort: undefined },
    });
    expect(off.grpcServer).toBeUndefined();
    const on = createInventoryModule({
      db: t.db,
      logger: createLogger('silent'),
      config: { reservationTtlSeconds: 900, grpcPort: 0 },
    });
    const running = await on.grpcServer;
    expect(running?.port).toBeGreaterThan(0);
    await on.definition.readinessChecks?.[0]?.check();
    await on.definition.stop?.();
    expect(off.definition.jobs?.map((j) => j.name)).toEqual(['inventory.release_expired']);
  });
});
