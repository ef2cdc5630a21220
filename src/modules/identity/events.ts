// Events the identity module appends to the outbox. They carry no plaintext personal data: ids, and the single-use
// token of a verification or reset request sealed under the account's data key (field `event.account_token`; only
// its hash is kept in identity's tables). The notifications module opens it with
// `privacy.dataKeys.open('event.account_token', tokenSealed)` to send the link; after the account is erased it
// opens to null.
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
