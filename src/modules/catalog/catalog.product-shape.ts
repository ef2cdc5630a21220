// The read model's product document, and the storefront shape of a product in one currency made from it and its
// variants' stock.
import type { Money } from '../../platform/money.ts';
import type { Attributes, Product, StaffProduct } from './contract.ts';

/** The storefront read model's document of a product (catalog.views.ts writes it). */
export interface ViewDoc {
  id: string;
  slug: string;
  name: string;
  description: string;
  brand: string | null;
  status: StaffProduct['status'];
  images: string[];
  seo: { title: string | null; description: string | null };
  createdAt: string;
  categories: { id: string; slug: string; name: string }[];
  categoryKeys: string[];
  variants: {
    id: string;
    sku: string;
    attributes: Attributes;
    prices: Record<string, { amount: number; compareAt: number | null }>;
  }[];
}

export type AvailabilityMap = Map<string, { available: number; inStock: boolean }>;

/** Pure: the storefront shape of a read-model document in one currency. */
export function toProduct(doc: ViewDoc, currency: string, availability: AvailabilityMap): Product {
  let min: number | undefined;
  let max: number | undefined;
  const variants = doc.variants.map((v) => {
    const p = v.prices[currency];
    const a = availability.get(v.id) ?? { available: 0, inStock: false };
    if (p) {
      min = min === undefined ? p.amount : Math.min(min, p.amount);
      max = max === undefined ? p.amount : Math.max(max, p.amount);
    }
    const price: Money | null = p ? { amount: p.amount, currency } : null;
    return {
      id: v.id,
      sku: v.sku,
      attributes: v.attributes,
      price,
      ...(p && p.compareAt !== null ? { compareAtPrice: { amount: p.compareAt, currency } } : {}),
      available: a.available,
      inStock: a.inStock,
    };
  });
  return {
    id: doc.id,
    slug: doc.slug,
    name: doc.name,
    description: doc.description,
    brand: doc.brand,
    categories: doc.categories,
    images: doc.images,
    status: doc.status,
    seo: doc.seo,
    createdAt: doc.createdAt,
    variants,
    priceRange:
      min === undefined || max === undefined
        ? null
        : { min: { amount: min, currency }, max: { amount: max, currency } },
  };
}
