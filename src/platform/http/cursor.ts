// Keyset cursors of the lists that page by id: the nextCursor a list issues is the last row's id
// (`<prefix>_` and 26 Crockford base32 characters, platform/ids.ts). Anything else was not issued by that list and
// answers a 400 with the list's module's `<module>.invalid_cursor`, before any query runs.
import { errors } from '../errors.ts';

const ID_BODY = '[0-9a-hjkmnp-tv-z]{26}';

/** The cursor when it has the shape of an id with `prefix` (what the list issues), else a 400 with `code`. */
export function idCursor(cursor: string | undefined, prefix: string, code: string): string | undefined {
  if (cursor === undefined) return undefined;
  if (new RegExp(`^${prefix}_${ID_BODY}$`).test(cursor)) return cursor;
  throw errors.badRequest(code, 'The cursor was not issued by this list: pass the nextCursor of its previous page.');
}
