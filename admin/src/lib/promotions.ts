// Automatic promotions and campaigns as staff read and type them: the state of a promotion at a moment (scheduled,
// running, ended, paused, deleted), its window, its rule in words, and date-time fields to and from the API.
import { describeRule as couponRule } from './coupons.ts';

export interface PromotionLike {
  kind: string;
  value: number;
  currency: string | null;
  active: boolean;
  deletedAt: string | null;
  startsAt: string | null;
  endsAt: string | null;
  buyQuantity: number | null;
  getQuantity: number | null;
  minSubtotal: number | null;
}

export function promotionState(p: PromotionLike, now: Date): 'deleted' | 'paused' | 'scheduled' | 'ended' | 'running' {
  if (p.deletedAt) return 'deleted';
  if (!p.active) return 'paused';
  if (p.startsAt && new Date(p.startsAt) > now) return 'scheduled';
  if (p.endsAt && new Date(p.endsAt) <= now) return 'ended';
  return 'running';
}

export function describePromotion(p: PromotionLike): string {
  if (p.kind === 'buy_x_get_y') return `Buy ${p.buyQuantity ?? '?'}, get ${p.getQuantity ?? '?'} free`;
  if (p.kind === 'bundle') return 'Bundle price';
  return couponRule(p);
}

/** `from … until …` in the given formatter; open ends say so. */
export function describeWindow(p: { startsAt: string | null; endsAt: string | null }, fmt: (iso: string) => string) {
  if (!p.startsAt && !p.endsAt) return 'Always';
  const from = p.startsAt ? `from ${fmt(p.startsAt)}` : '';
  const until = p.endsAt ? `until ${fmt(p.endsAt)}` : '';
  return [from, until].filter(Boolean).join(' ');
}

/** A `datetime-local` field's value (the browser's time zone) as an ISO instant; empty is null, nonsense undefined. */
export function fromLocalInput(value: string): string | null | undefined {
  if (!value.trim()) return null;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

/** An ISO instant as a `datetime-local` field's value (the browser's time zone, minutes). */
export function toLocalInput(iso: string | null): string {
  if (!iso) return '';
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A usage limit field: empty is unlimited (null), a whole number is the limit, anything else undefined. */
export function limitInput(value: string): number | null | undefined {
  const v = value.trim();
  if (!v) return null;
  return /^\d{1,9}$/.test(v) ? Number(v) : undefined;
}
