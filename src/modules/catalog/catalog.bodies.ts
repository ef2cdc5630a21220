// Ready storefront JSON per product and currency. A cold list page used to read 20 JSONB documents, parse them
// into objects, build the storefront shape and serialise 30-64 KB again; now each page row carries its product's
// answer as text, and the server only splices in the stock figures it reads from inventory.
//
// The body is JSON.stringify(toProduct(doc, currency, no availability)) cut before every variant's
// `"available":0,"inStock":false`: the pieces are joined by \x01, which JSON.stringify never writes unescaped.
// Splicing `"available":N,"inStock":B` back between the pieces gives the exact text JSON.stringify(toProduct(...))
// gives with that availability (test/catalog/bodies.test.ts compares them byte for byte).

import type { ViewDoc } from './catalog.product-shape.ts';
import { type AvailabilityMap, toProduct } from './catalog.product-shape.ts';

const PLACEHOLDER = '"available":0,"inStock":false';
const SEPARATOR = '\x01';

export interface Body {
  /** The product's variant ids in body order. */
  variantIds: string[];
  body: string;
}

/**
 * Pure: `value` with every object's keys in the order PostgreSQL's jsonb keeps them (shorter keys first, then
 * bytewise). The document path reads the document back from jsonb, so objects it passes through (categories,
 * attributes, seo) come out in that order; the body is rendered the same way, so both send the same bytes.
 */
export function inJsonbKeyOrder<T>(value: T): T {
  if (Array.isArray(value)) return value.map(inJsonbKeyOrder) as T;
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value).map(([k, v]) => [Buffer.from(k), k, inJsonbKeyOrder(v)] as const);
  entries.sort(([a], [b]) => a.length - b.length || Buffer.compare(a, b));
  return Object.fromEntries(entries.map(([, k, v]) => [k, v])) as T;
}

/** Pure: the stored body of a document in one currency, or null when its text cannot be cut unambiguously. */
export function renderBody(doc: ViewDoc, currency: string): Body | null {
  const json = JSON.stringify(toProduct(inJsonbKeyOrder(doc), currency, new Map()));
  const pieces = json.split(PLACEHOLDER);
  // Unreachable with today's attribute rules (lower-case keys, string values), which no text can match unescaped;
  // kept so that a wider attribute type later serves such a product from its document instead of a wrong body.
  if (pieces.length !== doc.variants.length + 1) return null;
  return { variantIds: doc.variants.map((v) => v.id), body: pieces.join(SEPARATOR) };
}

/** Pure: the product's JSON with the stock figures of `availability` (a variant missing from it shows 0, out). */
export function spliceBody(body: Body, availability: AvailabilityMap): string {
  const pieces = body.body.split(SEPARATOR);
  let out = pieces[0] ?? '';
  for (let i = 0; i < body.variantIds.length; i++) {
    const a = availability.get(body.variantIds[i] ?? '');
    out += `"available":${a ? a.available : 0},"inStock":${a ? a.inStock : false}${pieces[i + 1] ?? ''}`;
  }
  return out;
}

/** Pure: a stored row's product JSON: from its body when it has one, else from its document. */
export function productJson(
  row: { body: string | null; doc: ViewDoc | null },
  variantIds: string[],
  currency: string,
  availability: AvailabilityMap,
): string {
  if (row.body !== null) return spliceBody({ body: row.body, variantIds }, availability);
  if (!row.doc) throw new Error('a storefront row has neither a body nor a document');
  return JSON.stringify(toProduct(row.doc, currency, availability));
}

/** The variant ids of a stored row, in its body's order (from its document when it has no body). */
export function rowVariantIds(row: { variant_ids: string | null; doc: ViewDoc | null }): string[] {
  if (row.variant_ids !== null) return row.variant_ids ? row.variant_ids.split(',') : [];
  return row.doc?.variants.map((v) => v.id) ?? [];
}
