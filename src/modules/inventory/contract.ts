// The inventory module's public contract: what other modules (cart, orders, catalog, search) call.
import type { Ctx } from '../../platform/context.ts';

export const INVENTORY_ERRORS = {
  insufficientStock: 'inventory.insufficient_stock',
  reservationExpired: 'inventory.reservation_expired',
  reservationNotFound: 'inventory.reservation_not_found',
  reservationReleased: 'inventory.reservation_released',
  reservationCommitted: 'inventory.reservation_committed',
  reservationNotCommitted: 'inventory.reservation_not_committed',
  keyConflict: 'inventory.key_conflict',
  invalidQuantity: 'inventory.invalid_quantity',
  invalidReservation: 'inventory.invalid_reservation',
  warehouseNotFound: 'inventory.warehouse_not_found',
  variantNotFound: 'inventory.variant_not_found',
  belowReserved: 'inventory.stock_below_reserved',
  quantityOutOfRange: 'inventory.quantity_out_of_range',
  invalidCursor: 'inventory.invalid_cursor',
} as const;

export type ReservationStatus = 'active' | 'released' | 'committed' | 'expired';
export type PolicyMode = 'tracked' | 'untracked' | 'backorder';
export type MovementKind = 'receive' | 'adjust' | 'count' | 'damage';

export interface ReserveLine {
  variantId: string;
  quantity: number;
}

export interface ReserveInput {
  /** Idempotency key of the whole reservation (e.g. derived from the checkout id). */
  key: string;
  lines: ReserveLine[];
  /** Defaults to now + RESERVATION_TTL_SECONDS. */
  expiresAt?: Date;
}

export interface ReservationAllocation {
  variantId: string;
  /** null for untracked variants. */
  warehouseId: string | null;
  quantity: number;
}

export interface Reservation {
  id: string;
  key: string;
  status: ReservationStatus;
  expiresAt: Date;
  allocations: ReservationAllocation[];
}

export interface Availability {
  /** Units a customer can still reserve; null when the variant is not tracked (unlimited). */
  available: number | null;
  inStock: boolean;
}

export interface Warehouse {
  id: string;
  name: string;
  country: string;
  priority: number;
  active: boolean;
}

export interface StockLevel {
  variantId: string;
  warehouseId: string;
  onHand: number;
  reserved: number;
  available: number;
}

export interface Policy {
  variantId: string;
  mode: PolicyMode;
  backorderLimit: number;
  lowStockThreshold: number | null;
}

export interface MovementInput {
  variantId: string;
  warehouseId: string;
  kind: MovementKind;
  /** Signed change for receive/adjust/damage (receive > 0, damage < 0); the counted quantity for count. */
  quantity: number;
  reason: string;
  /** Defaults to ctx.idempotencyKey. */
  idempotencyKey?: string;
}

export interface InventoryApi {
  reserve(ctx: Ctx, input: ReserveInput): Promise<Reservation>;
  release(ctx: Ctx, key: string): Promise<Reservation>;
  commit(ctx: Ctx, key: string): Promise<Reservation>;
  /** Puts a committed reservation's units back on hand (a cancelled order), as ledger rows; idempotent. */
  restock(ctx: Ctx, key: string): Promise<Reservation>;
  /** Puts returned units of a committed reservation back on hand; idempotent per returnId. */
  restockReturned(
    ctx: Ctx,
    key: string,
    returnId: string,
    items: readonly { variantId: string; quantity: number }[],
  ): Promise<void>;
  getAvailability(variantIds: readonly string[]): Promise<Map<string, Availability>>;
}
