// The product form's values and how they become the API's body: amounts typed in major units become minor units
// of their currency; an option "Size: M" becomes the variant attribute { size: "M" }.
import type { paths } from '../api/schema.d.ts';
import { toMinor } from '../lib/money.ts';

export type CreateBody = NonNullable<paths['/v1/products']['post']['requestBody']>['content']['application/json'];
export type VariantBody = NonNullable<CreateBody['variants']>[number];

export interface PriceValues {
  currency: string;
  amount: string;
}
export interface VariantValues {
  sku: string;
  option: string;
  prices: PriceValues[];
}
export interface ProductValues {
  name: string;
  slug: string;
  status: 'draft' | 'published';
  description: string;
  variants: VariantValues[];
}

export const emptyVariant = (): VariantValues => ({
  sku: '',
  option: '',
  prices: [
    { currency: 'EUR', amount: '' },
    { currency: 'USD', amount: '' },
  ],
});

export function slugify(name: string): string {
  return name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 200);
}

/** "Size: M" → { size: "M" }; "" → {}; a value without a name → { option: value }. */
export function optionAttributes(option: string): Record<string, string> {
  const text = option.trim();
  if (!text) return {};
  const at = text.indexOf(':');
  if (at < 0) return { option: text };
  const key = text.slice(0, at).trim().toLowerCase() || 'option';
  return { [key]: text.slice(at + 1).trim() };
}

export function attributesOption(attributes: Record<string, unknown>): string {
  return Object.entries(attributes)
    .map(([k, v]) => `${k}: ${String(v)}`)
    .join(', ');
}

/** The variant body, or the form fields whose amount is not valid for its currency. */
export function variantBody(v: VariantValues, path: string): { body: VariantBody; invalid: Record<string, string> } {
  const invalid: Record<string, string> = {};
  const prices: NonNullable<VariantBody['prices']> = [];
  v.prices.forEach((p, i) => {
    const currency = p.currency.trim().toUpperCase();
    if (!currency && !p.amount.trim()) return;
    const amount = toMinor(p.amount, currency);
    if (!/^[A-Z]{3}$/.test(currency)) invalid[`${path}.prices.${i}.currency`] = 'Use a 3-letter currency code.';
    else if (amount === undefined) invalid[`${path}.prices.${i}.amount`] = `Not an amount in ${currency}.`;
    else prices.push({ currency, amount });
  });
  return { body: { sku: v.sku.trim(), attributes: optionAttributes(v.option), prices }, invalid };
}

export function createBody(values: ProductValues): { body: CreateBody; invalid: Record<string, string> } {
  const invalid: Record<string, string> = {};
  const variants = values.variants.map((v, i) => {
    const r = variantBody(v, `variants.${i}`);
    Object.assign(invalid, r.invalid);
    return r.body;
  });
  return {
    body: {
      name: values.name.trim(),
      slug: values.slug.trim() || slugify(values.name),
      status: values.status,
      description: values.description,
      variants,
    },
    invalid,
  };
}
