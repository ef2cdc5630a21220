// Helpers for the staff reads added in the second slice: a local calendar day as the API's placedFrom/placedBefore
// range, the order log as timeline lines, and a stock movement's change in words.

/** A local calendar day (YYYY-MM-DD) as instants: from its first moment (inclusive) to the next day's (exclusive). */
export function dayRange(day: string): { placedFrom: string; placedBefore: string } | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]) - 1, Number(m[3])];
  const from = new Date(y, mo, d);
  if (from.getFullYear() !== y || from.getMonth() !== mo || from.getDate() !== d) return undefined;
  return { placedFrom: from.toISOString(), placedBefore: new Date(y, mo, d + 1).toISOString() };
}

export interface LogEntry {
  type: string;
  fromStatus: string | null;
  toStatus: string | null;
  actor: string;
  reason: string | null;
  createdAt: string;
}

const words = (s: string) => s.replaceAll('_', ' ');

const ACTORS: Record<string, string> = {
  staff: 'staff',
  customer: 'the customer',
  guest: 'the guest',
  system: 'the system',
  api_key: 'an API key',
};

/** Who did it, as staff read it, from the log's actor (`staff:usr_…`, `customer:usr_…`, `guest`, `system:…`). */
export function actorKind(actor: string): string {
  const kind = actor.split(':')[0] ?? actor;
  return ACTORS[kind] ?? words(kind);
}

/** One line of the order's timeline from its log entry. */
export function logText(e: LogEntry): string {
  const what =
    e.type === 'placed'
      ? 'Order placed'
      : e.toStatus && e.fromStatus
        ? `${words(e.fromStatus)} → ${words(e.toStatus)}`
        : words(e.type);
  return `${what} by ${actorKind(e.actor)}${e.reason ? `: ${e.reason}` : ''}`;
}

/** A movement's effect: "+5", "−2", or for a count "counted 7 (−2)". */
export function movementChange(m: { kind: string; quantity: number; requested: number }): string {
  const signed = m.quantity > 0 ? `+${m.quantity}` : m.quantity < 0 ? `−${-m.quantity}` : '±0';
  return m.kind === 'count' ? `counted ${m.requested} (${signed})` : signed;
}

export const PRODUCT_STATUSES = ['published', 'draft', 'archived'] as const;
export type ProductStatus = (typeof PRODUCT_STATUSES)[number];

/**
 * A staff product's price range in one currency: the first currency of its first priced variant (sums and ranges
 * are never taken across currencies); null when no variant has a price.
 */
export function staffPriceRange(
  variants: readonly { prices: readonly { currency: string; amount: number }[] }[],
): { min: { amount: number; currency: string }; max: { amount: number; currency: string } } | null {
  const currency = variants.find((v) => v.prices.length)?.prices[0]?.currency;
  if (!currency) return null;
  const amounts = variants.flatMap((v) => v.prices.filter((p) => p.currency === currency).map((p) => p.amount));
  return {
    min: { amount: Math.min(...amounts), currency },
    max: { amount: Math.max(...amounts), currency },
  };
}

/** Image URLs typed one per line: blank lines dropped, duplicates once; anything but an absolute https URL refused. */
export function imageUrls(text: string): { urls: string[]; error?: string } {
  const lines = [
    ...new Set(
      text
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean),
    ),
  ];
  for (const [i, line] of lines.entries()) {
    let url: URL | undefined;
    try {
      url = new URL(line);
    } catch {
      url = undefined;
    }
    if (url?.protocol !== 'https:') return { urls: [], error: `Line ${i + 1} is not an https URL.` };
  }
  if (lines.length > 50) return { urls: [], error: 'At most 50 images.' };
  return { urls: lines };
}
