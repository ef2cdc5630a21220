// Events the inventory module appends to the outbox (version 1).
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
