// The webhooks module's typed view of the query builder, shared by its repositories.
import { sql } from 'kysely';
import { type Executor, typed } from '../../platform/db/typed.ts';
import type { WebhooksDb } from './db.generated.ts';

/** A transaction or the root builder. */
export type Q = Executor;

/** `q` seen through the webhooks module's generated table types. */
export const webhookTables = (q: Q) => typed<WebhooksDb>(q);

/** `now()` as a timestamptz operand. */
export const now = sql<Date>`now()`;
