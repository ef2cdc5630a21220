// What a return refunds: per line, what the customer paid for it (line total − its discount + its tax; in regions
// where prices include tax the line total already holds the tax and `tax` is 0), shared over its units so that the
// refunds of all its units add up to exactly that amount. The k units received after r earlier ones of an n-unit
// line refund floor(paid × (r + k) / n) − floor(paid × r / n): the cumulative refund after m units is
// floor(paid × m / n), and after all n it is `paid`, to the minor unit. Shipping is not refunded by a return
// (staff refund it separately when the policy says so).

export interface RefundableLine {
  variantId: string;
  quantity: number;
  lineTotal: number;
  discount: number;
  tax: number;
  /** Units of this line already received back (earlier returns). */
  received: number;
}

const paidFor = (l: RefundableLine) => BigInt(l.lineTotal - l.discount + l.tax);
const upTo = (l: RefundableLine, units: number) => (paidFor(l) * BigInt(units)) / BigInt(l.quantity);

/** The refund for `units` more units of a line, given the units it already had back. */
export function unitsRefund(line: RefundableLine, units: number): number {
  if (units < 0 || line.received + units > line.quantity) throw new RangeError('more units than the line holds');
  return Number(upTo(line, line.received + units) - upTo(line, line.received));
}

/** The refund of a return: the sum of its items' refunds (each variant once; lines keyed by variant). */
export function returnRefund(
  lines: ReadonlyMap<string, RefundableLine>,
  items: readonly { variantId: string; quantity: number }[],
): { total: number; items: { variantId: string; quantity: number; refund: number }[] } {
  const out = items.map((it) => {
    const line = lines.get(it.variantId);
    if (!line) throw new RangeError(`no line for ${it.variantId}`);
    return { ...it, refund: unitsRefund(line, it.quantity) };
  });
  return { total: out.reduce((a, it) => a + it.refund, 0), items: out };
}
