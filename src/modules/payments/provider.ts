// What a payment service provider (PSP) adapter offers. Every call is made with no database
// transaction open; every mutating call carries an idempotency key.

/** The provider's view of a payment, normalised. */
export type ProviderStatus = 'processing' | 'requires_action' | 'authorized' | 'captured' | 'failed' | 'voided';

export interface ProviderPayment {
  id: string;
  status: ProviderStatus;
  amount: number;
  currency: string;
  capturedAmount: number;
  refundedAmount: number;
  nextActionUrl: string | null;
  failureCode: string | null;
  /** Our payment id, sent as metadata on authorize. */
  paymentId: string | null;
  createdAt: Date;
}

export interface ProviderAuthorizeInput {
  paymentId: string;
  orderId: string;
  amount: number;
  currency: string;
  token: string;
  idempotencyKey: string;
  returnUrl?: string;
}

export interface ProviderWebhookEvent {
  /** The provider's event id (de-duplication key). */
  id: string;
  type: string;
  /** The payment it concerns, when it concerns one. */
  providerPaymentId: string | null;
  /** Our payment id from the provider-side metadata, when present. */
  paymentId: string | null;
  /**
   * The payment as the event shows it, when the event carries it: only a hint (it may be stale). When our record
   * already reflects it, the webhook is recorded without asking the provider; anything else is decided by the
   * provider's current state (retrieve).
   */
  payment?: ProviderPayment;
}

/** The provider did not answer in time or could not be reached: the outcome is unknown. */
export class ProviderUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ProviderUnavailableError';
  }
}

/** The code of a ProviderRejectedError when authorize is refused because the provider does not know the token. */
export const INVALID_TOKEN = 'invalid_token';

/** The provider refused the operation (wrong state, amount out of range, unknown token); nothing changed there. */
export class ProviderRejectedError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
    this.name = 'ProviderRejectedError';
  }
}

/** The webhook's signature is missing, forged or outside the tolerance window. */
export class InvalidSignatureError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidSignatureError';
  }
}

export interface PaymentProvider {
  name: 'sandbox' | 'stripe';
  /** A decline is a normal answer (status `failed`), not an error. */
  authorize(input: ProviderAuthorizeInput): Promise<ProviderPayment>;
  /** The payment created with this idempotency key (created after `createdAfter`), if the provider has one. */
  findByIdempotencyKey(idempotencyKey: string, createdAfter: Date): Promise<ProviderPayment | undefined>;
  capture(providerPaymentId: string, amount: number, idempotencyKey: string): Promise<ProviderPayment>;
  void(providerPaymentId: string, idempotencyKey: string): Promise<ProviderPayment>;
  refund(providerPaymentId: string, amount: number, idempotencyKey: string): Promise<{ id: string; amount: number }>;
  retrieve(providerPaymentId: string): Promise<ProviderPayment>;
  /** Payments created in [from, to) (reconciliation). */
  list(from: Date, to: Date): Promise<ProviderPayment[]>;
  /** Throws InvalidSignatureError; `rawBody` is the exact bytes received. */
  verifyAndParseWebhook(rawBody: string, headers: Record<string, string | string[] | undefined>): ProviderWebhookEvent;
  close?(): Promise<void>;
}
