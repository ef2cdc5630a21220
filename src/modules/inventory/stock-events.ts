// Builds inventory.stock.changed / inventory.stock.low events from the totals after a change,
// appended in the caller's transaction.
import type { Ctx } from '../../platform/context.ts';
import type { Tx } from '../../platform/db/db.ts';
import type { NewEvent } from '../../platform/events/envelope.ts';
import { appendEvents } from '../../platform/events/outbox.ts';
import { INVENTORY_EVENTS, type StockChangedPayload, type StockChangeReason, type StockLowPayload } from './events.ts';
import { type Q, type VariantTotals, variantTotals } from './inventory.repo.ts';

/**
 * `availableDelta` maps each changed variant to the change of its customer-visible availability
 * (−3 for a reservation of 3, +3 for its release, 0 for a commit). stock.low fires when availability
 * crosses the variant's threshold downwards.
 */
export async function stockEvents(
  tx: Q,
  availableDelta: ReadonlyMap<string, number>,
  reason: StockChangeReason,
): Promise<NewEvent[]> {
  if (availableDelta.size === 0) return [];
  return eventsFromTotals(await variantTotals(tx, [...availableDelta.keys()].sort()), availableDelta, reason);
}

/** The events of a change from the variants' totals after it (read by the statement that made the change). */
export function eventsFromTotals(
  totals: ReadonlyMap<string, VariantTotals>,
  availableDelta: ReadonlyMap<string, number>,
  reason: StockChangeReason,
): NewEvent[] {
  const events: NewEvent[] = [];
  for (const [variantId, delta] of [...availableDelta.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const t = totals.get(variantId);
    if (!t || t.mode === 'untracked') continue;
    const changed: StockChangedPayload = {
      variantId,
      onHand: t.onHand,
      reserved: t.reserved,
      available: t.available,
      inStock: t.available > 0,
      reason,
    };
    events.push({ type: INVENTORY_EVENTS.stockChanged, aggregateId: variantId, payload: changed });
    const threshold = t.lowStockThreshold;
    if (threshold !== null && t.available <= threshold && t.available - delta > threshold) {
      const low: StockLowPayload = { variantId, available: t.available, threshold };
      events.push({ type: INVENTORY_EVENTS.stockLow, aggregateId: variantId, payload: low });
    }
  }
  return events;
}

export async function appendStockEvents(
  tx: Tx,
  ctx: Ctx,
  availableDelta: ReadonlyMap<string, number>,
  reason: StockChangeReason,
  extra: NewEvent[] = [],
  totalsAfter?: ReadonlyMap<string, VariantTotals>,
): Promise<void> {
  const changed = totalsAfter
    ? eventsFromTotals(totalsAfter, availableDelta, reason)
    : await stockEvents(tx, availableDelta, reason);
  const events = [...extra, ...changed];
  if (events.length) await appendEvents(tx, ctx, events);
}

export { actorLabel } from '../../platform/context.ts';
