// The identity module's public contract: what other modules and the composition root may use.
import type { Ctx } from '../../platform/context.ts';
import type { Authenticator } from '../../platform/http/auth.ts';

export interface PublicUser {
  id: string;
  email: string;
  name: string | null;
}

export interface Me extends PublicUser {
  phone: string | null;
  emailVerified: boolean;
  roles: string[];
  createdAt: string;
}

export interface AuthResult {
  user: PublicUser;
  accessToken: string;
  refreshToken: string;
  /** Seconds until the access token expires. */
  expiresIn: number;
}

export interface AddressInput {
  name: string;
  line1: string;
  line2?: string | null | undefined;
  city: string;
  region?: string | null | undefined;
  postalCode: string;
  country: string;
  phone?: string | null | undefined;
}
export interface Address {
  id: string;
  name: string;
  line1: string;
  line2: string | null;
  city: string;
  region: string | null;
  postalCode: string;
  country: string;
  phone: string | null;
}

/** Where a request came from, for throttling and the audit log. */
export interface ClientInfo {
  ip: string;
  userAgent?: string | undefined;
}

/**
 * GDPR registry (kernel-free): other modules contribute what they hold about a person. The
 * composition root passes the list to createIdentityModule and modules push into it at wiring.
 */

/** What other modules may ask identity. */
export interface IdentityApi {
  /** Resolves Bearer access tokens and API keys into an Actor (installed in app.ts). */
  authenticate: Authenticator;
  /** Active users by id (missing or erased ones are left out). */
  getUsers(ctx: Ctx, ids: string[]): Promise<PublicUser[]>;
  /** How to reach an active account (notifications); undefined when it is missing, disabled or erased. */
  contactOf(userId: string): Promise<AccountContact | undefined>;
}

/** What a message to an account needs. `subject` is the data key subject its personal data is sealed under. */
export interface AccountContact {
  userId: string;
  email: string;
  name: string | null;
  /** The account's language (`en`, `de`), from its registration's Accept-Language; null = the shop's default. */
  locale: string | null;
  emailVerified: boolean;
  /** A staff account (it holds roles): it gets account mail (reset, verification) but no customer welcome. */
  staff: boolean;
  subject: string;
}

export const IDENTITY_ERROR_CODES = [
  'identity.invalid_credentials',
  'identity.email_taken',
  'identity.weak_password',
  'identity.invalid_token',
  'identity.invalid_refresh_token',
  'identity.address_not_found',
  'identity.user_not_found',
  'identity.api_key_not_found',
  'identity.unknown_role',
  'identity.unknown_permission',
  'identity.cannot_change_own_roles',
  'identity.login_locked',
  'identity.account_disabled',
  'identity.cannot_disable_self',
  'identity.user_disabled',
] as const;
