// createPricingModule: the module definition for app.ts plus the APIs the cart and orders call.
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { Db } from '../../platform/db/db.ts';
import type { ModuleDefinition } from '../../platform/module.ts';
import { createPii } from '../../platform/privacy/pii.ts';
import type { Privacy } from '../../platform/privacy/privacy.ts';
import { createPricingAdmin } from './admin.service.ts';
import type { PricingApi, PricingQuoteApi } from './contract.ts';
import { legacyEmailKeysPart } from './person-keys.ts';
import { registerPricingRoutes } from './pricing.http.ts';
import { createPricingService } from './pricing.service.ts';
import { createRedemptionService } from './redemptions.service.ts';
import { createReferenceData } from './reference-cache.ts';

export interface PricingModuleDeps {
  db: Db;
  /** How long quotes may reuse tax rates, automatic promotions and shipping methods read by this process. */
  referenceCacheMs?: number;
  /**
   * The blind index of per-person coupon counters, and the registry for their key rotation part (app.ts passes the
   * kernel's). Without it (tests of pricing alone) counters are keyed under a key of this process only.
   */
  privacy?: Pick<Privacy, 'pii' | 'register'>;
}

export function createPricingModule(deps: PricingModuleDeps) {
  const refs = createReferenceData(deps.db, deps.referenceCacheMs ?? 1000);
  const quotes: PricingQuoteApi = createPricingService(deps.db, refs);
  const pii = deps.privacy?.pii ?? createPii({ activeId: 'local', keys: new Map([['local', randomBytes(32)]]) });
  const api: PricingApi = createRedemptionService(deps.db, pii);
  deps.privacy?.register({ name: 'pricing', rotation: [legacyEmailKeysPart(deps.db, pii)] });
  const admin = createPricingAdmin(deps.db, refs.clear);
  const definition: ModuleDefinition = {
    name: 'pricing',
    migrations: { module: 'pricing', dir: fileURLToPath(new URL('./migrations/', import.meta.url)) },
    registerRoutes: (http) => registerPricingRoutes(http, admin),
  };
  return { definition, api, quotes, admin };
}
export type PricingModule = ReturnType<typeof createPricingModule>;
