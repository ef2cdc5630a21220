// SQL for users, sessions, refresh tokens, single-use account tokens and addresses (schema `identity`).
// Every function takes the transaction (or the Kysely instance outside one) as its first argument.
import { sql } from 'kysely';
import type { Row } from '../../platform/db/typed.ts';
import type { IdentityAddresses, IdentitySessions, IdentityUsers } from './db.generated.ts';
import { identityTables, now, type Q } from './tables.ts';

type UserStatus = { status: 'active' | 'erased' };
export type UserRow = Row<IdentityUsers, UserStatus>;

export type AddressRow = Row<IdentityAddresses>;

export const usersRepo = {
  async insert(q: Q, row: Partial<UserRow> & { id: string }): Promise<void> {
    await identityTables(q).insertInto('identity.users').values(row).execute();
  },
  async byId(q: Q, id: string): Promise<UserRow | undefined> {
    return identityTables(q)
      .selectFrom('identity.users')
      .selectAll()
      .$narrowType<UserStatus>()
      .where('id', '=', id)
      .executeTakeFirst();
  },
  async byIds(q: Q, ids: string[]): Promise<UserRow[]> {
    if (ids.length === 0) return [];
    return identityTables(q)
      .selectFrom('identity.users')
      .selectAll()
      .$narrowType<UserStatus>()
      .where('id', 'in', ids)
      .where('status', '=', 'active')
      .execute();
  },
  async byEmailIndex(q: Q, candidates: string[]): Promise<UserRow | undefined> {
    return identityTables(q)
      .selectFrom('identity.users')
      .selectAll()
      .$narrowType<UserStatus>()
      .where('email_index', 'in', candidates)
      .where('status', '=', 'active')
      .executeTakeFirst();
  },
  async update(q: Q, id: string, set: Partial<UserRow>): Promise<UserRow | undefined> {
    return identityTables(q)
      .updateTable('identity.users')
      .set({ ...set, updated_at: sql`now()` })
      .where('id', '=', id)
      .where('status', '=', 'active')
      .returningAll()
      .$narrowType<UserStatus>()
      .executeTakeFirst();
  },
  async list(q: Q, limit: number, after: string | undefined): Promise<UserRow[]> {
    let query = identityTables(q)
      .selectFrom('identity.users')
      .selectAll()
      .$narrowType<UserStatus>()
      .orderBy('id')
      .limit(limit);
    if (after) query = query.where('id', '>', after);
    return query.execute();
  },
  /**
   * Disables (`now()`) or re-enables (null) an active account that is not in that state yet: one conditional update,
   * so of two concurrent calls exactly one changes the row. Undefined when it is missing, erased or already so.
   */
  async setDisabled(q: Q, id: string, disabled: boolean): Promise<UserRow | undefined> {
    return identityTables(q)
      .updateTable('identity.users')
      .set({ disabled_at: disabled ? sql`now()` : null, updated_at: sql`now()` })
      .where('id', '=', id)
      .where('status', '=', 'active')
      .where('disabled_at', disabled ? 'is' : 'is not', null)
      .returningAll()
      .$narrowType<UserStatus>()
      .executeTakeFirst();
  },
  async count(q: Q): Promise<number> {
    const r = await identityTables(q)
      .selectFrom('identity.users')
      .select(sql<string>`count(*)`.as('n'))
      .executeTakeFirstOrThrow();
    return Number(r.n);
  },
  /** Erases personal data and credentials; returns false when already erased or absent. */
  async erase(q: Q, id: string): Promise<boolean> {
    const r = await identityTables(q)
      .updateTable('identity.users')
      .set({
        email_index: null,
        email_enc: null,
        name_enc: null,
        phone_enc: null,
        password_hash: null,
        roles: sql`'{}'::text[]`,
        status: 'erased',
        erased_at: sql`now()`,
        updated_at: sql`now()`,
      })
      .where('id', '=', id)
      .where('status', '=', 'active')
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  },
};

/**
 * A session as stored. `ip` and `user_agent` hold plaintext only in rows written by older versions (the rotation
 * part moves them to the sealed columns).
 */
export type SessionRow = Row<IdentitySessions>;

