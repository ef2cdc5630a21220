// Scheduled jobs: re-encryption of personal data under the active key, and retention (stale
// unverified accounts, expired tokens, old throttle counters).
import { sql } from 'kysely';
import type { Ctx } from '../../platform/context.ts';
import type { ScheduledJob } from '../../platform/jobs/job.ts';
import type { IdentityDeps } from './identity.deps.ts';

const BATCH = 200;

/** Re-encrypts up to `BATCH` rows per table whose values carry an old key id. Returns rows changed. */
export async function reencryptBatch(deps: IdentityDeps): Promise<number> {
  const { db, pii } = deps;
  const active = `v1.${pii.activeKeyId}.%`;
  let changed = 0;
  const users = await db.k
    .selectFrom('identity.users')
    .select(['id', 'email_enc', 'name_enc', 'phone_enc'])
    .where('status', '=', 'active')
    .where((eb: import('../../platform/db/db.ts').AnyDb) =>
      eb.or(
        (['email_enc', 'name_enc', 'phone_enc'] as const).map((c) =>
          eb.and([eb(c, 'is not', null), eb(c, 'not like', active)]),
        ),
      ),
    )
    .limit(BATCH)
    .execute();
  for (const u of users as {
    id: string;
    email_enc: string | null;
    name_enc: string | null;
    phone_enc: string | null;
  }[]) {
    const email = pii.decryptOptional('users.email', u.email_enc);
    const re = (field: string, v: string | null) => pii.encryptOptional(field, pii.decryptOptional(field, v));
    // Optimistic: only if nothing changed the row meanwhile.
    const r = await db.transaction((tx) =>
      tx
        .updateTable('identity.users')
        .set({
          email_enc: re('users.email', u.email_enc),
          email_index: email === null ? null : pii.blindIndex(email),
          name_enc: re('users.name', u.name_enc),
          phone_enc: re('users.phone', u.phone_enc),
        })
        .where('id', '=', u.id)
        .where(sql<boolean>`email_enc is not distinct from ${u.email_enc}`)
        .where(sql<boolean>`name_enc is not distinct from ${u.name_enc}`)
        .where(sql<boolean>`phone_enc is not distinct from ${u.phone_enc}`)
        .executeTakeFirst(),
    );
    changed += Number(r.numUpdatedRows);
  }
  const addresses = await db.k
    .selectFrom('identity.addresses')
    .select(['id', 'data_enc'])
    .where('data_enc', 'not like', active)
    .limit(BATCH)
    .execute();
  for (const a of addresses as { id: string; data_enc: string }[]) {
    const next = pii.encrypt('addresses.data', pii.decrypt('addresses.data', a.data_enc));
    const r = await db.transaction((tx) =>
      tx
        .updateTable('identity.addresses')
        .set({ data_enc: next })
        .where('id', '=', a.id)
        .where('data_enc', '=', a.data_enc)
        .executeTakeFirst(),
    );
    changed += Number(r.numUpdatedRows);
  }
  return changed;
}

export interface RetentionResult {
  unverifiedUsers: number;
  refreshTokens: number;
  accountTokens: number;
  sessions: number;
  throttle: number;
}

export async function runRetention(deps: IdentityDeps): Promise<RetentionResult> {
  return deps.db.transaction(async (tx) => {
    const n = (r: { numDeletedRows: bigint }) => Number(r.numDeletedRows);
    const unverifiedUsers = n(
      await tx
        .deleteFrom('identity.users')
        .where('email_verified_at', 'is', null)
        .where(sql`cardinality(roles)`, '=', 0)
        .where('status', '=', 'active')
        .where('created_at', '<', sql`now() - make_interval(secs => ${deps.unverifiedRetentionSeconds})`)
        .executeTakeFirst(),
    );
    const refreshTokens = n(
      await tx.deleteFrom('identity.refresh_tokens').where('expires_at', '<', sql`now()`).executeTakeFirst(),
    );
    const accountTokens = n(
      await tx
        .deleteFrom('identity.account_tokens')
        .where((eb: import('../../platform/db/db.ts').AnyDb) =>
          eb.or([eb('expires_at', '<', sql`now()`), eb('used_at', 'is not', null)]),
        )
        .executeTakeFirst(),
    );
    const sessions = n(
      await tx
        .deleteFrom('identity.sessions')
        .where((eb: import('../../platform/db/db.ts').AnyDb) =>
          eb.or([eb('expires_at', '<', sql`now()`), eb('revoked_at', '<', sql`now() - interval '30 days'`)]),
        )
        .executeTakeFirst(),
    );
    const throttle = n(
      await tx
        .deleteFrom('identity.login_throttle')
        .where('window_started_at', '<', sql`now() - interval '1 day'`)
        .where((eb: import('../../platform/db/db.ts').AnyDb) =>
          eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', sql`now()`)]),
        )
        .executeTakeFirst(),
    );
    return { unverifiedUsers, refreshTokens, accountTokens, sessions, throttle };
  });
}

export function identityJobs(deps: IdentityDeps): ScheduledJob[] {
  return [
    {
      name: 'identity.reencrypt_personal_data',
      intervalMs: 10 * 60_000,
      async run(_ctx: Ctx) {
        while ((await reencryptBatch(deps)) > 0) {
          /* until no value under an old key remains */
        }
      },
    },
    {
      name: 'identity.retention',
      intervalMs: 60 * 60_000,
      async run(_ctx: Ctx) {
        const r = await runRetention(deps);
        deps.logger.info(r, 'identity retention');
      },
    },
  ];
}
