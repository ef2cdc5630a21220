// Events the catalog appends to the outbox (payload: ids plus what consumers need).
import { Type } from 'typebox';
import type { PublicEventType } from '../../platform/events/public-events.ts';
import { Id } from '../../platform/http/schema-helpers.ts';

export const CATALOG_EVENTS = {
  productCreated: 'catalog.product.created',
  productUpdated: 'catalog.product.updated',
  productArchived: 'catalog.product.archived',
  variantCreated: 'catalog.variant.created',
  variantUpdated: 'catalog.variant.updated',
  variantDeleted: 'catalog.variant.deleted',
  categoryCreated: 'catalog.category.created',
} as const;

export type CatalogEventType = (typeof CATALOG_EVENTS)[keyof typeof CATALOG_EVENTS];

// The payload schemas (JSON Schema via TypeBox) of the public event types. Objects stay open
// (additionalProperties unset): a field added later is not a breaking change for a consumer.

/** An id the catalog issues: `<prefix>_` and 26 base32 characters. */
const CatalogId = (prefix: string) => Id({ pattern: `^${prefix}_[0-9a-z]{26}$` });
const ProductId = CatalogId('prod');
const VariantId = CatalogId('var');
const Slug = Type.String({ pattern: '^[a-z0-9]+(?:-[a-z0-9]+)*$', minLength: 1, maxLength: 200 });
const FromImport = Type.Literal('import', { description: 'The change came from a bulk import (CSV or NDJSON)' });
/** The names of the fields a change set: a change from the staff API names them, a bulk import does not. */
const ChangedFields = Type.Array(Type.String({ minLength: 1, maxLength: 100 }), {
  maxItems: 100,
  description: 'The fields the change set (sorted), as named in the staff API request',
});

const ProductCreated = Type.Union([
  Type.Object(
    {
      productId: ProductId,
      slug: Slug,
      variantIds: Type.Array(VariantId, { maxItems: 500, description: 'In the order of the request' }),
    },
    { description: 'Created through the staff API' },
  ),
  Type.Object({ productId: ProductId, source: FromImport }, { description: 'Created by a bulk import' }),
]);

const ProductUpdated = Type.Union([
  Type.Object({ productId: ProductId, fields: ChangedFields }, { description: 'Changed through the staff API' }),
  Type.Object({ productId: ProductId, source: FromImport }, { description: 'Changed by a bulk import' }),
]);

export const CATALOG_PUBLIC_EVENTS: readonly PublicEventType[] = [
  {
    type: CATALOG_EVENTS.productCreated,
    description: 'A product was created, through the staff API with its first variants or by a bulk import.',
    payload: ProductCreated,
  },
  {
    type: CATALOG_EVENTS.productUpdated,
    description:
      "A product's fields, categories, variants or prices changed through a bulk import, or its fields through the staff API.",
    payload: ProductUpdated,
  },
  {
    type: CATALOG_EVENTS.productArchived,
    description: 'A product was archived: it no longer shows in the storefront.',
    payload: Type.Object({ productId: ProductId }),
  },
  {
    type: CATALOG_EVENTS.variantCreated,
    description: 'A variant was added to an existing product.',
    payload: Type.Object({
      productId: ProductId,
      variantId: VariantId,
      sku: Type.String({ minLength: 1, maxLength: 100, pattern: '^\\S+$' }),
    }),
  },
  {
    type: CATALOG_EVENTS.variantUpdated,
    description: "A variant's fields or prices changed.",
    payload: Type.Object({ productId: ProductId, variantId: VariantId, fields: ChangedFields }),
  },
  {
    type: CATALOG_EVENTS.variantDeleted,
    description: 'A variant was removed from its product.',
    payload: Type.Object({ productId: ProductId, variantId: VariantId }),
  },
  {
    type: CATALOG_EVENTS.categoryCreated,
    description: 'A category was created (at the top level, or under a parent category).',
    payload: Type.Object({
      id: CatalogId('cat'),
      slug: Slug,
      name: Type.String({ minLength: 1, maxLength: 200 }),
      parentId: Type.Union([Id(), Type.Null()], { description: 'The parent category, null at the top level' }),
    }),
  },
];
