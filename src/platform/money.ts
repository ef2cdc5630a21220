// Money is an integer number of minor units plus an ISO 4217 currency code.
// Amounts are JavaScript integers (exact up to 2^53 − 1), stored as PostgreSQL bigint.
// Rounding policy: wherever a fraction of a minor unit appears (percentages, tax, allocation),
// round half away from zero per line, and allocate remainders deterministically (largest remainder, then line order).

import { CURRENCY_MINOR_UNITS } from './iso-codes.ts';

export interface Money {
  amount: number;
  currency: string;
}

/**
 * Minor-unit exponent of a currency (iso-codes.ts lists one for every currency the API accepts). A code outside
 * the list, which only a row stored before the list existed can hold, counts as 2 decimals.
 */
export function currencyExponent(currency: string): number {
  return CURRENCY_MINOR_UNITS.get(currency) ?? 2;
}

/** The shape of a currency code. Inputs are checked against the list at the API's edge; money() checks only the shape,
 * so that amounts of rows stored before (e.g. a cart in a since withdrawn currency) are still computed. */
const CURRENCY_SHAPE = /^[A-Z]{3}$/;

export function money(amount: number, currency: string): Money {
  if (!Number.isSafeInteger(amount)) throw new RangeError(`money amount must be a safe integer, got ${amount}`);
  if (!CURRENCY_SHAPE.test(currency)) throw new RangeError(`currency must be an ISO 4217 code, got ${currency}`);
  return { amount, currency };
}

export function addMoney(a: Money, b: Money): Money {
  if (a.currency !== b.currency) throw new RangeError(`currency mismatch: ${a.currency} + ${b.currency}`);
  return money(a.amount + b.amount, a.currency);
}

/**
 * Parses a major-unit decimal string ("49.99", "50") into minor units for a currency.
 * Returns undefined when the text is not a non-negative decimal with at most the currency's decimals.
 */
export function parseMajorUnits(text: string, currency: string): number | undefined {
  const exp = currencyExponent(currency);
  const m = /^(\d{1,16})(?:\.(\d+))?$/.exec(text.trim());
  if (!m) return undefined;
  const whole = m[1] ?? '0';
  const frac = m[2] ?? '';
  if (frac.length > exp) return undefined;
  const minor = Number(whole) * 10 ** exp + (frac ? Number(frac.padEnd(exp, '0')) : 0);
  return Number.isSafeInteger(minor) ? minor : undefined;
}

/** Formats minor units as a plain major-unit decimal string ("49.99"). */
export function formatMajorUnits(amount: number, currency: string): string {
  const exp = currencyExponent(currency);
  if (exp === 0) return String(amount);
  const sign = amount < 0 ? '-' : '';
  const abs = Math.abs(amount);
  const div = 10 ** exp;
  return `${sign}${Math.floor(abs / div)}.${String(abs % div).padStart(exp, '0')}`;
}

/** Rounds a rational amount numerator/denominator to an integer, half away from zero. */
export function roundHalfAwayFromZero(numerator: number, denominator: number): number {
  if (denominator <= 0) throw new RangeError('denominator must be positive');
  const sign = numerator < 0 ? -1 : 1;
  const abs = Math.abs(numerator);
  const q = Math.floor(abs / denominator);
  const r = abs - q * denominator;
  return sign * (r * 2 >= denominator ? q + 1 : q);
}
