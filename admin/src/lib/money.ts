// Money in the API is `{ amount, currency }` in integer minor units (cents for EUR, none for JPY).

import { currencyExponent } from '../../../src/platform/money.ts';

export interface Money {
  amount: number;
  currency: string;
}

/**
 * How many minor digits a currency has: the server's ISO 4217 table (EUR 2, JPY 0, KWD 3, HUF 2, IQD 3), not the
 * browser's display digits (Intl shows HUF and IQD without decimals), so an amount typed here is the amount stored.
 */
export function minorDigits(currency: string): number {
  return currencyExponent(currency);
}

/** "€12.50" from { amount: 1250, currency: 'EUR' }. */
export function formatMoney(m: Money, locale = 'en'): string {
  const digits = minorDigits(m.currency);
  const major = m.amount / 10 ** digits;
  try {
    return new Intl.NumberFormat(locale, {
      style: 'currency',
      currency: m.currency,
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
    }).format(major);
  } catch {
    return `${major.toFixed(digits)} ${m.currency}`;
  }
}

/**
 * What a person typed ("12.5", "12,50", "1250") as minor units of the currency, or undefined when it is not an
 * amount the currency can hold (too many decimals, negative, not a number). Works on the digits, never on floats.
 */
export function toMinor(input: string, currency: string): number | undefined {
  const text = input.trim().replace(',', '.');
  const m = /^(\d{1,12})(?:\.(\d*))?$/.exec(text);
  if (!m) return undefined;
  const digits = minorDigits(currency);
  const whole = m[1] ?? '0';
  const frac = m[2] ?? '';
  if (frac.length > digits) return undefined;
  return Number(whole) * 10 ** digits + Number(frac.padEnd(digits, '0') || '0');
}

/** Minor units back to what a person types ("12.50"). */
export function toMajorInput(amount: number, currency: string): string {
  const digits = minorDigits(currency);
  return (amount / 10 ** digits).toFixed(digits);
}

/** Sums per currency: orders in several currencies are never added together. */
export function sumByCurrency(items: readonly Money[]): Money[] {
  const totals = new Map<string, number>();
  for (const m of items) totals.set(m.currency, (totals.get(m.currency) ?? 0) + m.amount);
  return [...totals]
    .map(([currency, amount]) => ({ currency, amount }))
    .sort((a, b) => a.currency.localeCompare(b.currency));
}
