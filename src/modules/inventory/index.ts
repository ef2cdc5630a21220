// The inventory module's front door: the only file other modules may import.
export type {
  Availability,
  InventoryApi,
  MovementInput,
  Policy,
  PolicyMode,
  Reservation,
  ReservationAllocation,
  ReservationStatus,
  ReserveInput,
  ReserveLine,
  StockLevel,
  Warehouse,
} from './contract.ts';
export { INVENTORY_ERRORS } from './contract.ts';
export type { ReservationExpiredPayload, StockChangedPayload, StockLowPayload } from './events.ts';
export { INVENTORY_EVENTS, INVENTORY_PUBLIC_EVENTS } from './events.ts';
// Types only: the gRPC libraries load when the gRPC server is configured (module.ts), not with this file.
export type { VerifyApiKey } from './inventory.grpc.ts';
export { createInventoryModule, type InventoryModule, type InventoryModuleDeps } from './module.ts';
