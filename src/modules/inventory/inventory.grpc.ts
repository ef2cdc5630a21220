// The gRPC transport (proto/inventory.proto) over the same services as HTTP. Off unless GRPC_PORT is set.
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import type { Actor, Ctx } from '../../platform/context.ts';
import { errors, isAppError } from '../../platform/errors.ts';
import { hasPermission } from '../../platform/http/auth.ts';
import { newId } from '../../platform/ids.ts';
import type { Logger } from '../../platform/observability/logger.ts';
import type { InventoryApi, Reservation } from './contract.ts';

export type VerifyApiKey = (key: string) => Promise<Actor | undefined>;

export const PROTO_PATH = fileURLToPath(new URL('./proto/inventory.proto', import.meta.url));

export function loadInventoryProto(): grpc.GrpcObject {
  const def = protoLoader.loadSync(PROTO_PATH, { keepCase: false, longs: Number, defaults: true, enums: String });
  return grpc.loadPackageDefinition(def);
}

// biome-ignore lint/suspicious/noExplicitAny: generated service constructors are untyped.
export function inventoryServiceClient(): any {
  // biome-ignore lint/suspicious/noExplicitAny: walking the loaded package by name.
  return (loadInventoryProto() as any).emporium.inventory.v1.Inventory;
}

const STATUS_BY_CODE: Record<string, grpc.status> = {
  'inventory.insufficient_stock': grpc.status.RESOURCE_EXHAUSTED,
  'inventory.reservation_not_found': grpc.status.NOT_FOUND,
  'inventory.reservation_expired': grpc.status.FAILED_PRECONDITION,
  'inventory.reservation_released': grpc.status.FAILED_PRECONDITION,
  'inventory.reservation_committed': grpc.status.FAILED_PRECONDITION,
  'inventory.key_conflict': grpc.status.ALREADY_EXISTS,
};

function toServiceError(e: unknown, logger: Logger): Partial<grpc.StatusObject> {
  const metadata = new grpc.Metadata();
  if (!isAppError(e)) {
    logger.error({ err: e }, 'inventory gRPC call failed');
    metadata.set('emporium-code', 'internal');
    return { code: grpc.status.INTERNAL, details: 'Internal error', metadata };
  }
  metadata.set('emporium-code', e.code);
  const variants = e.extra?.variants;
  if (Array.isArray(variants)) metadata.set('emporium-variants', variants.join(','));
  let code = STATUS_BY_CODE[e.code];
  if (code === undefined) {
    if (e.status === 401) code = grpc.status.UNAUTHENTICATED;
    else if (e.status === 403) code = grpc.status.PERMISSION_DENIED;
    else if (e.status === 404) code = grpc.status.NOT_FOUND;
    else if (e.status === 400 || e.status === 422) code = grpc.status.INVALID_ARGUMENT;
    else code = grpc.status.UNKNOWN;
  }
  return { code, details: `${e.code}: ${e.detail ?? e.title}`, metadata };
}

function denied(code: grpc.status, codeName: string, details: string): Partial<grpc.StatusObject> {
  const metadata = new grpc.Metadata();
  metadata.set('emporium-code', codeName);
  return { code, details, metadata };
}

function reservationMessage(r: Reservation) {
  return {
    id: r.id,
    key: r.key,
    status: r.status,
    expiresAtUnixMs: r.expiresAt.getTime(),
    allocations: r.allocations.map((a) => ({
      variantId: a.variantId,
      warehouseId: a.warehouseId ?? '',
      quantity: a.quantity,
    })),
  };
}

export interface GrpcServerDeps {
  api: InventoryApi;
  verifyApiKey: VerifyApiKey;
  logger: Logger;
  host?: string;
  port: number;
}

export interface RunningGrpcServer {
  /** The bound port (useful with port 0). */
  port: number;
  stop(): Promise<void>;
}

// biome-ignore lint/suspicious/noExplicitAny: request messages are plain objects from proto-loader.
type Handler = (ctx: Ctx, request: any) => Promise<unknown>;

export async function startInventoryGrpcServer(deps: GrpcServerDeps): Promise<RunningGrpcServer> {
  const { api, logger } = deps;
  const unary =
    (permission: string, fn: Handler): grpc.handleUnaryCall<unknown, unknown> =>
    (call, callback) => {
      void (async () => {
        const auth = call.metadata.get('authorization')[0];
        const m = typeof auth === 'string' ? /^Bearer (.+)$/.exec(auth) : null;
        const actor = m?.[1] ? await deps.verifyApiKey(m[1]) : undefined;
        if (!actor) {
          return callback(denied(grpc.status.UNAUTHENTICATED, 'auth.unauthorized', 'A valid API key is required.'));
        }
        if (!hasPermission(actor, permission)) {
          return callback(denied(grpc.status.PERMISSION_DENIED, 'auth.forbidden', `This needs ${permission}.`));
        }
        const ctx: Ctx = { requestId: newId('req'), actor };
        callback(null, await fn(ctx, call.request));
      })().catch((e: unknown) => callback(toServiceError(e, logger)));
    };

  const server = new grpc.Server();
  server.addService(inventoryServiceClient().service, {
    ReserveInventory: unary('inventory:write', async (ctx, req) => {
      const expiresAt = req.expiresAtUnixMs ? new Date(Number(req.expiresAtUnixMs)) : undefined;
      const lines = (req.lines ?? []).map((l: { variantId: string; quantity: number }) => ({
        variantId: l.variantId,
        quantity: l.quantity,
      }));
      return reservationMessage(await api.reserve(ctx, { key: req.key, lines, ...(expiresAt ? { expiresAt } : {}) }));
    }),
    ReleaseInventory: unary('inventory:write', async (ctx, req) => reservationMessage(await api.release(ctx, req.key))),
    CommitReservation: unary('inventory:write', async (ctx, req) => reservationMessage(await api.commit(ctx, req.key))),
    GetAvailability: unary('inventory:read', async (_ctx, req) => {
      const ids: string[] = req.variantIds ?? [];
      if (ids.length > 1000) throw errors.badRequest('inventory.too_many_variants', 'At most 1000 variant ids.');
      const map = await api.getAvailability(ids);
      return {
        items: [...map.entries()].map(([variantId, a]) => ({
          variantId,
          tracked: a.available !== null,
          available: a.available ?? 0,
          inStock: a.inStock,
        })),
      };
    }),
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${deps.host ?? '0.0.0.0'}:${deps.port}`, grpc.ServerCredentials.createInsecure(), (err, p) =>
      err ? reject(err) : resolve(p),
    );
  });
  return {
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, 5000);
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      }),
  };
}
