// Builds what a client sees of a cart: current totals from pricing, the price-changed flag from the catalog.
import type { Money } from '../../platform/money.ts';
import type { CartVariant } from '../catalog/index.ts';
import type { PricingQuoteApi, Quote, QuoteInput } from '../pricing/index.ts';
import type { CartRow, ItemRow } from './cart.repo.ts';
import type { Address, CheckoutSnapshot } from './contract.ts';

export interface CartItemView {
  id: string;
  variantId: string;
  productId: string;
  name: string;
  sku: string;
  quantity: number;
  unitPrice: Money;
  lineTotal: Money;
  discount: Money;
  tax: Money;
  /** The catalog's price now, when it differs from the price snapshotted at add. */
  currentUnitPrice: Money | null;
  priceChanged: boolean;
}

export interface CartView {
  id: string;
  token: string;
  status: string;
  userId: string | null;
  currency: string;
  country: string | null;
  email: string | null;
  shippingAddress: Address | null;
  billingAddress: Address | null;
  shippingMethod: { id: string; name: string; price: Money } | null;
  couponCodes: string[];
  items: CartItemView[];
  totals: { subtotal: Money; discount: Money; shipping: Money; tax: Money; total: Money; taxIncluded: Money };
  pricesIncludeTax: boolean;
  promotions: Quote['promotions'];
  rejectedCoupons: Quote['rejectedCoupons'];
  version: number;
}

/**
 * The region tax and shipping are computed for: the shipping address, else the cart's country. Each line is taxed
 * in its product's current tax category (from the catalog read the view makes anyway), `standard` when unknown.
 */
export function quoteInput(cart: CartRow, items: ItemRow[], current: CartVariant[] = []): QuoteInput {
  const category = new Map(current.map((v) => [v.variantId, v.taxCategory]));
  const address = cart.shipping_address;
  return {
    currency: cart.currency,
    country: address?.country ?? cart.country,
    province: address?.region ?? null,
    lines: items.map((i) => ({
      lineId: i.id,
      productId: i.product_id,
      variantId: i.variant_id,
      categoryIds: i.category_ids,
      unitPrice: i.unit_price,
      quantity: i.quantity,
      weightGrams: i.weight_grams,
      taxCategory: category.get(i.variant_id) ?? 'standard',
    })),
    couponCodes: cart.coupon_codes,
    shippingMethodId: cart.shipping_method_id,
  };
}

export async function buildView(
  pricing: PricingQuoteApi,
  cart: CartRow,
  items: ItemRow[],
  current: CartVariant[],
): Promise<CartView> {
  const q = await pricing.quote(quoteInput(cart, items, current));
  const m = (amount: number): Money => ({ amount, currency: cart.currency });
  const byVariant = new Map(current.map((v) => [v.variantId, v]));
  return {
    id: cart.id,
    token: cart.token,
    status: cart.status,
    userId: cart.user_id,
    currency: cart.currency,
    country: cart.country,
    email: cart.email,
    shippingAddress: cart.shipping_address,
    billingAddress: cart.billing_address,
    shippingMethod: q.shippingMethod,
    couponCodes: cart.coupon_codes,
    items: items.map((i, k) => {
      const t = q.totals.lines[k];
      const now = byVariant.get(i.variant_id)?.price ?? null;
      const changed = now !== null && now.amount !== i.unit_price;
      return {
        id: i.id,
        variantId: i.variant_id,
        productId: i.product_id,
        name: i.name,
        sku: i.sku,
        quantity: i.quantity,
        unitPrice: m(i.unit_price),
        lineTotal: m(t?.lineTotal ?? i.unit_price * i.quantity),
        discount: m(t?.discount ?? 0),
        tax: m(t?.tax ?? 0),
        currentUnitPrice: changed ? now : null,
        priceChanged: changed,
      };
    }),
    totals: {
      subtotal: m(q.totals.subtotal),
      discount: m(q.totals.discount),
      shipping: m(q.totals.shipping),
      tax: m(q.totals.tax),
      total: m(q.totals.total),
      taxIncluded: m(q.totals.taxIncluded),
    },
    pricesIncludeTax: q.pricesIncludeTax,
    promotions: q.promotions,
    rejectedCoupons: q.rejectedCoupons,
    version: cart.version,
  };
}

export function toSnapshot(v: CartView): CheckoutSnapshot {
  return {
    cartId: v.id,
    currency: v.currency,
    email: v.email,
    userId: v.userId,
    lines: v.items.map((i) => ({
      lineId: i.id,
      variantId: i.variantId,
      productId: i.productId,
      sku: i.sku,
      name: i.name,
      quantity: i.quantity,
      unitPrice: i.unitPrice,
      lineTotal: i.lineTotal,
      discount: i.discount,
      tax: i.tax,
    })),
    shippingAddress: v.shippingAddress,
    billingAddress: v.billingAddress,
    shippingMethod: v.shippingMethod,
    promotions: v.promotions.map((p) => ({ promotionId: p.promotionId, code: p.code, amount: p.amount })),
    totals: {
      subtotal: v.totals.subtotal,
      discount: v.totals.discount,
      shipping: v.totals.shipping,
      tax: v.totals.tax,
      total: v.totals.total,
    },
    version: v.version,
  };
}