export const sessionsRepo = {
  async insert(
    q: Q,
    row: { id: string; user_id: string; ip_sealed: string; user_agent_sealed: string | null; ttlSeconds: number },
  ) {
    await identityTables(q)
      .insertInto('identity.sessions')
      .values({
        id: row.id,
        user_id: row.user_id,
        ip_sealed: row.ip_sealed,
        user_agent_sealed: row.user_agent_sealed,
        expires_at: sql`now() + make_interval(secs => ${row.ttlSeconds})`,
      })
      .execute();
  },
  /** The session and its user, for the authenticator (one indexed lookup per request). */
  async activeWithUser(q: Q, sessionId: string, userId: string): Promise<{ roles: string[] } | undefined> {
    return identityTables(q)
      .selectFrom('identity.sessions as s')
      .innerJoin('identity.users as u', 'u.id', 's.user_id')
      .select(['u.roles'])
      .where('s.id', '=', sessionId)
      .where('s.user_id', '=', userId)
      .where('s.revoked_at', 'is', null)
      .where('s.expires_at', '>', now)
      .where('u.status', '=', 'active')
      .where('u.disabled_at', 'is', null)
      .executeTakeFirst();
  },
  async isActive(q: Q, sessionId: string): Promise<boolean> {
    const r = await identityTables(q)
      .selectFrom('identity.sessions')
      .select('id')
      .where('id', '=', sessionId)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    return r !== undefined;
  },
  async revoke(q: Q, sessionId: string, reason: string): Promise<boolean> {
    const r = await identityTables(q)
      .updateTable('identity.sessions')
      .set({ revoked_at: sql`now()`, revoked_reason: reason })
      .where('id', '=', sessionId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    await identityTables(q)
      .deleteFrom('identity.refresh_tokens')
      .where('session_id', '=', sessionId)
      .where('used_at', 'is', null)
      .execute();
    return Number(r.numUpdatedRows) === 1;
  },
  async revokeAllForUser(q: Q, userId: string, reason: string): Promise<number> {
    const r = await identityTables(q)
      .updateTable('identity.sessions')
      .set({ revoked_at: sql`now()`, revoked_reason: reason })
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    await identityTables(q).deleteFrom('identity.refresh_tokens').where('user_id', '=', userId).execute();
    return Number(r.numUpdatedRows);
  },
  async forUser(q: Q, userId: string): Promise<SessionRow[]> {
    return identityTables(q)
      .selectFrom('identity.sessions')
      .selectAll()
      .where('user_id', '=', userId)
      .orderBy('id')
      .execute();
  },
};

export const refreshRepo = {
  async insert(q: Q, row: { hash: string; sessionId: string; userId: string; ttlSeconds: number }): Promise<void> {
    await identityTables(q)
      .insertInto('identity.refresh_tokens')
      .values({
        token_hash: row.hash,
        session_id: row.sessionId,
        user_id: row.userId,
        expires_at: sql`now() + make_interval(secs => ${row.ttlSeconds})`,
      })
      .execute();
  },
  /** Spends a token atomically: exactly one caller gets the row. */
  async spend(q: Q, hash: string): Promise<{ session_id: string; user_id: string } | undefined> {
    return identityTables(q)
      .updateTable('identity.refresh_tokens')
      .set({ used_at: sql`now()` })
      .where('token_hash', '=', hash)
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .returning(['session_id', 'user_id'])
      .executeTakeFirst();
  },
  async find(q: Q, hash: string): Promise<{ session_id: string; user_id: string; used_at: Date | null } | undefined> {
    return identityTables(q)
      .selectFrom('identity.refresh_tokens')
      .select(['session_id', 'user_id', 'used_at'])
      .where('token_hash', '=', hash)
      .executeTakeFirst();
  },
};

export type AccountTokenPurpose = 'verify_email' | 'password_reset';

export const accountTokensRepo = {
  async insert(q: Q, row: { hash: string; userId: string; purpose: AccountTokenPurpose; expiresAt: Date }) {
    await identityTables(q)
      .insertInto('identity.account_tokens')
      .values({ token_hash: row.hash, user_id: row.userId, purpose: row.purpose, expires_at: row.expiresAt })
      .execute();
  },
  /** The active account of a token that can still be used (read before the transaction that consumes it). */
  async activeOwner(q: Q, hash: string, purpose: AccountTokenPurpose): Promise<string | undefined> {
    const r = await identityTables(q)
      .selectFrom('identity.account_tokens as t')
      .innerJoin('identity.users as u', 'u.id', 't.user_id')
      .select('u.id')
      .where('t.token_hash', '=', hash)
      .where('t.purpose', '=', purpose)
      .where('t.used_at', 'is', null)
      .where('t.expires_at', '>', now)
      .where('u.status', '=', 'active')
      .where('u.disabled_at', 'is', null)
      .executeTakeFirst();
    return r?.id;
  },
  /** Deletes the account's unused tokens of `purpose` (a disabled account's pending password resets). */
  async dropUnused(q: Q, userId: string, purpose: AccountTokenPurpose): Promise<void> {
    await identityTables(q)
      .deleteFrom('identity.account_tokens')
      .where('user_id', '=', userId)
      .where('purpose', '=', purpose)
      .where('used_at', 'is', null)
      .execute();
  },
  /** Single use: marks the token used and returns its user, or undefined when spent, expired or unknown. */
  async consume(q: Q, hash: string, purpose: AccountTokenPurpose): Promise<string | undefined> {
    const r = await identityTables(q)
      .updateTable('identity.account_tokens')
      .set({ used_at: sql`now()` })
      .where('token_hash', '=', hash)
      .where('purpose', '=', purpose)
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .returning('user_id')
      .executeTakeFirst();
    return r?.user_id;
  },
};

export const addressesRepo = {
  async insert(q: Q, row: { id: string; user_id: string; data_enc: string }): Promise<void> {
    await identityTables(q).insertInto('identity.addresses').values(row).execute();
  },
  async forUser(q: Q, userId: string): Promise<AddressRow[]> {
    return identityTables(q)
      .selectFrom('identity.addresses')
      .selectAll()
      .where('user_id', '=', userId)
      .orderBy('id')
      .execute();
  },
  /** Scoped by owner: another user's address is simply not found. */
  async owned(q: Q, userId: string, id: string): Promise<AddressRow | undefined> {
    return identityTables(q)
      .selectFrom('identity.addresses')
      .selectAll()
      .where('id', '=', id)
      .where('user_id', '=', userId)
      .executeTakeFirst();
  },
  async update(q: Q, userId: string, id: string, dataEnc: string): Promise<boolean> {
    const r = await identityTables(q)
      .updateTable('identity.addresses')
      .set({ data_enc: dataEnc, updated_at: sql`now()` })
      .where('id', '=', id)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  },
  async remove(q: Q, userId: string, id: string): Promise<boolean> {
    const r = await identityTables(q)
      .deleteFrom('identity.addresses')
      .where('id', '=', id)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return Number(r.numDeletedRows) === 1;
  },
  async removeAll(q: Q, userId: string): Promise<void> {
    await identityTables(q).deleteFrom('identity.addresses').where('user_id', '=', userId).execute();
  },
};
