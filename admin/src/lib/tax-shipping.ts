// Tax rates and shipping methods as staff type and read them: a rate in percent (the API keeps basis points:
// 19 % = 1900), countries as a list of ISO codes, prices in the currency's major units (the API keeps minor units).
import { formatMoney, toMinor } from './money.ts';

/** Basis points for a typed percentage ("19", "7,5", "0"), or undefined when it is not 0–100 with ≤ 2 decimals. */
export function rateToBp(input: string): number | undefined {
  const m = /^(\d{1,3})(?:[.,](\d{1,2}))?$/.exec(input.trim());
  if (!m) return undefined;
  const bp = Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0') || '0');
  return bp <= 10_000 ? bp : undefined;
}

/** "19 %" from 1900, "7.5 %" from 750. */
export function formatRate(bp: number): string {
  return `${bp / 100} %`;
}

/** "DE, at fr" → ["DE", "AT", "FR"], or undefined when a part is not a two-letter code or none is given. */
export function parseCountries(input: string): string[] | undefined {
  const parts = input
    .split(/[\s,;]+/)
    .map((p) => p.trim().toUpperCase())
    .filter(Boolean);
  if (parts.length === 0 || parts.some((p) => !/^[A-Z]{2}$/.test(p))) return undefined;
  return [...new Set(parts)];
}

export interface ShippingInput {
  name: string;
  countries: string;
  currency: string;
  kind: 'flat' | 'weight';
  price: string;
  perKg: string;
  freeAbove: string;
}

export interface ShippingBody {
  name: string;
  countries: string[];
  currency: string;
  kind: 'flat' | 'weight';
  price: number;
  perKg?: number;
  freeAbove: number | null;
}

/** The API body for the form, or the form fields that are wrong with their message. */
export function shippingBody(
  v: ShippingInput,
): { body: ShippingBody } | { errors: Partial<Record<keyof ShippingInput, string>> } {
  const errors: Partial<Record<keyof ShippingInput, string>> = {};
  const currency = v.currency.trim().toUpperCase();
  const countries = parseCountries(v.countries);
  if (!countries) errors.countries = 'Enter two-letter country codes, separated by commas.';
  const price = toMinor(v.price, currency);
  if (price === undefined) errors.price = 'Enter an amount.';
  const perKg = v.kind === 'weight' ? toMinor(v.perKg || '0', currency) : 0;
  if (perKg === undefined) errors.perKg = 'Enter an amount per kg.';
  const freeAbove = v.freeAbove.trim() ? toMinor(v.freeAbove, currency) : null;
  if (freeAbove === undefined) errors.freeAbove = 'Enter an amount, or leave it empty.';
  if (
    Object.keys(errors).length ||
    !countries ||
    price === undefined ||
    perKg === undefined ||
    freeAbove === undefined
  ) {
    return { errors };
  }
  return {
    body: {
      name: v.name.trim(),
      countries,
      currency,
      kind: v.kind,
      price,
      ...(v.kind === 'weight' ? { perKg } : {}),
      freeAbove,
    },
  };
}

/** "€4.90, free from €50.00" / "€4.90 + €1.00 per kg". */
export function describeShipping(m: {
  kind: string;
  price: number;
  perKg: number;
  freeAbove: number | null;
  currency: string;
}): string {
  const money = (amount: number) => formatMoney({ amount, currency: m.currency });
  const base = m.kind === 'weight' ? `${money(m.price)} + ${money(m.perKg)} per kg` : money(m.price);
  return m.freeAbove === null ? base : `${base}, free from ${money(m.freeAbove)}`;
}
