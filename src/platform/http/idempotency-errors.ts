// The Idempotency-Key problems, shared by the idempotency layer and the error handler (a required header missing).
import { AppError } from '../errors.ts';

export const idempotencyErrors = {
  required: () =>
    new AppError(400, 'idempotency.key_required', 'Idempotency-Key required', {
      detail: 'This operation requires an Idempotency-Key header (a unique value per operation, e.g. a UUID).',
    }),
  reused: () =>
    new AppError(422, 'idempotency.key_reused', 'Idempotency-Key reused', {
      detail: 'This Idempotency-Key was used for a different request; use a new key for a new operation.',
    }),
  inProgress: (retryAfterSeconds: number) =>
    new AppError(409, 'idempotency.in_progress', 'Request in progress', {
      detail: 'A request with this Idempotency-Key is still being processed; retry after a moment.',
      headers: { 'retry-after': String(retryAfterSeconds) },
    }),
};
