// Staff inventory API (shapes in /openapi.json, requirements in docs/requirements/inventory.md): warehouses, levels per variant, adjustments, policies.
import { errors } from '../../platform/errors.ts';
import { access } from '../../platform/http/auth.ts';
import { problemResponse } from '../../platform/http/problem.ts';
import type { App } from '../../platform/http/server.ts';
import { INVENTORY_ERRORS } from './contract.ts';
import {
  AdjustedLevelSchema,
  AdjustmentBody,
  CreateWarehouseBody,
  PolicyBody,
  PolicySchema,
  VariantLevelsSchema,
  VariantParams,
  WarehouseListSchema,
  WarehouseSchema,
} from './inventory.schemas.ts';
import type { StockService } from './stock.service.ts';

const tags = ['inventory'];
const auth = { 401: problemResponse('Not authenticated'), 403: problemResponse('Missing permission') };
const unknownVariant = problemResponse('inventory.variant_not_found (the catalog has no such variant)');

/** Which variant ids the catalog knows (app.ts wires the catalog's API); absent: every id is taken as known. */
export type KnownVariants = (variantIds: readonly string[]) => Promise<ReadonlySet<string>>;

export function registerInventoryRoutes(http: App, stock: StockService, knownVariants?: KnownVariants): void {
  /** 404 before anything is read or written for a variant the catalog does not have. */
  const requireVariant = async (variantId: string): Promise<void> => {
    if (!knownVariants || (await knownVariants([variantId])).has(variantId)) return;
    throw errors.notFound(INVENTORY_ERRORS.variantNotFound, `No variant ${variantId} in the catalog.`);
  };

  http.get(
    '/v1/admin/warehouses',
    {
      config: { access: access.permission('inventory:read') },
      schema: { tags, summary: 'List warehouses', response: { 200: WarehouseListSchema, ...auth } },
    },
    async () => ({ items: await stock.listWarehouses() }),
  );

  http.post(
    '/v1/admin/warehouses',
    {
      config: { access: access.permission('inventory:write') },
      schema: {
        tags,
        summary: 'Create a warehouse',
        body: CreateWarehouseBody,
        response: { 201: WarehouseSchema, ...auth },
      },
    },
    async (req, reply) => reply.code(201).send(await stock.createWarehouse(req.ctx, req.body)),
  );

  http.get(
    '/v1/admin/inventory/:variantId',
    {
      config: { access: access.permission('inventory:read') },
      schema: {
        tags,
        summary: 'Stock levels of a variant in every warehouse',
        params: VariantParams,
        response: { 200: VariantLevelsSchema, ...auth, 404: unknownVariant },
      },
    },
    async (req) => {
      await requireVariant(req.params.variantId);
      const { variantId, levels } = await stock.getLevels(req.params.variantId);
      return {
        variantId,
        levels: levels.map((l) => ({
          warehouseId: l.warehouseId,
          onHand: l.onHand,
          reserved: l.reserved,
          available: l.available,
        })),
      };
    },
  );

  http.post(
    '/v1/admin/inventory/adjustments',
    {
      config: { access: access.permission('inventory:write') },
      schema: {
        tags,
        summary: 'Record a stock movement (adjustment, receipt, damage or count)',
        description:
          'Appends a row to the stock ledger and applies it to the level. With an Idempotency-Key header a retry ' +
          'returns the current level without a second movement; the same key with another body is a 409.',
        body: AdjustmentBody,
        response: {
          201: AdjustedLevelSchema,
          ...auth,
          404: problemResponse('inventory.warehouse_not_found or inventory.variant_not_found'),
          409: problemResponse(
            'inventory.stock_below_reserved, inventory.quantity_out_of_range (the variant would pass 2,000,000,000 on hand) or inventory.key_conflict',
          ),
          422: problemResponse('inventory.invalid_quantity'),
        },
      },
    },
    async (req, reply) => {
      const b = req.body;
      await requireVariant(b.variantId);
      const level = await stock.recordMovement(req.ctx, {
        variantId: b.variantId,
        warehouseId: b.warehouseId,
        kind: b.kind ?? 'adjust',
        quantity: b.quantity,
        reason: b.reason,
      });
      return reply.code(201).send(level);
    },
  );

  http.put(
    '/v1/admin/inventory/:variantId/policy',
    {
      config: { access: access.permission('inventory:write') },
      schema: {
        tags,
        summary: 'Set how a variant is stocked: tracked, untracked or backorder (with a limit per warehouse)',
        params: VariantParams,
        body: PolicyBody,
        response: { 200: PolicySchema, ...auth, 404: unknownVariant },
      },
    },
    async (req) => {
      await requireVariant(req.params.variantId);
      return stock.setPolicy(req.ctx, {
        variantId: req.params.variantId,
        mode: req.body.mode,
        backorderLimit: req.body.backorderLimit ?? 0,
        lowStockThreshold: req.body.lowStockThreshold ?? null,
      });
    },
  );
}
