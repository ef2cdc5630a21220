// Money is an integer number of minor units plus an ISO 4217 currency code.
// Amounts are JavaScript integers (exact up to 2^53 − 1), stored as PostgreSQL bigint.
// Rounding policy: wherever a fraction of a minor unit appears (percentages, tax, allocation),
// round half away from zero per line, and allocate remainders deterministically (largest remainder, then line order).

export interface Money {
  amount: number;
  currency: string;
}

/** Minor-unit exponents for ISO 4217 currencies that do not use 2 decimals. */
const EXPONENTS: Record<string, number> = {
  BIF: 0,
  CLP: 0,
  DJF: 0,
  GNF: 0,
  ISK: 0,
  JPY: 0,
  KMF: 0,
  KRW: 0,
  PYG: 0,
  RWF: 0,
  UGX: 0,
  UYI: 0,
  VND: 0,
  VUV: 0,
  XAF: 0,
  XOF: 0,
  XPF: 0,
  BHD: 3,
  IQD: 3,
  JOD: 3,
  KWD: 3,
  LYD: 3,
  OMR: 3,
  TND: 3,
};

export const CURRENCY_CODE = /^[A-Z]{3}$/;

export function currencyExponent(currency: string): number {
  return EXPONENTS[currency] ?? 2;
}

export function money(amount: number, currency: string): Money {
  if (!Number.isSafeInteger(amount)) throw new RangeError(`money amount must be a safe integer, got ${amount}`);
  if (!CURRENCY_CODE.test(currency)) throw new RangeError(`currency must be an ISO 4217 code, got ${currency}`);
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
