// The catalog's public contract: DTOs other modules and the composition root rely on.
import type { Ctx } from '../../platform/context.ts';
import type { Money } from '../../platform/money.ts';

export type ProductStatus = 'draft' | 'published' | 'archived';
export type Attributes = Record<string, string>;

/** Availability of variants, from inventory's batch contract (a fake in tests until it is wired). */
export type AvailabilityPort = (variantIds: string[]) => Promise<Map<string, { available: number; inStock: boolean }>>;

export interface PriceInput {
  currency: string;
  amount: number;
  compareAt?: number | null | undefined;
}

export interface VariantInput {
  sku: string;
  attributes?: Attributes | undefined;
  barcode?: string | null | undefined;
  weightGrams?: number | null | undefined;
  dimensions?: { lengthMm: number; widthMm: number; heightMm: number } | null | undefined;
  cost?: number | null | undefined;
  prices?: PriceInput[] | undefined;
}

export interface ProductInput {
  slug: string;
  name: string;
  description?: string | undefined;
  brand?: string | null | undefined;
  status?: ProductStatus | undefined;
  images?: string[] | undefined;
  seoTitle?: string | null | undefined;
  seoDescription?: string | null | undefined;
  metadata?: Record<string, unknown> | undefined;
  /** Pricing's tax category (`standard` when absent). */
  taxCategory?: string | undefined;
  categoryIds?: string[] | undefined;
  variants?: VariantInput[] | undefined;
}

export type ProductPatch = Partial<Omit<ProductInput, 'variants'>>;

export interface StaffVariant {
  id: string;
  sku: string;
  attributes: Attributes;
  barcode: string | null;
  weightGrams: number | null;
  dimensions: { lengthMm: number; widthMm: number; heightMm: number } | null;
  cost: number | null;
  prices: { currency: string; amount: number; compareAt: number | null }[];
}

/** The staff view of a product: everything, including cost and metadata. */
export interface StaffProduct {
  id: string;
  slug: string;
  name: string;
  description: string;
  brand: string | null;
  status: ProductStatus;
  images: string[];
  seoTitle: string | null;
  seoDescription: string | null;
  metadata: Record<string, unknown>;
  taxCategory: string;
  categories: { id: string; slug: string; name: string }[];
  variants: StaffVariant[];
  version: number;
  createdAt: string;
  updatedAt: string;
}

export interface Category {
  id: string;
  parentId: string | null;
  slug: string;
  name: string;
}

/** The storefront product (the `Product` schema of /openapi.json). No cost, no metadata. */
export interface Product {
  id: string;
  slug: string;
  name: string;
  description: string;
  brand: string | null;
  categories: { id: string; slug: string; name: string }[];
  images: string[];
  status: ProductStatus;
  seo: { title: string | null; description: string | null };
  createdAt: string;
  variants: {
    id: string;
    sku: string;
    attributes: Attributes;
    price: Money | null;
    compareAtPrice?: Money;
    available: number;
    inStock: boolean;
  }[];
  priceRange: { min: Money; max: Money } | null;
}

/** What the search module indexes (read through catalog's public API, never its tables). */
export interface SearchSource {
  id: string;
  slug: string;
  name: string;
  brand: string | null;
  description: string;
  status: ProductStatus;
  createdAt: string;
  categoryNames: string[];
  /** Ids and slugs of the product's categories and all their ancestors. */
  categoryKeys: string[];
  categories: { id: string; slug: string; name: string }[];
  /** Attribute name → distinct values over the variants. */
  attributes: Record<string, string[]>;
  /** Currency → cheapest variant price in minor units. */
  minPrices: Record<string, number>;
  maxPrices: Record<string, number>;
  variantIds: string[];
}

/** One variant as the cart needs it: identity, current price in a currency (null when unpriced), weight. */
export interface CartVariant {
  variantId: string;
  productId: string;
  sku: string;
  name: string;
  price: Money | null;
  published: boolean;
  weightGrams: number;
  categoryIds: string[];
  /** The product's tax category: pricing taxes the line at the region's rate for it. */
  taxCategory: string;
}

export interface CatalogApi {
  getProducts(ctx: Ctx, ids: string[], currency: string): Promise<Product[]>;
  searchSources(productIds: string[]): Promise<SearchSource[]>;
  /** Batch read for carts: unknown ids are absent from the result. */
  getVariantsForCart(variantIds: string[], currency: string): Promise<CartVariant[]>;
  /** Which of these variant ids exist (any product status): inventory's staff routes refuse the others. */
  knownVariantIds(variantIds: readonly string[]): Promise<Set<string>>;
  /** Ids of every product (paged by id), for full reindexing. */
  productIdsAfter(afterId: string | null, limit: number): Promise<string[]>;
  /** Drops every cached storefront read (wire to pricing and inventory events). */
  invalidateCache(): Promise<void>;
}

export const CATALOG_ERRORS = {
  duplicateSku: 'catalog.duplicate_sku',
  duplicateSlug: 'catalog.duplicate_slug',
  staleWrite: 'catalog.stale_write',
  productNotFound: 'catalog.product_not_found',
  variantNotFound: 'catalog.variant_not_found',
  categoryNotFound: 'catalog.category_not_found',
  invalidPrice: 'catalog.invalid_price',
  invalidCursor: 'catalog.invalid_cursor',
  invalidFilter: 'catalog.invalid_filter',
} as const;
