// Events the inventory module appends to the outbox (version 1).
import { Type } from 'typebox';
import type { PublicEventType } from '../../platform/events/public-events.ts';
import { Count, Id, INT4_MAX, Int, Integer, List, Text } from '../../platform/http/schema-helpers.ts';
export const INVENTORY_EVENTS = {
  stockChanged: 'inventory.stock.changed',
  stockLow: 'inventory.stock.low',
  reservationExpired: 'inventory.reservation.expired',
} as const;

export type StockChangeReason = 'reserved' | 'released' | 'committed' | 'expired' | 'movement' | 'restocked';

/** Totals over the variant's levels in active warehouses. */
export type StockChangedPayload = {
  variantId: string;
  onHand: number;
  reserved: number;
  available: number;
  inStock: boolean;
  reason: StockChangeReason;
};

export type StockLowPayload = {
  variantId: string;
  available: number;
  threshold: number;
};

export type ReservationExpiredPayload = {
  reservationId: string;
  key: string;
  lines: { variantId: string; warehouseId: string | null; quantity: number }[];
};

// The payload schemas of the public event types (objects stay open: a field added later is not a breaking change).
// Variant ids are catalog's; inventory takes them as given, so they are only bounded here.
const VariantId = Type.String({ minLength: 1, maxLength: 100, description: "The catalog variant's id" });
const Units = (description: string) => Count({ description });

const STOCK_CHANGE_REASONS: readonly StockChangeReason[] = [
  'reserved',
  'released',
  'committed',
  'expired',
  'movement',
  'restocked',
];

export const INVENTORY_PUBLIC_EVENTS: readonly PublicEventType[] = [
  {
    type: INVENTORY_EVENTS.stockChanged,
    description:
      "A tracked variant's stock totals changed (a movement, a reservation made, released, committed or expired, or a return restocked).",
    payload: Type.Object({
      variantId: VariantId,
      onHand: Integer({
        minimum: -INT4_MAX,
        maximum: INT4_MAX,
        description: 'Units on hand over the active warehouses (below 0 only when backorders are allowed)',
      }),
      reserved: Units('Units reserved by open checkouts'),
      available: Units('Units customers can still buy (including any backorder allowance)'),
      inStock: Type.Boolean({ description: 'available > 0' }),
      reason: Type.Union(
        STOCK_CHANGE_REASONS.map((r) => Type.Literal(r)),
        { description: 'What changed the stock' },
      ),
    }),
  },
  {
    type: INVENTORY_EVENTS.stockLow,
    description: "A variant's availability fell to or below its low-stock threshold.",
    payload: Type.Object({
      variantId: VariantId,
      available: Units('Units customers can still buy'),
      threshold: Units("The variant's low-stock threshold"),
    }),
  },
  {
    type: INVENTORY_EVENTS.reservationExpired,
    description: 'A reservation was not committed in time: its units are available again.',
    payload: Type.Object({
      reservationId: Id({ pattern: '^res_[0-9a-z]{26}$' }),
      key: Text(200, { minLength: 1, description: "The reserving caller's key (checkout: `checkout:<orderId>`)" }),
      lines: List(
        Type.Object({
          variantId: VariantId,
          warehouseId: Type.Union([Id(), Type.Null()], { description: 'Null for an untracked variant' }),
          quantity: Int(1, INT4_MAX),
        }),
        // A line per variant and warehouse its units were taken from.
        10_000,
      ),
    }),
  },
];
