// The storefront list's query, its rows, its sort orders and its keyset cursors (catalog.reads.ts runs them).
import { type RawBuilder, sql } from 'kysely';
import { AppError, errors } from '../../platform/errors.ts';
import type { ViewDoc } from './catalog.product-shape.ts';
import { CATALOG_ERRORS, type Product } from './contract.ts';

export type ProductSort = 'newest' | 'name' | 'price-asc' | 'price-desc';

export interface ListQuery {
  category?: string | undefined;
  brand?: string | undefined;
  minPrice?: string | undefined;
  maxPrice?: string | undefined;
  inStock?: boolean | undefined;
  sort?: ProductSort | undefined;
  page?: number | undefined;
  limit?: number | undefined;
  cursor?: string | undefined;
  currency?: string | undefined;
}

export interface ProductPage {
  items: Product[];
  page?: number;
  limit: number;
  total?: number;
  totalExact?: boolean;
  nextCursor?: string;
}

export interface Row {
  doc: ViewDoc;
  product_id: string;
  sort_key: string | number | Date;
  total?: number;
}

/** A page row read for its ready JSON: the document only when the row has no body (catalog.bodies.ts). */
export interface BodyRow extends Omit<Row, 'doc'> {
  body: string | null;
  /** Comma-separated, in body order. */
  variant_ids: string | null;
  doc: ViewDoc | null;
}

export interface Cursor {
  s: ProductSort;
  k: string | number;
  id: string;
}

export function badFilter(field: string, message: string): AppError {
  return new AppError(400, CATALOG_ERRORS.invalidFilter, 'Bad request', {
    detail: `${field}: ${message}`,
    errors: [{ field: `querystring/${field}`, message }],
  });
}

export function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify(c)).toString('base64url');
}

export function decodeCursor(text: string, sort: ProductSort): Cursor {
  try {
    const c = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as Cursor;
    if (c.s === sort && typeof c.id === 'string' && (typeof c.k === 'string' || typeof c.k === 'number')) return c;
  } catch {}
  throw errors.badRequest(CATALOG_ERRORS.invalidCursor, 'The cursor is invalid or belongs to another sort order.');
}

export const SORTS: Record<ProductSort, { key: RawBuilder<unknown>; dir: 'asc' | 'desc' }> = {
  newest: { key: sql`v.created_at`, dir: 'desc' },
  name: { key: sql`v.name`, dir: 'asc' },
  'price-asc': { key: sql`p.min_amount`, dir: 'asc' },
  'price-desc': { key: sql`p.min_amount`, dir: 'desc' },
};

/** A list query's page, checked (catalog.reads.ts pageArgs). */
export interface PageArgs {
  currency: string;
  sort: ProductSort;
  after: Cursor | undefined;
  page: number;
  limit: number;
}

/** The rows one page statement reads: `limit` rows after `offset` or the keyset `after`, with the total or not. */
export interface PageWindow {
  sort: ProductSort;
  after: Cursor | undefined;
  limit: number;
  offset: number;
  withTotal: boolean;
}
