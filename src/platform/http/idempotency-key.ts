// The Idempotency-Key's one format, for every route that takes the header and for GraphQL's placeOrder argument:
// 1 to 255 printable ASCII characters without spaces (0x21–0x7e), e.g. a UUID. A route declaring the header in its
// own schema uses `idempotencyKeySchema`; a key of another format is refused by validation (400
// request.validation_failed) before anything runs.
import { Type } from 'typebox';

export const IDEMPOTENCY_KEY_PATTERN = '^[\\x21-\\x7e]+$';
export const IDEMPOTENCY_KEY_FORMAT = '1 to 255 printable ASCII characters without spaces';

const KEY_RE = /^[\x21-\x7e]{1,255}$/;

export const isIdempotencyKey = (key: string): boolean => KEY_RE.test(key);

/** The header's (or argument's) schema; `description` says what the key does on this route. */
export const idempotencyKeySchema = (description: string) =>
  Type.String({
    minLength: 1,
    maxLength: 255,
    pattern: IDEMPOTENCY_KEY_PATTERN,
    description: `${description}; ${IDEMPOTENCY_KEY_FORMAT}`,
  });
