// createCartModule: the module definition for app.ts plus the CartApi orders calls.
import { fileURLToPath } from 'node:url';
import type { Db } from '../../platform/db/db.ts';
import type { ModuleDefinition } from '../../platform/module.ts';
import type { CatalogApi } from '../catalog/index.ts';
import type { PricingQuoteApi } from '../pricing/index.ts';
import { createCartGraphql } from './cart.graphql.ts';
import { registerCartRoutes } from './cart.http.ts';
import { createCartService } from './cart.service.ts';
import { toSnapshot } from './cart.view.ts';
import type { CartApi } from './contract.ts';

export interface CartModuleDeps {
  db: Db;
  catalog: Pick<CatalogApi, 'getVariantsForCart' | 'getProducts'>;
  pricing: PricingQuoteApi;
  /** Inventory's batch availability (soft check on add); null available = untracked. */
  availability: (variantIds: readonly string[]) => Promise<Map<string, { available: number | null }>>;
  defaultCurrency: string;
  /** Active carts untouched this long expire (default 30 days). */
  expireAfterMs?: number;
  expiryIntervalMs?: number;
}

export function createCartModule(deps: CartModuleDeps) {
  const service = createCartService(deps);
  const expireAfterMs = deps.expireAfterMs ?? 30 * 24 * 3600_000;
  const api: CartApi = {
    async getCheckoutSnapshot(ctx, cartId, cartToken) {
      return toSnapshot(await service.get(ctx, cartId, cartToken));
    },
    markCompleted: service.markCompleted,
  };
  const definition: ModuleDefinition = {
    name: 'cart',
    migrations: { module: 'cart', dir: fileURLToPath(new URL('./migrations/', import.meta.url)) },
    registerRoutes: (http) => registerCartRoutes(http, service, deps.db),
    graphql: createCartGraphql(service, deps.catalog),
    jobs: [
      {
        name: 'cart.expire_abandoned',
        intervalMs: deps.expiryIntervalMs ?? 3600_000,
        run: async () => {
          await service.expire(expireAfterMs);
        },
      },
    ],
  };
  return { definition, api, service };
}
export type CartModule = ReturnType<typeof createCartModule>;
