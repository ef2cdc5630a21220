// The cart module's front door: the only file other modules and the composition root may import.
export type { Address, CartApi, CheckoutLine, CheckoutSnapshot } from './contract.ts';
export { CART_ERRORS, MAX_LINES, MAX_QUANTITY } from './contract.ts';
export { type CartModule, type CartModuleDeps, createCartModule } from './module.ts';
