// What a provider's failure answers to the caller of the payments service.
import { type AppError, errors } from '../../platform/errors.ts';
import { PAYMENT_ERRORS } from './contract.ts';
import { INVALID_TOKEN, ProviderRejectedError, ProviderUnavailableError } from './provider.ts';

export const unavailable = () =>
  errors.unavailable(PAYMENT_ERRORS.unavailable, 'The payment provider did not answer; retry with the same key.', 2);

/**
 * 503 when the provider's answer is unknown; 422 `payments.invalid_token` for a token it does not know (the client's
 * input); 409 `payments.invalid_state` for any other refusal (wrong state, amount out of range).
 */
export function providerError(e: unknown): AppError {
  if (e instanceof ProviderUnavailableError) return unavailable();
  if (!(e instanceof ProviderRejectedError)) return e as AppError;
  return e.code === INVALID_TOKEN
    ? errors.unprocessable(PAYMENT_ERRORS.invalidToken, 'The payment provider does not know this payment token.')
    : errors.conflict(PAYMENT_ERRORS.invalidState, `The payment provider refused: ${e.code}.`);
}
