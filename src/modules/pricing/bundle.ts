// Bundle matching (pure): how many complete bundles a cart holds and which units make them up.
//
// A bundle is a list of items, each a variant (exact) or a product (any of its variants) with a quantity.
// Units are taken cheapest first (ties by line order), the same convention as buy X get Y, and
// variant items are served before product items (they are the more constrained ones). The count is the
// largest n for which every item finds n × its quantity units among the units not yet taken by earlier
// items: greedy taking is monotone in n (fewer bundles take a prefix of the same units), so a binary search
// over 0 … the per-item upper bound finds it.

export interface BundleItem {
  productId?: string | undefined;
  variantId?: string | undefined;
  quantity: number;
}

export interface BundleLine {
  productId: string;
  variantId?: string | undefined;
  unitPrice: number;
  quantity: number;
}

export interface BundleFit {
  /** Complete bundles in the cart. */
  count: number;
  /** Units of each line (by index) that belong to those bundles. */
  units: number[];
}

export function itemMatches(item: BundleItem, line: BundleLine): boolean {
  if (item.variantId) return line.variantId === item.variantId;
  return item.productId !== undefined && item.productId === line.productId;
}

function orderedItems(items: readonly BundleItem[]): BundleItem[] {
  return [...items.filter((i) => i.variantId), ...items.filter((i) => !i.variantId)];
}

/** Takes n bundles greedily; null when some item runs out of units. */
function take(n: number, items: readonly BundleItem[], cheapest: number[][], lines: readonly BundleLine[]) {
  const left = lines.map((l) => l.quantity);
  const units = lines.map(() => 0);
  for (const [k, item] of items.entries()) {
    let need = n * Math.max(1, item.quantity);
    for (const i of cheapest[k] ?? []) {
      if (need <= 0) break;
      const got = Math.min(need, left[i] ?? 0);
      left[i] = (left[i] ?? 0) - got;
      units[i] = (units[i] ?? 0) + got;
      need -= got;
    }
    if (need > 0) return null;
  }
  return units;
}

export function fitBundles(bundle: readonly BundleItem[], lines: readonly BundleLine[]): BundleFit {
  const none: BundleFit = { count: 0, units: lines.map(() => 0) };
  if (!bundle.length) return none;
  const items = orderedItems(bundle);
  const cheapest = items.map((item) =>
    lines
      .map((l, i) => ({ l, i }))
      .filter(({ l }) => itemMatches(item, l))
      .sort((a, b) => a.l.unitPrice - b.l.unitPrice || a.i - b.i)
      .map(({ i }) => i),
  );
  let hi = Number.POSITIVE_INFINITY;
  items.forEach((item, k) => {
    const available = (cheapest[k] ?? []).reduce((a, i) => a + (lines[i]?.quantity ?? 0), 0);
    hi = Math.min(hi, Math.floor(available / Math.max(1, item.quantity)));
  });
  let lo = 0;
  let best = none.units;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    const units = take(mid, items, cheapest, lines);
    if (units) {
      lo = mid;
      best = units;
    } else hi = mid - 1;
  }
  return lo === 0 ? none : { count: lo, units: best };
}
