// createPricingModule: the module definition for app.ts plus the APIs the cart and orders call.
import { fileURLToPath } from 'node:url';
import type { Db } from '../../platform/db/db.ts';
import type { ModuleDefinition } from '../../platform/module.ts';
import { createPricingAdmin } from './admin.service.ts';
import type { PricingApi, PricingQuoteApi } from './contract.ts';
import { registerPricingRoutes } from './pricing.http.ts';
import { createPricingService } from './pricing.service.ts';
import { createRedemptionService } from './redemptions.service.ts';
import { createReferenceData } from './reference-cache.ts';

export interface PricingModuleDeps {
  db: Db;
  /** How long quotes may reuse tax rates, automatic promotions and shipping methods read by this process. */
  referenceCacheMs?: number;
}

export function createPricingModule(deps: PricingModuleDeps) {
  const refs = createReferenceData(deps.db, deps.referenceCacheMs ?? 1000);
  const quotes: PricingQuoteApi = createPricingService(deps.db, refs);
  const api: PricingApi = createRedemptionService(deps.db);
  const admin = createPricingAdmin(deps.db, refs.clear);
  const definition: ModuleDefinition = {
    name: 'pricing',
    migrations: { module: 'pricing', dir: fileURLToPath(new URL('./migrations/', import.meta.url)) },
    registerRoutes: (http) => registerPricingRoutes(http, admin),
  };
  return { definition, api, quotes, admin };
}
export type PricingModule = ReturnType<typeof createPricingModule>;
