// SQL for API keys, the security audit log and the login throttle counters (schema `identity`).
import { type NotNull, sql } from 'kysely';
import type { Actor } from '../../platform/context.ts';
import type { Row } from '../../platform/db/typed.ts';
import { newId } from '../../platform/ids.ts';
import type { IdentityApiKeys, IdentityAuditLog } from './db.generated.ts';
import { identityTables, now, type Q } from './tables.ts';

/** An API key as listed: every column but its hash. */
export type ApiKeyRow = Omit<Row<IdentityApiKeys>, 'key_hash'>;

const KEY_COLUMNS = [
  'id',
  'name',
  'prefix',
  'permissions',
  'created_by',
  'created_at',
  'last_used_at',
  'revoked_at',
] as const satisfies readonly (keyof ApiKeyRow)[];

export const apiKeysRepo = {
  async insert(
    q: Q,
    row: {
      id: string;
      name: string;
      prefix: string;
      key_hash: string;
      permissions: string[];
      created_by: string | null;
    },
  ) {
    return (await identityTables(q)
      .insertInto('identity.api_keys')
      .values(row)
      .returning(KEY_COLUMNS)
      .executeTakeFirstOrThrow()) satisfies ApiKeyRow;
  },
  async list(q: Q): Promise<ApiKeyRow[]> {
    return identityTables(q).selectFrom('identity.api_keys').select(KEY_COLUMNS).orderBy('id').execute();
  },
  async activeByHash(q: Q, hash: string): Promise<{ id: string; permissions: string[] } | undefined> {
    return identityTables(q)
      .selectFrom('identity.api_keys')
      .select(['id', 'permissions'])
      .where('key_hash', '=', hash)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
  },
  /** Records use at most once a minute per key, so authentication does not write on every request. */
  async touch(q: Q, id: string): Promise<void> {
    await identityTables(q)
      .updateTable('identity.api_keys')
      .set({ last_used_at: sql`now()` })
      .where('id', '=', id)
      .where((eb) =>
        eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', sql<Date>`now() - interval '60 seconds'`)]),
      )
      .execute();
  },
  /** Returns 'revoked' on the first call, 'already' after, 'missing' for an unknown id. */
  async revoke(q: Q, id: string): Promise<'revoked' | 'already' | 'missing'> {
    const r = await identityTables(q)
      .updateTable('identity.api_keys')
      .set({ revoked_at: sql`now()` })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) === 1) return 'revoked';
    const exists = await identityTables(q)
      .selectFrom('identity.api_keys')
      .select('id')
      .where('id', '=', id)
      .executeTakeFirst();
    return exists ? 'already' : 'missing';
  },
};

/** An audit entry as stored: its IP already sealed (audit-log.ts seals it). */
export interface AuditRecord {
  action: string;
  actor: Actor;
  subjectId?: string | null | undefined;
  ipSealed: string | null;
  detail?: Record<string, unknown> | undefined;
}

/** An audit entry as stored; `ip` is the plaintext IP of an entry written by an older version (until the rotation
 * part seals it). */
export type AuditRow = Row<IdentityAuditLog, { detail: Record<string, unknown> }>;

export function actorId(actor: Actor): string | null {
  switch (actor.kind) {
    case 'customer':
    case 'staff':
      return actor.userId;
    case 'api_key':
      return actor.keyId;
    case 'system':
      return actor.name;
    default:
      return null;
  }
}

export const auditRepo = {
  async append(q: Q, entries: AuditRecord[]): Promise<void> {
    if (entries.length === 0) return;
    await identityTables(q)
      .insertInto('identity.audit_log')
      .values(
        entries.map((e) => ({
          id: newId('aud'),
          action: e.action,
          actor_kind: e.actor.kind,
          actor_id: actorId(e.actor),
          subject_id: e.subjectId ?? null,
          ip_sealed: e.ipSealed,
          detail: JSON.stringify(e.detail ?? {}),
        })),
      )
      .execute();
  },
  async list(
    q: Q,
    f: { limit: number; before?: string | undefined; subjectId?: string | undefined; action?: string | undefined },
  ) {
    let query = identityTables(q).selectFrom('identity.audit_log').selectAll().orderBy('id', 'desc').limit(f.limit);
    if (f.before) query = query.where('id', '<', f.before);
    if (f.subjectId) query = query.where('subject_id', '=', f.subjectId);
    if (f.action) query = query.where('action', '=', f.action);
    return (await query.execute()) as AuditRow[];
  },
  async forSubject(q: Q, subjectId: string): Promise<AuditRow[]> {
    return (await identityTables(q)
      .selectFrom('identity.audit_log')
      .selectAll()
      .where('subject_id', '=', subjectId)
      .orderBy('id')
      .execute()) as AuditRow[];
  },
  /** Deletes entries older than `days` (retention); returns how many. */
  async deleteOlderThan(q: Q, days: number): Promise<number> {
    const r = await identityTables(q)
      .deleteFrom('identity.audit_log')
      .where('at', '<', sql<Date>`now() - make_interval(days => ${days})`)
      .executeTakeFirst();
    return Number(r.numDeletedRows);
  },
};

export const throttleRepo = {
  /** The latest lock among `keys` that is still in force, if any. */
  async lockedUntil(q: Q, keys: string[]): Promise<Date | undefined> {
    const r = await identityTables(q)
      .selectFrom('identity.login_throttle')
      .select(sql<Date | null>`max(locked_until)`.as('until'))
      .where('key', 'in', keys)
      .where('locked_until', '>', now)
      .executeTakeFirst();
    return r?.until ?? undefined;
  },
  /** Counts one failure atomically; a window older than `windowSeconds` (and not locked) starts over. */
  async fail(q: Q, key: string, windowSeconds: number): Promise<number> {
    const stale = sql`identity.login_throttle.window_started_at < now() - make_interval(secs => ${windowSeconds})
      and (identity.login_throttle.locked_until is null or identity.login_throttle.locked_until < now())`;
    const r = await identityTables(q)
      .insertInto('identity.login_throttle')
      .values({ key, failures: 1, window_started_at: sql`now()` })
      .onConflict((oc) =>
        oc.column('key').doUpdateSet({
          failures: sql`case when ${stale} then 1 else identity.login_throttle.failures + 1 end`,
          window_started_at: sql`case when ${stale} then now() else identity.login_throttle.window_started_at end`,
        }),
      )
      .returning('failures')
      .executeTakeFirstOrThrow();
    return r.failures;
  },
  async lock(q: Q, key: string, seconds: number): Promise<Date> {
    const r = await identityTables(q)
      .updateTable('identity.login_throttle')
      .set({ locked_until: sql`now() + make_interval(secs => ${seconds})` })
      .where('key', '=', key)
      .returning('locked_until')
      .$narrowType<{ locked_until: NotNull }>()
      .executeTakeFirstOrThrow();
    return r.locked_until;
  },
  async clear(q: Q, key: string): Promise<void> {
    await identityTables(q).deleteFrom('identity.login_throttle').where('key', '=', key).execute();
  },
};
