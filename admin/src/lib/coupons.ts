// Coupon rules as a person types and reads them: a percentage in percent (the API keeps basis points: 10 % = 1000),
// a fixed discount in the currency's major units (the API keeps minor units).
import { formatMoney, toMinor } from './money.ts';

export type CouponKind = 'percentage' | 'fixed' | 'free_shipping';

/** The API's `value` for what was typed, or undefined when it is not valid for the kind. */
export function couponValue(kind: CouponKind, input: string, currency: string): number | undefined {
  if (kind === 'free_shipping') return 0;
  if (kind === 'fixed') return toMinor(input, currency);
  const m = /^(\d{1,3})(?:[.,](\d{1,2}))?$/.exec(input.trim());
  if (!m) return undefined;
  const bp = Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0') || '0');
  return bp > 0 && bp <= 10_000 ? bp : undefined;
}

export function describeRule(p: { kind: string; value: number; currency: string | null }): string {
  if (p.kind === 'percentage') return `${p.value / 100} % off`;
  if (p.kind === 'fixed' && p.currency) return `${formatMoney({ amount: p.value, currency: p.currency })} off`;
  if (p.kind === 'free_shipping') return 'Free shipping';
  return p.kind.replace(/_/g, ' ');
}

export function usage(p: { redemptions: number; usageLimit: number | null }): string {
  return p.usageLimit === null ? `${p.redemptions} used` : `${p.redemptions} of ${p.usageLimit} used`;
}
