// Staff writes. Each change is one short transaction on the catalog schema: the optimistic
// version gate on the product row first (fixed lock order: product, then its variants), the change,
// the read-model rewrite and the outbox events — all committed together.
import type { Ctx } from '../../platform/context.ts';
import { type Db, isUniqueViolation, type Tx } from '../../platform/db/db.ts';
import { AppError, errors } from '../../platform/errors.ts';
import type { NewEvent } from '../../platform/events/envelope.ts';
import { appendEvents } from '../../platform/events/outbox.ts';
import { newId } from '../../platform/ids.ts';
import * as repo from './catalog.repo.ts';
import { rebuildViews } from './catalog.views.ts';
import {
  CATALOG_ERRORS,
  type Category,
  type PriceInput,
  type ProductInput,
  type ProductPatch,
  type StaffProduct,
  type VariantInput,
} from './contract.ts';
import { CATALOG_EVENTS } from './events.ts';

export interface CatalogServiceDeps {
  db: Db;
  /** Runs after each commit with the product ids changed (cache invalidation, search feed). */
  afterCommit: (productIds: string[]) => Promise<void>;
}

export type VariantPatch = Partial<VariantInput>;

function mapUnique(e: unknown): never {
  if (isUniqueViolation(e, 'variants_sku_key')) {
    throw errors.conflict(CATALOG_ERRORS.duplicateSku, 'A variant with this SKU already exists.', { field: 'sku' });
  }
  if (isUniqueViolation(e, 'products_slug_key')) {
    throw errors.conflict(CATALOG_ERRORS.duplicateSlug, 'A product with this slug already exists.', { field: 'slug' });
  }
  if (isUniqueViolation(e, 'categories_slug_key')) {
    throw errors.conflict(CATALOG_ERRORS.duplicateSlug, 'A category with this slug already exists.', { field: 'slug' });
  }
  throw e;
}

function checkPrices(prices: PriceInput[] | undefined, field: string): void {
  if (!prices) return;
  const seen = new Set<string>();
  for (const p of prices) {
    if (seen.has(p.currency)) {
      throw new AppError(400, CATALOG_ERRORS.invalidPrice, 'Bad request', {
        detail: `Currency ${p.currency} appears twice.`,
        errors: [{ field, message: `duplicate currency ${p.currency}` }],
      });
    }
    seen.add(p.currency);
  }
}

function productSet(p: ProductPatch): repo.ProductSet {
  const set: repo.ProductSet = {};
  if (p.slug !== undefined) set.slug = p.slug;
  if (p.name !== undefined) set.name = p.name;
  if (p.description !== undefined) set.description = p.description;
  if (p.brand !== undefined) set.brand = p.brand;
  if (p.status !== undefined) set.status = p.status;
  if (p.images !== undefined) set.images = JSON.stringify(p.images);
  if (p.seoTitle !== undefined) set.seo_title = p.seoTitle;
  if (p.seoDescription !== undefined) set.seo_description = p.seoDescription;
  if (p.metadata !== undefined) set.metadata = JSON.stringify(p.metadata);
  if (p.taxCategory !== undefined) set.tax_category = p.taxCategory;
  return set;
}

function variantSet(v: VariantPatch): repo.VariantSet {
  const set: repo.VariantSet = {};
  if (v.sku !== undefined) set.sku = v.sku;
  if (v.attributes !== undefined) set.attributes = JSON.stringify(v.attributes);
  if (v.barcode !== undefined) set.barcode = v.barcode;
  if (v.weightGrams !== undefined) set.weight_grams = v.weightGrams;
  if (v.dimensions !== undefined) set.dimensions = v.dimensions ? JSON.stringify(v.dimensions) : null;
  if (v.cost !== undefined) set.cost = v.cost;
  return set;
}

