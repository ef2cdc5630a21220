// Order helpers: statuses, the day filter, what a line cost the customer, and the order's timeline as the public
// API shows it (placed, shipments and their tracking, returns and their decisions).
import type { Money } from './money.ts';

export const ORDER_STATUSES = [
  'pending',
  'paid',
  'partially_shipped',
  'shipped',
  'delivered',
  'cancelled',
  'partially_refunded',
  'refunded',
  'returned',
] as const;

/** Whether an ISO timestamp falls on a local calendar day given as YYYY-MM-DD. */
export function onDay(iso: string, day: string): boolean {
  const d = new Date(iso);
  const local = `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
  return local === day;
}

export function today(now = new Date()): string {
  return `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}-${String(now.getDate()).padStart(2, '0')}`;
}

/** What the customer paid for a line: line total − its discount + its tax (the API's rule for returns). */
export function linePaid(line: { lineTotal: Money; discount: Money; tax: Money }): Money {
  return { amount: line.lineTotal.amount - line.discount.amount + line.tax.amount, currency: line.lineTotal.currency };
}

export interface TimelineEntry {
  at: string;
  text: string;
}

interface ShipmentLike {
  createdAt: string;
  carrier: string | null;
  trackingNumber: string | null;
  status: string;
  deliveredAt: string | null;
  updatedAt: string;
}
interface ReturnLike {
  createdAt: string;
  status: string;
  decidedAt: string | null;
  refund: Money;
  items: { quantity: number }[];
}

export function timeline(
  order: { createdAt: string; number: string },
  shipments: readonly ShipmentLike[],
  returns: readonly ReturnLike[],
  fmt: (m: Money) => string,
): TimelineEntry[] {
  const out: TimelineEntry[] = [{ at: order.createdAt, text: `Order ${order.number} placed` }];
  for (const s of shipments) {
    const via = [s.carrier, s.trackingNumber].filter(Boolean).join(' ');
    out.push({ at: s.createdAt, text: `Shipped${via ? ` with ${via}` : ''}` });
    if (s.status === 'in_transit') out.push({ at: s.updatedAt, text: 'Shipment in transit' });
    if (s.deliveredAt) out.push({ at: s.deliveredAt, text: 'Shipment delivered' });
  }
  for (const r of returns) {
    const units = r.items.reduce((n, i) => n + i.quantity, 0);
    out.push({ at: r.createdAt, text: `Return of ${units} unit${units === 1 ? '' : 's'} requested` });
    if (r.decidedAt && r.status === 'received')
      out.push({ at: r.decidedAt, text: `Return received, ${fmt(r.refund)} refunded` });
    if (r.decidedAt && r.status === 'rejected') out.push({ at: r.decidedAt, text: 'Return rejected' });
  }
  return out.sort((a, b) => a.at.localeCompare(b.at));
}
