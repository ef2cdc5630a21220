// createInventoryModule: the module definition for app.ts plus the service API other modules call.
import { fileURLToPath } from 'node:url';
import type { Counter } from 'prom-client';
import type { Config } from '../../platform/config.ts';
import type { Db } from '../../platform/db/db.ts';
import { primaryReads, type ReadDb } from '../../platform/db/replica.ts';
import type { ModuleDefinition } from '../../platform/module.ts';
import type { Logger } from '../../platform/observability/logger.ts';
import type { InventoryApi } from './contract.ts';
import { seedDemoStock } from './demo-stock.ts';
import { registerHistoryRoutes } from './history.http.ts';
import type { RunningGrpcServer, VerifyApiKey } from './inventory.grpc.ts';
import { registerInventoryRoutes } from './inventory.http.ts';
import { measureReservations } from './inventory.metrics.ts';
import { createReservationService } from './reservation.service.ts';
import { createStockService } from './stock.service.ts';

export interface InventoryModuleDeps {
  db: Db;
  config: Pick<Config, 'reservationTtlSeconds' | 'grpcPort'>;
  logger: Logger;
  /** Resolves a gRPC API key to its actor (the identity module provides it); absent → every key refused. */
  verifyApiKey?: VerifyApiKey;
  /** How often the expiry sweeper runs (default 15 s). */
  sweepIntervalMs?: number;
  /** The app's reservation outcome counter (`inventory_reservation_outcomes_total`); absent: not counted. */
  reservationOutcomes?: Counter<'operation' | 'outcome'>;
  /**
   * Which of these variant ids the catalog knows (its public API, wired in app.ts): the staff routes answer 404 for
   * the others. Absent (module tests): every id is taken as known. Reservations never ask.
   */
  knownVariants?: (variantIds: readonly string[]) => Promise<ReadonlySet<string>>;
  /** Where the storefront's availability batch runs (kernel.readDb; default `db`). Carts and checkout: `db`. */
  readDb?: ReadDb;
}

export function createInventoryModule(deps: InventoryModuleDeps) {
  const reservations = createReservationService({ db: deps.db, ttlSeconds: deps.config.reservationTtlSeconds });
  const stock = createStockService({ db: deps.db });
  const raw: InventoryApi = {
    reserve: reservations.reserve,
    release: reservations.release,
    commit: reservations.commit,
    restock: reservations.restock,
    restockReturned: reservations.restockReturned,
    getAvailability: stock.getAvailability,
  };
  // The storefront's availability (catalog pages): the same plain read, on the read replica when one is usable.
  const readDb = deps.readDb ?? primaryReads(deps.db);
  const replicaStock = new WeakMap<Db, ReturnType<typeof createStockService>>();
  const stockOn = (db: Db) => {
    if (db === deps.db) return stock;
    const s = replicaStock.get(db) ?? createStockService({ db });
    replicaStock.set(db, s);
    return s;
  };
  const storefrontAvailability: InventoryApi['getAvailability'] = (ids) =>
    readDb.run((db) => stockOn(db).getAvailability(ids));
  const outcomes = deps.reservationOutcomes;
  const api = outcomes ? measureReservations(raw, outcomes) : raw;

  let grpc: Promise<RunningGrpcServer> | undefined;
  if (deps.config.grpcPort !== undefined) {
    const port = deps.config.grpcPort;
    // gRPC's libraries (about 30 ms and 15 MB) load only when GRPC_PORT asks for the server.
    grpc = import('./inventory.grpc.ts').then(({ startInventoryGrpcServer }) =>
      startInventoryGrpcServer({
        api,
        logger: deps.logger,
        port,
        verifyApiKey: deps.verifyApiKey ?? (async () => undefined),
      }),
    );
    grpc.then(
      (s) => deps.logger.info({ port: s.port }, 'inventory gRPC listening'),
      (e: unknown) => deps.logger.error({ err: e }, 'inventory gRPC failed to start'),
    );
  }

  const definition: ModuleDefinition = {
    name: 'inventory',
    migrations: { module: 'inventory', dir: fileURLToPath(new URL('./migrations/', import.meta.url)) },
    registerRoutes: (http) => {
      registerInventoryRoutes(http, stock, deps.knownVariants);
      registerHistoryRoutes(http, deps.db);
    },
    jobs: [
      {
        name: 'inventory.release_expired',
        intervalMs: deps.sweepIntervalMs ?? 15_000,
        run: async (ctx) => {
          const expired = await reservations.releaseExpired(ctx);
          if (expired) outcomes?.inc({ operation: 'expire', outcome: 'expired' }, expired);
        },
      },
    ],
    readinessChecks: grpc
      ? [
          {
            name: 'inventory-grpc',
            check: async () => {
              await grpc;
            },
          },
        ]
      : [],
    stop: async () => {
      if (grpc) await (await grpc.catch(() => undefined))?.stop();
    },
  };

  const seedDemo = (variantIds: string[]) => seedDemoStock(deps.db, variantIds);
  return { definition, api, reservations, stock, seedDemo, grpcServer: grpc, storefrontAvailability };
}

export type InventoryModule = ReturnType<typeof createInventoryModule>;
