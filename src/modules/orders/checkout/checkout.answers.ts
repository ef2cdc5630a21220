// Answers of the checkout: stored per attempt (so a replay gets the original one) and rebuilt as errors.
import { AppError, errors } from '../../../platform/errors.ts';
import { PAYMENT_ERRORS } from '../../payments/index.ts';
import { type CheckoutSnapshot, ORDER_ERRORS } from '../contract.ts';
import type { Answer, Attempt } from './checkout.repo.ts';

export function missingParts(s: CheckoutSnapshot): string[] {
  const missing: string[] = [];
  if (s.lines.length === 0) missing.push('lines');
  if (!s.email) missing.push('email');
  if (!s.shippingAddress) missing.push('shippingAddress');
  if (!s.shippingMethod) missing.push('shippingMethod');
  return missing;
}

export const problemAnswer = (e: AppError): Answer => ({
  status: e.status,
  body: { code: e.code, title: e.title, detail: e.detail ?? e.title, ...(e.extra ?? {}) },
});

export function fromAnswer(a: Answer): AppError {
  const { code, title, detail, ...extra } = a.body as { code: string; title: string; detail: string };
  return new AppError(a.status, code, title, { detail, extra });
}

/** 409 for a cart whose checkout someone holds; Retry-After in seconds (see `retryAfterFor`, checkout.lease.ts). */
export const inProgress = (retryAfterSeconds = 1) =>
  new AppError(409, ORDER_ERRORS.checkoutInProgress, 'Conflict', {
    detail: 'A checkout for this cart is in progress; retry shortly.',
    headers: { 'retry-after': String(retryAfterSeconds) },
  });

/** The answer stored for an attempt whose holder died before the pivot (a retry with the same key starts anew). */
export const interrupted = () =>
  new AppError(503, 'orders.checkout_interrupted', 'Service unavailable', {
    detail: 'The checkout was interrupted; retry with the same Idempotency-Key.',
  });

/** 402 payments.declined: the provider refused the payment (at authorization, or later by webhook). */
export const paymentDeclined = (declineCode: string): AppError =>
  new AppError(402, PAYMENT_ERRORS.declined, 'Payment declined', {
    detail: `The payment was declined (${declineCode}).`,
    extra: { declineCode },
  });

/** 422 payments.unknown_provider: the payment names a provider this process is not configured with. */
export const providerNotConfigured = (requested: string, configured: string): AppError =>
  errors.unprocessable(
    PAYMENT_ERRORS.unknownProvider,
    `Payments are not configured for ${requested}; the configured provider is ${configured}.`,
    [{ field: '/payment/provider', message: `Must be ${configured}.` }],
  );

/** An attempt whose customer was erased before it was placed: it can only be undone. */
export const customerErased = (): AppError =>
  new AppError(410, ORDER_ERRORS.customerErased, 'Gone', {
    detail: "The customer's data was erased while the checkout was pending; nothing was charged.",
  });

/** The answer for an attempt waiting for the customer (3-D Secure) or the provider: 202 with what to do next. */
export const waitingAnswer = (a: Attempt) => ({
  kind: 'requires_action' as const,
  attemptId: a.id,
  nextAction: a.nextActionUrl ? { type: 'redirect' as const, url: a.nextActionUrl } : { type: 'wait' as const },
  subject: a.subject ?? undefined,
});
