// A module's typed view of the shared query builder. `Db.k` and the transactions `db.transaction` hands out are
// `Kysely<AnyDb>` (one builder for every module); a module's repository narrows what it is given to its own
// generated table types (`<module>/db.generated.ts`, see scripts/db-types.ts), so a query naming a table or column
// the migrations no longer have fails `tsc`. Another module's tables are not in that type, so it cannot query them.
import type { Kysely, Selectable } from 'kysely';
import type { AnyDb } from './db.ts';

/** What callers hold and pass to a repository: `db.k` or a transaction. */
export type Executor = Kysely<AnyDb>;

/** `q` seen through the table types `T` (a type-only narrowing: no run-time cost). */
export function typed<T>(q: Executor): Kysely<T> {
  return q as Kysely<T>;
}

/**
 * A table's row as a query reads it (`select *`, `returning *`), with some columns narrowed to what the code keeps
 * in them (a text column holding a closed set of values, a jsonb document's shape). Narrowing a column the table
 * does not have is a type error, like reading one.
 */
export type Row<
  Table,
  Narrow extends { [K in keyof Narrow]: K extends keyof Table ? unknown : never } = Record<never, never>,
> = Omit<Selectable<Table>, keyof Narrow> & Narrow;
