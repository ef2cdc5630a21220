// The payments module's public contract: what orders (and other modules) may call.
import type { Ctx } from '../../platform/context.ts';

export type PaymentStatus =
  | 'pending'
  | 'requires_action'
  | 'authorized'
  | 'captured'
  | 'partially_refunded'
  | 'refunded'
  | 'failed'
  | 'voided';

export type ProviderName = 'sandbox' | 'stripe';

export interface Payment {
  id: string;
  orderId: string;
  /** Integer minor units. */
  amount: number;
  currency: string;
  provider: ProviderName;
  providerPaymentId: string | null;
  /** Sent to the provider on authorize; derived from the order id, so a retry never pays twice. */
  idempotencyKey: string;
  status: PaymentStatus;
  capturedAmount: number;
  refundedAmount: number;
  /** Where the customer completes a 3-D Secure (or similar) step while status is requires_action. */
  nextActionUrl: string | null;
  /** Provider decline reason when status is failed, e.g. `card_declined`, `insufficient_funds`. */
  failureCode: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface Refund {
  id: string;
  paymentId: string;
  orderId: string;
  amount: number;
  currency: string;
  reason: string;
  status: 'pending' | 'succeeded' | 'failed';
  createdAt: string;
}

/** A payment of a person's order as their data export shows it (references and amounts; never card data). */
export interface PaymentReference {
  paymentId: string;
  orderId: string;
  provider: string;
  /** The provider's payment id. */
  providerReference: string | null;
  amount: { amount: number; currency: string };
  captured: { amount: number; currency: string };
  refunded: { amount: number; currency: string };
  status: string;
  createdAt: string;
  refunds: {
    id: string;
    amount: { amount: number; currency: string };
    status: string;
    reason: string;
    createdAt: string;
  }[];
}

export interface AuthorizeInput {
  orderId: string;
  amount: number;
  currency: string;
  /** A provider token (`tok_visa`, a Stripe PaymentMethod id); never card data. */
  token: string;
  returnUrl?: string;
}

export interface PaymentsApi {
  /** The provider this process is configured with (PAYMENT_PROVIDER): the only one a payment can be made with. */
  readonly provider: ProviderName;
  /**
   * Creates (or finds: one payment per order) the payment and authorizes it at the provider.
   * Declines come back as status `failed` with `failureCode`; `requires_action` carries `nextActionUrl`;
   * `pending` means the provider settles later by webhook. Throws 422 `payments.invalid_token` when the provider
   * does not know the token (nothing authorized there; the payment stays `pending`, `void` closes it), and 503
   * `payments.unavailable` when the provider's answer is unknown (retrying with the same order id is safe; `void`
   * resolves it).
   */
  authorize(ctx: Ctx, input: AuthorizeInput): Promise<Payment>;
  /**
   * Captures an authorized payment (the whole amount by default); idempotent. `known`: the payment as the caller
   * has just seen it (saves reading it; if it moved meanwhile, the guarded update notices and reads again).
   */
  capture(ctx: Ctx, paymentId: string, amount?: number, known?: Payment): Promise<Payment>;
  /** Cancels an authorization, also one whose authorize call timed out (found by idempotency key). */
  void(ctx: Ctx, paymentId: string): Promise<Payment>;
  /**
   * Voids the payment now when the provider answers (as `void`). When the provider cannot be reached the void is
   * recorded instead (`scheduled: true`, the payment unchanged) and the `payments.retry_voids` job completes it once
   * the provider answers; an authorization the provider reports later for it is voided too. Either way the caller
   * may release what the payment was for. Other errors are thrown as by `void`.
   */
  requestVoid(ctx: Ctx, paymentId: string): Promise<{ payment: Payment; scheduled: boolean }>;
  /**
   * The order's payment, voided (or its void owed, as `requestVoid`) when it still holds money — pending, requiring
   * action or authorized; otherwise returned as it is. Undefined when the order has no payment.
   */
  voidIfOpen(ctx: Ctx, orderId: string): Promise<Payment | undefined>;
  /** Refunds part or all of the captured amount; `key` makes it idempotent. */
  refund(ctx: Ctx, paymentId: string, amount: number, key: string, reason?: string): Promise<Refund>;
  get(ctx: Ctx, paymentId: string): Promise<Payment | undefined>;
  getByOrderId(ctx: Ctx, orderId: string): Promise<Payment | undefined>;
  /** The payments of these orders with their refunds, for a person's data export (references, never card data). */
  paymentReferences(ctx: Ctx, orderIds: readonly string[]): Promise<PaymentReference[]>;
}

export const PAYMENT_ERRORS = {
  notFound: 'payments.not_found',
  unavailable: 'payments.unavailable',
  declined: 'payments.declined',
  invalidToken: 'payments.invalid_token',
  invalidState: 'payments.invalid_state',
  amountMismatch: 'payments.amount_mismatch',
  refundExceedsCaptured: 'payments.refund_exceeds_captured',
  invalidSignature: 'payments.invalid_signature',
  unknownProvider: 'payments.unknown_provider',
  cardDataRefused: 'payments.card_data_refused',
  idempotencyKeyRequired: 'payments.idempotency_key_required',
  invalidAmount: 'payments.invalid_amount',
  invalidCurrency: 'payments.invalid_currency',
  invalidInput: 'payments.invalid_input',
} as const;
