// The orders module's front door: the only file other modules may import.
export type {
  Address,
  CartApi,
  CheckoutLine,
  CheckoutSnapshot,
  NotifiableOrder,
  OrderStatus,
  OrdersApi,
  OrderView,
  PricingApi,
  RedemptionRequest,
} from './contract.ts';
export { ORDER_ERRORS, ORDER_STATUSES } from './contract.ts';
export type { OrderPlacedPayload } from './events.ts';
export { ORDER_EVENTS, ORDER_PUBLIC_EVENTS } from './events.ts';
export { TRANSITIONS } from './lifecycle/state.ts';
export {
  createOrdersModule,
  type OrdersModule,
  type OrdersModuleDeps,
  type OrdersParts,
  ordersModuleFor,
} from './module.ts';
