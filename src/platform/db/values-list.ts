// A relation of parameters written as a VALUES list instead of unnest() of array parameters. A prepared statement
// then knows how many rows it gets: PostgreSQL's generic plan costs what a custom one does and is used from the sixth
// execution on, where an array's unknown length keeps a statement planned anew on every execution (about 0.45 ms for
// a reservation's statement). Each length is its own statement text, so keep it to short lists (a reservation's lines).
import { type RawBuilder, sql } from 'kysely';

/**
 * `(values (…), (…)) as alias(columns)`: one row per item, each made by `row` (cast its parameters, as a VALUES
 * list takes its types from them). An empty list is `(select … where false)` with `empty` as its one row's shape.
 */
export function valuesList<T>(
  items: readonly T[],
  row: (item: T) => RawBuilder<unknown>,
  alias: string,
  empty: RawBuilder<unknown>,
): RawBuilder<unknown> {
  const as = sql.raw(alias);
  if (items.length === 0) return sql`(select ${empty} where false) as ${as}`;
  return sql`(values ${sql.join(items.map(row))}) as ${as}`;
}
