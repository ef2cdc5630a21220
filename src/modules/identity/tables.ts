// Identity's typed view of the query builder, shared by its repositories, jobs and rotation part.
import { sql } from 'kysely';
import { type Executor, typed } from '../../platform/db/typed.ts';
import type { IdentityDb } from './db.generated.ts';

/** A transaction or the root builder. */
export type Q = Executor;

/** `q` seen through identity's generated table types. */
export const identityTables = (q: Q) => typed<IdentityDb>(q);

/** `now()` as a timestamptz operand. */
export const now = sql<Date>`now()`;
