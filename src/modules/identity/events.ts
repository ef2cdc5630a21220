// Events the identity module appends to the outbox. Token-bearing events carry the single-use
// token itself (only its hash is stored in identity's tables) so notifications can send the link.
export const IDENTITY_EVENTS = {
  userRegistered: 'identity.user.registered',
  emailVerificationRequested: 'identity.user.email_verification_requested',
  passwordResetRequested: 'identity.user.password_reset_requested',
  userErased: 'identity.user.erased',
} as const;

export interface UserRegisteredPayload {
  userId: string;
  email: string;
  name: string | null;
}

export interface AccountTokenRequestedPayload {
  userId: string;
  email: string;
  token: string;
  expiresAt: string;
}

export interface UserErasedPayload {
  userId: string;
}
