// Shared TypeBox building blocks for route schemas, so every string, array and integer of the API carries a bound and,
// where one is known, a format or pattern (the OpenAPI document is checked by Spectral's OWASP ruleset in CI:
// test/contract/openapi-lint.test.ts).
//
// Request bounds are what the server enforces; do not tighten one below what clients already send. Response bounds
// describe what the server produces and are deliberately generous (they are not checked when serialising).
import { type TSchema, Type } from 'typebox';
import { COUNTRY_FORMAT, CURRENCY_FORMAT } from '../iso-codes.ts';

/** Upper bound of a PostgreSQL integer column. */
export const INT4_MAX = 2_147_483_647;
/** The largest integer JSON numbers carry exactly (bigint columns, money in minor units). */
export const SAFE_MAX = Number.MAX_SAFE_INTEGER;

type StringOptions = Parameters<typeof Type.String>[0];
type IntegerOptions = NonNullable<Parameters<typeof Type.Integer>[0]>;
type ArrayOptions = Parameters<typeof Type.Array>[1];

/** Free text of at most `maxLength` characters (responses: 10,000 unless the column says less). */
export const Text = (maxLength = 10_000, options: StringOptions = {}) => Type.String({ maxLength, ...options });

/** An identifier as the server issues it (`<prefix>_<26 chars>`), or a slug-like key; at most 200 characters. */
export const Id = (options: StringOptions = {}) =>
  Type.String({ minLength: 1, maxLength: 200, pattern: '^[A-Za-z0-9][A-Za-z0-9._:-]*$', ...options });

/** A path or query identifier a client sends: only bounded (an unknown or malformed id is the handler's 404). */
export const IdParam = (options: StringOptions = {}) => Type.String({ minLength: 1, maxLength: 200, ...options });

/** An email address (RFC 5321 caps a path at 254 characters; 320 leaves room for what older rows hold). */
export const Email = (options: StringOptions = {}) => Type.String({ format: 'email', maxLength: 320, ...options });

/** An RFC 3339 timestamp. */
export const DateTime = (options: StringOptions = {}) =>
  Type.String({ format: 'date-time', maxLength: 40, ...options });

/** An RFC 3339 calendar date (YYYY-MM-DD). */
export const DateOnly = (options: StringOptions = {}) => Type.String({ format: 'date', maxLength: 10, ...options });

/** An absolute URI. */
export const Url = (options: StringOptions = {}) => Type.String({ format: 'uri', maxLength: 2000, ...options });

/**
 * An ISO 4217 currency code in current use, upper case (iso-codes.ts). The `format` is checked by the request
 * validators: `ZZZ` or a withdrawn `HRK` is 400 `request.validation_failed` like a malformed code. The OpenAPI
 * type stays a plain string with a pattern, so generated clients take any `string`.
 */
export const CurrencyCode = (options: StringOptions = {}) =>
  Type.String({
    format: CURRENCY_FORMAT,
    pattern: '^[A-Z]{3}$',
    minLength: 3,
    maxLength: 3,
    description: 'ISO 4217 currency code, upper case; requests take only codes in current use',
    examples: ['EUR'],
    ...options,
  });

/** A tax category (pricing's rates are per category; products name theirs): lower snake case, at most 40. */
export const TaxCategory = (options: StringOptions = {}) =>
  Type.String({ pattern: '^[a-z][a-z0-9_]{0,39}$', maxLength: 40, examples: ['reduced'], ...options });

/**
 * An assigned ISO 3166-1 alpha-2 country code, upper case unless `pattern` says otherwise (iso-codes.ts). The
 * `format` is checked by the request validators: `ZZ` or the reserved `UK` is 400 `request.validation_failed`.
 */
export const CountryCode = (options: StringOptions = {}) =>
  Type.String({
    format: COUNTRY_FORMAT,
    pattern: '^[A-Z]{2}$',
    minLength: 2,
    maxLength: 2,
    description: 'ISO 3166-1 alpha-2 country code, upper case; requests take only assigned codes',
    examples: ['DE'],
    ...options,
  });

/** An opaque secret or cursor the server issued (base64url and friends). */
export const Token = (maxLength = 500, options: StringOptions = {}) =>
  Type.String({ maxLength, pattern: '^[A-Za-z0-9._~+/=:-]*$', ...options });

/** An integer within [minimum, maximum]; the OpenAPI format follows from the range (int32 or int64). */
export const Int = (minimum: number, maximum: number, options: IntegerOptions = {}) =>
  Type.Integer({
    format: minimum >= -INT4_MAX - 1 && maximum <= INT4_MAX ? 'int32' : 'int64',
    minimum,
    maximum,
    ...options,
  });

/**
 * `Type.Integer` with the bounds the OpenAPI rules ask for: the given minimum/maximum, else the range JSON carries
 * exactly; the format (int32 or int64) follows from the range.
 */
export const Integer = (options: IntegerOptions = {}) =>
  Int(Number(options.minimum ?? -SAFE_MAX), Number(options.maximum ?? SAFE_MAX), options);

/** A count, quantity or page size that cannot be negative (a PostgreSQL integer). */
export const Count = (options: IntegerOptions = {}) => Int(0, INT4_MAX, options);

/** Money in integer minor units (cents); `signed` for amounts that may be negative (adjustments, discounts). */
export const Minor = (options: IntegerOptions & { signed?: boolean } = {}) => {
  const { signed, ...rest } = options;
  return Int(signed ? -SAFE_MAX : 0, SAFE_MAX, { description: 'Integer minor units', ...rest });
};

/** `{amount, currency}` in integer minor units. */
export const Money = (options: { signed?: boolean } = {}) =>
  Type.Object(
    { amount: Minor(options.signed ? { signed: true } : {}), currency: CurrencyCode() },
    { examples: [{ amount: 4999, currency: 'EUR' }] },
  );

/** An array of at most `maxItems` items (responses: 1,000 unless the page is smaller). */
export const List = <T extends TSchema>(items: T, maxItems = 1000, options: ArrayOptions = {}) =>
  Type.Array(items, { maxItems, ...options });

/** An entity version (optimistic concurrency, also sent as the ETag). */
export const Version = (options: IntegerOptions = {}) => Int(0, INT4_MAX, options);
