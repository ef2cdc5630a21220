// Events the catalog appends to the outbox (payload: ids plus what consumers need).
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
