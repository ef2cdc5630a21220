// The identity module's front door: the only file other modules may import.
export type {
  AccountContact,
  Address,
  AddressInput,
  AuthResult,
  IdentityApi,
  Me,
  PublicUser,
} from './contract.ts';
export { IDENTITY_ERROR_CODES } from './contract.ts';
export type { AccountTokenRequestedPayload, UserErasedPayload, UserRegisteredPayload } from './events.ts';
export { ACCOUNT_TOKEN_FIELD, IDENTITY_EVENTS, IDENTITY_PUBLIC_EVENTS } from './events.ts';
export { createIdentityModule, type IdentityModule, type IdentityModuleDeps } from './module.ts';
export {
  PERMISSIONS,
  type Permission,
  permissionsOf,
  ROLE_PERMISSIONS,
  STAFF_ROLES,
  type StaffRole,
} from './permissions.ts';
