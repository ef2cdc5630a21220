// Staff reads of the stock ledger (a variant's movements) and of low stock (shapes in /openapi.json, requirements
// REQ-INV-021 and REQ-INV-022 in docs/requirements/inventory.md).
import type { Db } from '../../platform/db/db.ts';
import { errors } from '../../platform/errors.ts';
import { access } from '../../platform/http/auth.ts';
import { idCursor } from '../../platform/http/cursor.ts';
import { problemResponse } from '../../platform/http/problem.ts';
import type { App } from '../../platform/http/server.ts';
import { INVENTORY_ERRORS } from './contract.ts';
import { listLowStock, listMovements, movementOfVariant } from './history.repo.ts';
import {
  LowStockPageSchema,
  LowStockQuery,
  MovementPageSchema,
  MovementQuery,
  VariantParams,
} from './inventory.schemas.ts';

const tags = ['inventory'];
const auth = { 401: problemResponse('Not authenticated'), 403: problemResponse('Missing permission') };
const read = { access: access.permission('inventory:read') };

/** One page of `limit` from `limit + 1` rows; the cursor is the last item's key when more follow. */
function page<T>(rows: T[], limit: number, key: (row: T) => string) {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > limit && last ? key(last) : null };
}

export function registerHistoryRoutes(http: App, db: Db): void {
  http.get(
    '/v1/admin/inventory/low-stock',
    {
      config: read,
      schema: {
        tags,
        summary: 'Variants at or below their low-stock threshold',
        description:
          'A variant is low when its availability over active warehouses (on hand − reserved, plus any backorder ' +
          'allowance) is at or below the lowStockThreshold of its policy (PUT /v1/admin/inventory/{variantId}/policy). ' +
          'Untracked variants and variants without a threshold are never listed. Ordered by variant id.',
        querystring: LowStockQuery,
        response: {
          200: LowStockPageSchema,
          ...auth,
          400: problemResponse('inventory.invalid_cursor or request.validation_failed'),
        },
      },
    },
    async (req) => {
      const limit = req.query.limit ?? 50;
      const cursor = idCursor(req.query.cursor, 'var', INVENTORY_ERRORS.invalidCursor) ?? null;
      const rows = await listLowStock(db.k, { cursor, limit: limit + 1 });
      return page(rows, limit, (r) => r.variantId);
    },
  );

  http.get(
    '/v1/admin/inventory/:variantId/movements',
    {
      config: read,
      schema: {
        tags,
        summary: "A variant's stock movements (the ledger), newest first",
        description:
          'Every receipt, adjustment, count, damage and sale (commit) of the variant, optionally in one warehouse. ' +
          'A cursor that is not a movement of this variant is a 400 inventory.invalid_cursor.',
        params: VariantParams,
        querystring: MovementQuery,
        response: { 200: MovementPageSchema, ...auth, 400: problemResponse('inventory.invalid_cursor') },
      },
    },
    async (req) => {
      const { variantId } = req.params;
      const cursor = req.query.cursor ?? null;
      if (cursor !== null && !(await movementOfVariant(db.k, variantId, cursor))) {
        throw errors.badRequest(INVENTORY_ERRORS.invalidCursor, `${cursor} is not a movement of ${variantId}.`);
      }
      const limit = req.query.limit ?? 50;
      const rows = await listMovements(db.k, {
        variantId,
        warehouseId: req.query.warehouseId ?? null,
        cursor,
        limit: limit + 1,
      });
      return page(rows, limit, (r) => r.id);
    },
  );
}
