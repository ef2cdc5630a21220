// SQL of webhooks.endpoints. Secrets arrive here sealed; this file never sees one in clear.
import { sql } from 'kysely';
import type { Row } from '../../platform/db/typed.ts';
import type { WebhooksEndpoints } from './db.generated.ts';
import { now, type Q, webhookTables } from './tables.ts';

export type EndpointRow = Row<WebhooksEndpoints, { disabled_reason: 'manual' | 'failures' | null }>;

export interface NewEndpointRow {
  id: string;
  url: string;
  description: string | null;
  eventTypes: string[];
  secretSealed: string;
}

export async function insertEndpoint(q: Q, e: NewEndpointRow): Promise<EndpointRow> {
  return (await webhookTables(q)
    .insertInto('webhooks.endpoints')
    .values({
      id: e.id,
      url: e.url,
      description: e.description,
      event_types: e.eventTypes,
      secret_sealed: e.secretSealed,
    })
    .returningAll()
    .executeTakeFirstOrThrow()) as EndpointRow;
}

export async function findEndpoint(q: Q, id: string): Promise<EndpointRow | undefined> {
  return (await webhookTables(q)
    .selectFrom('webhooks.endpoints')
    .selectAll()
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .executeTakeFirst()) as EndpointRow | undefined;
}

export async function listEndpoints(q: Q, limit: number, after?: string): Promise<EndpointRow[]> {
  let query = webhookTables(q)
    .selectFrom('webhooks.endpoints')
    .selectAll()
    .where('deleted_at', 'is', null)
    .orderBy('id')
    .limit(limit);
  if (after) query = query.where('id', '>', after);
  return (await query.execute()) as EndpointRow[];
}

export interface EndpointChanges {
  url?: string;
  description?: string | null;
  eventTypes?: string[];
  enabled?: boolean;
}

/** Applies a staff edit. Re-enabling starts the failure count afresh; disabling by hand records why. */
export async function updateEndpoint(q: Q, id: string, c: EndpointChanges): Promise<EndpointRow | undefined> {
  let query = webhookTables(q)
    .updateTable('webhooks.endpoints')
    .set({ updated_at: now })
    .where('id', '=', id)
    .where('deleted_at', 'is', null);
  if (c.url !== undefined) query = query.set({ url: c.url });
  if (c.description !== undefined) query = query.set({ description: c.description });
  if (c.eventTypes !== undefined) query = query.set({ event_types: c.eventTypes });
  if (c.enabled === true) {
    query = query.set({
      enabled: true,
      disabled_reason: null,
      disabled_at: null,
      consecutive_failures: 0,
    });
  } else if (c.enabled === false) {
    query = query.set({
      enabled: false,
      disabled_reason: sql<string>`case when enabled then 'manual' else disabled_reason end`,
      disabled_at: sql<Date>`case when enabled then now() else disabled_at end`,
    });
  }
  return (await query.returningAll().executeTakeFirst()) as EndpointRow | undefined;
}

export async function softDeleteEndpoint(q: Q, id: string): Promise<boolean> {
  const r = await webhookTables(q)
    .updateTable('webhooks.endpoints')
    .set({ deleted_at: now, enabled: false, updated_at: now })
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** The current secret becomes the previous one (signing beside the new one until `overlapHours` have passed). */
export async function rotateSecret(
  q: Q,
  id: string,
  newSealed: string,
  overlapHours: number,
): Promise<EndpointRow | undefined> {
  return (await webhookTables(q)
    .updateTable('webhooks.endpoints')
    .set((eb) => ({
      previous_secret_sealed: overlapHours > 0 ? eb.ref('secret_sealed') : null,
      previous_secret_expires_at: overlapHours > 0 ? sql<Date>`now() + make_interval(hours => ${overlapHours})` : null,
      secret_sealed: newSealed,
      updated_at: now,
    }))
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .returningAll()
    .executeTakeFirst()) as EndpointRow | undefined;
}

export interface Target {
  id: string;
  eventTypes: string[];
}

/** Enabled, live endpoints subscribed to any of `types` (or to everything), with the types each takes. */
export async function subscribersOfAny(q: Q, types: string[]): Promise<Target[]> {
  const rows = await webhookTables(q)
    .selectFrom('webhooks.endpoints')
    .select(['id', 'event_types'])
    .where('enabled', '=', true)
    .where('deleted_at', 'is', null)
    .where(sql<boolean>`(event_types && ${types}::text[] or '*' = any(event_types))`)
    .orderBy('id')
    .execute();
  return rows.map((r) => ({ id: r.id, eventTypes: r.event_types }));
}

/** Locks the endpoint's row: taken first in every transaction that also writes its deliveries (one lock order). */
export async function lockEndpoint(q: Q, id: string): Promise<void> {
  await webhookTables(q).selectFrom('webhooks.endpoints').select('id').where('id', '=', id).forUpdate().execute();
}

/** Counts one failed attempt; answers the count after it. */
export async function countFailure(q: Q, id: string): Promise<number> {
  const r = await webhookTables(q)
    .updateTable('webhooks.endpoints')
    .set((eb) => ({ consecutive_failures: eb('consecutive_failures', '+', 1) }))
    .where('id', '=', id)
    .returning('consecutive_failures')
    .executeTakeFirst();
  return r?.consecutive_failures ?? 0;
}

export async function resetFailures(q: Q, id: string): Promise<void> {
  await webhookTables(q)
    .updateTable('webhooks.endpoints')
    .set({ consecutive_failures: 0 })
    .where('id', '=', id)
    .where('consecutive_failures', '<>', 0)
    .execute();
}

/** Disables an endpoint for its failures; answers the row only for the one call that actually disabled it. */
export async function disableForFailures(q: Q, id: string, threshold: number): Promise<EndpointRow | undefined> {
  return (await webhookTables(q)
    .updateTable('webhooks.endpoints')
    .set({ enabled: false, disabled_reason: 'failures', disabled_at: now, updated_at: now })
    .where('id', '=', id)
    .where('enabled', '=', true)
    .where('deleted_at', 'is', null)
    .where('consecutive_failures', '>=', threshold)
    .returningAll()
    .executeTakeFirst()) as EndpointRow | undefined;
}