export function createCatalogService(deps: CatalogServiceDeps) {
  const { db } = deps;

  async function requireCategories(tx: Tx, ids: string[] | undefined): Promise<void> {
    const missing = await repo.missingCategories(tx, ids ?? []);
    if (missing.length) {
      throw errors.unprocessable(
        CATALOG_ERRORS.categoryNotFound,
        `Unknown category: ${missing.join(', ')}.`,
        missing.map(() => ({ field: 'body/categoryIds', message: 'unknown category' })),
      );
    }
  }

  /** The write skeleton: version gate, change, read model, events, then after-commit work. */
  async function mutate(
    ctx: Ctx,
    productId: string,
    expectedVersion: number | undefined,
    set: repo.ProductSet,
    change: (tx: Tx) => Promise<NewEvent[]>,
  ): Promise<StaffProduct> {
    let product: StaffProduct | undefined;
    try {
      product = await db.transaction(async (tx) => {
        const version = await repo.bumpProduct(tx, productId, expectedVersion, set);
        if (version === undefined) {
          if (await repo.productExists(tx, productId)) {
            throw errors.preconditionFailed(
              CATALOG_ERRORS.staleWrite,
              'The product changed since you read it; fetch it again and retry with the new ETag.',
            );
          }
          throw errors.notFound(CATALOG_ERRORS.productNotFound, `No product ${productId}.`);
        }
        const events = await change(tx);
        await rebuildViews(tx, [productId]);
        await appendEvents(tx, ctx, events);
        return (await repo.loadStaffProducts(tx, [productId]))[0];
      });
    } catch (e) {
      mapUnique(e);
    }
    if (!product) throw errors.notFound(CATALOG_ERRORS.productNotFound, `No product ${productId}.`);
    await deps.afterCommit([productId]);
    return product;
  }

  return {
    async createProduct(ctx: Ctx, input: ProductInput): Promise<StaffProduct> {
      const id = newId('prod');
      (input.variants ?? []).forEach((v, i) => {
        checkPrices(v.prices, `body/variants/${i}/prices`);
      });
      let product: StaffProduct | undefined;
      try {
        product = await db.transaction(async (tx) => {
          await requireCategories(tx, input.categoryIds);
          await repo.insertProducts(tx, [
            {
              id,
              slug: input.slug,
              name: input.name,
              description: input.description ?? '',
              brand: input.brand ?? null,
              status: input.status ?? 'draft',
              images: input.images ?? [],
              seoTitle: input.seoTitle ?? null,
              seoDescription: input.seoDescription ?? null,
              metadata: input.metadata ?? {},
              taxCategory: input.taxCategory,
            },
          ]);
          await repo.setProductCategories(tx, id, input.categoryIds ?? []);
          const variants = (input.variants ?? []).map((v, position) => ({
            id: newId('var'),
            productId: id,
            position,
            input: v,
          }));
          await repo.insertVariants(tx, variants);
          await rebuildViews(tx, [id]);
          await appendEvents(tx, ctx, [
            {
              type: CATALOG_EVENTS.productCreated,
              aggregateId: id,
              payload: { productId: id, slug: input.slug, variantIds: variants.map((v) => v.id) },
            },
          ]);
          return (await repo.loadStaffProducts(tx, [id]))[0];
        });
      } catch (e) {
        mapUnique(e);
      }
      if (!product) throw new Error('created product not found');
      await deps.afterCommit([id]);
      return product;
    },

    updateProduct(ctx: Ctx, id: string, patch: ProductPatch, expectedVersion?: number): Promise<StaffProduct> {
      const { categoryIds, ...rest } = patch;
      return mutate(ctx, id, expectedVersion, productSet(rest), async (tx) => {
        if (categoryIds !== undefined) {
          await requireCategories(tx, categoryIds);
          await repo.setProductCategories(tx, id, categoryIds);
        }
        const fields = Object.keys(patch).sort();
        return [{ type: CATALOG_EVENTS.productUpdated, aggregateId: id, payload: { productId: id, fields } }];
      });
    },

    archiveProduct(ctx: Ctx, id: string, expectedVersion?: number): Promise<StaffProduct> {
      return mutate(ctx, id, expectedVersion, { status: 'archived' }, async () => [
        { type: CATALOG_EVENTS.productArchived, aggregateId: id, payload: { productId: id } },
      ]);
    },

    addVariant(ctx: Ctx, productId: string, input: VariantInput, expectedVersion?: number): Promise<StaffProduct> {
      checkPrices(input.prices, 'body/prices');
      const variantId = newId('var');
      return mutate(ctx, productId, expectedVersion, {}, async (tx) => {
        const position = await repo.nextVariantPosition(tx, productId);
        await repo.insertVariants(tx, [{ id: variantId, productId, position, input }]);
        return [
          {
            type: CATALOG_EVENTS.variantCreated,
            aggregateId: productId,
            payload: { productId, variantId, sku: input.sku },
          },
        ];
      });
    },

    updateVariant(
      ctx: Ctx,
      productId: string,
      variantId: string,
      patch: VariantPatch,
      expectedVersion?: number,
    ): Promise<StaffProduct> {
      checkPrices(patch.prices, 'body/prices');
      return mutate(ctx, productId, expectedVersion, {}, async (tx) => {
        const found = await repo.updateVariant(tx, productId, variantId, variantSet(patch));
        if (!found) throw errors.notFound(CATALOG_ERRORS.variantNotFound, `No variant ${variantId} in ${productId}.`);
        if (patch.prices) await repo.replacePrices(tx, variantId, patch.prices);
        return [
          {
            type: CATALOG_EVENTS.variantUpdated,
            aggregateId: productId,
            payload: { productId, variantId, fields: Object.keys(patch).sort() },
          },
        ];
      });
    },

    deleteVariant(ctx: Ctx, productId: string, variantId: string, expectedVersion?: number): Promise<StaffProduct> {
      return mutate(ctx, productId, expectedVersion, {}, async (tx) => {
        if (!(await repo.deleteVariant(tx, productId, variantId))) {
          throw errors.notFound(CATALOG_ERRORS.variantNotFound, `No variant ${variantId} in ${productId}.`);
        }
        return [{ type: CATALOG_EVENTS.variantDeleted, aggregateId: productId, payload: { productId, variantId } }];
      });
    },

    async getStaffProduct(id: string): Promise<StaffProduct> {
      const [p] = await repo.loadStaffProducts(db.k, [id]);
      if (!p) throw errors.notFound(CATALOG_ERRORS.productNotFound, `No product ${id}.`);
      return p;
    },

    async createCategory(ctx: Ctx, input: { slug: string; name: string; parentId?: string | null }): Promise<Category> {
      const id = newId('cat');
      const category: Category = { id, slug: input.slug, name: input.name, parentId: input.parentId ?? null };
      try {
        await db.transaction(async (tx) => {
          let parentKeys: string[] = [];
          if (category.parentId) {
            const keys = (await repo.categoryPathKeys(tx, [category.parentId])).get(category.parentId);
            if (!keys) {
              throw errors.unprocessable(
                CATALOG_ERRORS.categoryNotFound,
                `Unknown parent category ${category.parentId}.`,
                [{ field: 'body/parentId', message: 'unknown category' }],
              );
            }
            parentKeys = keys;
          }
          await repo.insertCategory(tx, { ...category, pathKeys: [...parentKeys, id, input.slug] });
          await appendEvents(tx, ctx, [
            { type: CATALOG_EVENTS.categoryCreated, aggregateId: id, payload: { ...category } },
          ]);
        });
      } catch (e) {
        mapUnique(e);
      }
      await deps.afterCommit([]);
      return category;
    },

    listCategories: () => repo.listCategories(db.k),
  };
}

export type CatalogService = ReturnType<typeof createCatalogService>;
