// Staff product list: every product whatever its status (draft, published, archived), newest first, by cursor
// (requirement REQ-CAT-031 in docs/requirements/catalog.md). The storefront list (/v1/products) shows published only.
import { sql } from 'kysely';
import { Type } from 'typebox';
import type { Db } from '../../platform/db/db.ts';
import { errors } from '../../platform/errors.ts';
import { access } from '../../platform/http/auth.ts';
import { problemResponse } from '../../platform/http/problem.ts';
import { List, Text } from '../../platform/http/schema-helpers.ts';
import type { App } from '../../platform/http/server.ts';
import { loadStaffProducts } from './catalog.repo.ts';
import { StaffProductSchema } from './catalog.schemas.ts';
import { CATALOG_ERRORS } from './contract.ts';

export const StaffListQuery = Type.Object(
  {
    status: Type.Optional(
      Type.Union([Type.Literal('draft'), Type.Literal('published'), Type.Literal('archived')], {
        description: 'Only products in this status (absent: all)',
      }),
    ),
    cursor: Type.Optional(
      Type.String({ minLength: 1, maxLength: 100, description: 'nextCursor of the previous page' }),
    ),
    limit: Type.Optional(Type.Integer({ format: 'int32', minimum: 1, maximum: 100, default: 20 })),
  },
  { additionalProperties: false },
);

export const StaffProductPageSchema = Type.Object({
  items: List(StaffProductSchema, 100),
  nextCursor: Type.Union([Text(100), Type.Null()]),
});

/** Ids of one page, newest first; undefined when `cursor` names no product. */
async function pageIds(
  db: Db,
  f: { status: string | null; cursor: string | null; limit: number },
): Promise<string[] | undefined> {
  if (f.cursor !== null) {
    const known = await sql`select 1 from catalog.products where id = ${f.cursor}`.execute(db.k);
    if (!known.rows.length) return undefined;
  }
  const r = await sql<{ id: string }>`select p.id from catalog.products p
    where (${f.status}::text is null or p.status = ${f.status})
      and (${f.cursor}::text is null or (p.created_at, p.id) <
        (select c.created_at, c.id from catalog.products c where c.id = ${f.cursor}))
    order by p.created_at desc, p.id desc limit ${f.limit}`.execute(db.k);
  return r.rows.map((row) => row.id);
}

export function registerStaffListRoutes(http: App, db: Db): void {
  http.get(
    '/v1/admin/products',
    {
      config: { access: access.permission('catalog:read') },
      schema: {
        tags: ['catalog'],
        summary: 'Staff list of products in any status (draft, published, archived), newest first',
        description: 'A cursor that names no product is a 400 catalog.invalid_cursor.',
        querystring: StaffListQuery,
        response: {
          200: StaffProductPageSchema,
          400: problemResponse('catalog.invalid_cursor or request.validation_failed'),
          401: problemResponse('Not authenticated'),
          403: problemResponse('Missing permission'),
        },
      },
    },
    async (req, reply) => {
      const limit = req.query.limit ?? 20;
      const cursor = req.query.cursor ?? null;
      const ids = await pageIds(db, { status: req.query.status ?? null, cursor, limit: limit + 1 });
      if (!ids) throw errors.badRequest(CATALOG_ERRORS.invalidCursor, `${cursor} names no product.`);
      const items = await loadStaffProducts(db.k, ids.slice(0, limit));
      const last = items.at(-1);
      reply.header('cache-control', 'no-store');
      return { items, nextCursor: ids.length > limit && last ? last.id : null };
    },
  );
}
