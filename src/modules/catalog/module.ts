// Builds the catalog module: service, reads, routes and the public API other modules call.
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import type { Cache } from '../../platform/cache/cache.ts';
import type { Db } from '../../platform/db/db.ts';
import type { ReadDb } from '../../platform/db/replica.ts';
import type { ModuleDefinition } from '../../platform/module.ts';
import type { Logger } from '../../platform/observability/logger.ts';
import { fillMissingBodies } from './catalog.bodies-fill.ts';
import type { GeneratorOptions } from './catalog.demo-data.ts';
import { createCatalogGraphql } from './catalog.graphql.ts';
import { registerCatalogRoutes } from './catalog.http.ts';
import { registerImportRoutes } from './catalog.import.http.ts';
import { createImporter } from './catalog.import.ts';
import type { ViewDoc } from './catalog.product-shape.ts';
import { createCatalogReads } from './catalog.reads.ts';
import { catalogTables } from './catalog.repo.ts';
import { seedCatalog } from './catalog.seed.ts';
import { createCatalogService } from './catalog.service.ts';
import { registerStaffListRoutes } from './catalog.staff-list.http.ts';
import { toSearchSource } from './catalog.views.ts';
import type { AvailabilityPort, CatalogApi } from './contract.ts';

export interface CatalogModuleDeps {
  db: Db;
  /** Where storefront list and detail statements run (kernel.readDb; default `db`). Writes and staff reads: `db`. */
  readDb?: ReadDb;
  cache: Cache;
  logger: Logger;
  defaultCurrency: string;
  /** The storefront list counts matching products exactly up to this many (default 1,000; catalog.reads.ts). */
  exactTotalMax?: number;
  /** Inventory's batch availability contract (wired in app.ts; a documented fake in tests). */
  availability: AvailabilityPort;
  /** Rows per import transaction (default 500). */
  importBatchSize?: number;
}

export function createCatalogModule(deps: CatalogModuleDeps) {
  const reads = createCatalogReads(deps);
  // Other modules learn of changes from catalog's outbox events; here only the storefront read cache is dropped.
  const afterCommit = async (_productIds: string[]): Promise<void> => {
    await reads.invalidate();
  };
  const service = createCatalogService({ db: deps.db, afterCommit });

  const importer = createImporter(deps.db, afterCommit, deps.importBatchSize);
  let bodiesDone = false;

  const api: CatalogApi = {
    getProducts: (_ctx, ids, currency) => reads.getProducts(ids, currency),
    async searchSources(productIds) {
      if (!productIds.length) return [];
      const res = await sql<{ doc: ViewDoc }>`
        select doc from catalog.product_views where product_id = any(${productIds}::text[])`.execute(deps.db.k);
      return res.rows.map((r) => toSearchSource(r.doc));
    },
    async getVariantsForCart(variantIds, currency) {
      if (!variantIds.length) return [];
      const res = await sql<{
        id: string;
        product_id: string;
        sku: string;
        name: string;
        status: string;
        weight_grams: number | null;
        amount: number | null;
        category_ids: string[];
        tax_category: string;
      }>`
        select v.id, v.product_id, v.sku, p.name, p.status, v.weight_grams, pr.amount, p.tax_category,
          coalesce((select array_agg(pc.category_id order by pc.category_id) from catalog.product_categories pc
            where pc.product_id = p.id), '{}') category_ids
        from catalog.variants v join catalog.products p on p.id = v.product_id
        left join catalog.prices pr on pr.variant_id = v.id and pr.currency = ${currency}
        where v.id = any(${variantIds}::text[])`.execute(deps.db.k);
      return res.rows.map((r) => ({
        variantId: r.id,
        productId: r.product_id,
        sku: r.sku,
        name: r.name,
        price: r.amount === null ? null : { amount: r.amount, currency },
        published: r.status === 'published',
        weightGrams: r.weight_grams ?? 0,
        categoryIds: r.category_ids,
        taxCategory: r.tax_category,
      }));
    },
    async knownVariantIds(variantIds) {
      if (!variantIds.length) return new Set();
      const res = await sql<{ id: string }>`select id from catalog.variants
        where id = any(${[...variantIds]}::text[])`.execute(deps.db.k);
      return new Set(res.rows.map((r) => r.id));
    },
    async productIdsAfter(afterId, limit) {
      const res = await sql<{ product_id: string }>`
        select product_id from catalog.product_views where product_id > ${afterId ?? ''}
        order by product_id limit ${limit}`.execute(deps.db.k);
      return res.rows.map((r) => r.product_id);
    },
    invalidateCache: () => reads.invalidate(),
  };

  const definition: ModuleDefinition = {
    name: 'catalog',
    migrations: { module: 'catalog', dir: fileURLToPath(new URL('./migrations/', import.meta.url)) },
    registerRoutes: (http) => {
      registerCatalogRoutes(http, service, reads);
      registerImportRoutes(http, importer);
      registerStaffListRoutes(http, deps.db);
    },
    graphql: createCatalogGraphql(reads),
    jobs: [
      {
        // Rows from before ready JSON existed get theirs (catalog.bodies-fill.ts); once none is left, a process
        // stops looking (every write since the migration stores its bodies).
        name: 'catalog.fill_bodies',
        intervalMs: 10_000,
        run: async () => {
          if (bodiesDone) return;
          const { filled, done } = await fillMissingBodies(deps.db);
          if (filled) deps.logger.info({ filled, done }, 'ready storefront JSON filled in');
          bodiesDone = done;
        },
      },
    ],
  };
  /** Seeds a generated catalog when there are no products yet (embedded demo, benchmarks). */
  const seed = (options: GeneratorOptions) => seedCatalog(deps.db, options);
  /** Every variant id (demo stock seeding). */
  const variantIds = async (): Promise<string[]> =>
    (await catalogTables(deps.db.k).selectFrom('catalog.variants').select('id').orderBy('id').execute()).map(
      (r: { id: string }) => r.id,
    );
  return { definition, api, service, reads, seed, importer, variantIds };
}

export type CatalogModule = ReturnType<typeof createCatalogModule>;
