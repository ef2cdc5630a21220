// Events the identity module appends to the outbox. They carry no plaintext personal data: ids, and the single-use
// token of a verification or reset request sealed under the account's data key (field `event.account_token`; only
// its hash is kept in identity's tables). The notifications module opens it with
// `privacy.dataKeys.open('event.account_token', tokenSealed)` to send the link; after the account is erased it
// opens to null.
import { Type } from 'typebox';
import type { PublicEventType } from '../../platform/events/public-events.ts';
import { Id } from '../../platform/http/schema-helpers.ts';
export const IDENTITY_EVENTS = {
  userRegistered: 'identity.user.registered',
  emailVerificationRequested: 'identity.user.email_verification_requested',
  passwordResetRequested: 'identity.user.password_reset_requested',
  userErased: 'identity.user.erased',
} as const;

/** The data key field name the token of an AccountTokenRequestedPayload is sealed under. */
export const ACCOUNT_TOKEN_FIELD = 'event.account_token';

export interface UserRegisteredPayload {
  userId: string;
}

export interface AccountTokenRequestedPayload {
  userId: string;
  expiresAt: string;
  /** The token sealed under the account's data key (`s1.…`), field ACCOUNT_TOKEN_FIELD. */
  tokenSealed: string;
}

export interface UserErasedPayload {
  userId: string;
}

// The payload schemas of the public event types (objects stay open: a field added later is not a breaking change).
// The two token requests are internal: their payload carries a sealed single-use token meant for the notifications
// module only, so they are not offered to integrators.
const UserId = Id({ pattern: '^usr_[0-9a-z]{26}$' });

export const IDENTITY_PUBLIC_EVENTS: readonly PublicEventType[] = [
  {
    type: IDENTITY_EVENTS.userRegistered,
    description: 'An account was created: a customer registered, or an admin created a staff account.',
    payload: Type.Object({ userId: UserId }),
  },
  {
    type: IDENTITY_EVENTS.userErased,
    description: 'An account was erased (by its owner or an admin): delete any personal data you hold about this user.',
    payload: Type.Object({ userId: UserId }),
  },
];
