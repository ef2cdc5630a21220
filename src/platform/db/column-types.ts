// The column types the generated table types (`db.generated.ts`, written by scripts/db-types.ts) refer to, in one
// place. They say what our pg type parsers return (pg-types.ts): timestamptz → Date, jsonb → parsed JSON,
// int8 → number (mapped in the generator).
import type { ColumnType } from 'kysely';

/** A column with a default: optional on insert. */
export type Generated<T> =
  T extends ColumnType<infer S, infer I, infer U> ? ColumnType<S, I | undefined, U> : ColumnType<T, T | undefined, T>;

/** timestamptz: read as a Date; written as a Date or an ISO string. */
export type Timestamp = ColumnType<Date, Date | string, Date | string>;

export type JsonPrimitive = boolean | number | string | null;
export type JsonArray = JsonValue[];
export type JsonObject = { [x: string]: JsonValue | undefined };
export type JsonValue = JsonArray | JsonObject | JsonPrimitive;
/** jsonb: read as parsed JSON; written as a value or a JSON text. */
export type Json = JsonValue;
