// createCartModule: the module definition for app.ts plus the CartApi orders calls.
import { fileURLToPath } from 'node:url';
import type { Db } from '../../platform/db/db.ts';
import type { ModuleDefinition } from '../../platform/module.ts';
import type { Privacy } from '../../platform/privacy/privacy.ts';
import type { CatalogApi } from '../catalog/index.ts';
import type { PricingQuoteApi } from '../pricing/index.ts';
import { createCartGraphql } from './cart.graphql.ts';
import { registerCartRoutes } from './cart.http.ts';
import { createCartContributor } from './cart.privacy.ts';
import { deleteAbandonedGuestCarts } from './cart.retention.ts';
import { createCartService } from './cart.service.ts';
import { toSnapshot } from './cart.view.ts';
import type { CartApi } from './contract.ts';

export interface CartModuleDeps {
  db: Db;
  catalog: Pick<CatalogApi, 'getVariantsForCart' | 'getProducts'>;
  pricing: PricingQuoteApi;
  /** Inventory's batch availability (soft check on add and on raising a line); null available = untracked. */
  availability: (variantIds: readonly string[]) => Promise<Map<string, { available: number | null }>>;
  defaultCurrency: string;
  /** Seals personal data; the cart registers its export, erasure and key rotation parts here. */
  privacy: Privacy;
  /** Guest carts untouched this many days are deleted (config.retention.guestCartDays; default 30). */
  guestCartRetentionDays?: number;
  /** Active carts untouched this long expire (default 30 days). */
  expireAfterMs?: number;
  expiryIntervalMs?: number;
}

export function createCartModule(deps: CartModuleDeps) {
  const service = createCartService(deps);
  const expireAfterMs = deps.expireAfterMs ?? 30 * 24 * 3600_000;
  const retentionDays = deps.guestCartRetentionDays ?? 30;
  deps.privacy.register(createCartContributor({ db: deps.db, privacy: deps.privacy, pii: service.pii }));
  const api: CartApi = {
    async getCheckoutSnapshot(ctx, cartId, cartToken) {
      return toSnapshot(await service.get(ctx, cartId, cartToken));
    },
    async holdForCheckout(ctx, cartId, cartToken, holder, forMs) {
      const r = await service.holdForCheckout(ctx, cartId, cartToken, holder, forMs);
      const { held, blocked, holder: by, holderLeftMs } = r;
      return { snapshot: toSnapshot(r.view), held, blocked, holder: by, holderLeftMs };
    },
    releaseCheckout: service.releaseCheckout,
    renewCheckout: service.renewCheckout,
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
      {
        name: 'cart.delete_abandoned_guest_carts',
        intervalMs: deps.expiryIntervalMs ?? 3600_000,
        run: async () => {
          await deleteAbandonedGuestCarts(deps.db, deps.privacy, retentionDays);
        },
      },
    ],
  };
  return { definition, api, service };
}
export type CartModule = ReturnType<typeof createCartModule>;
