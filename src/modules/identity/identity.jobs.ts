// Scheduled jobs: retention (stale unverified accounts, expired tokens, ended sessions, old throttle counters, audit
// entries older than RETENTION_AUDIT_DAYS). Re-encryption after a key change is identity.rotation.ts, driven by the
// platform's key rotation job.
import { sql } from 'kysely';
import type { Ctx } from '../../platform/context.ts';
import type { ScheduledJob } from '../../platform/jobs/job.ts';
import type { IdentityDeps } from './identity.deps.ts';
import { auditRepo } from './security.repo.ts';
import { identityTables, now } from './tables.ts';

export interface RetentionResult {
  unverifiedUsers: number;
  refreshTokens: number;
  accountTokens: number;
  sessions: number;
  throttle: number;
  auditEntries: number;
}

export async function runRetention(deps: IdentityDeps): Promise<RetentionResult> {
  return deps.db.transaction(async (q) => {
    const tx = identityTables(q);
    const n = (r: { numDeletedRows: bigint }) => Number(r.numDeletedRows);
    const unverifiedUsers = n(
      await tx
        .deleteFrom('identity.users')
        .where('email_verified_at', 'is', null)
        .where(sql`cardinality(roles)`, '=', 0)
        .where('status', '=', 'active')
        .where('created_at', '<', sql<Date>`now() - make_interval(secs => ${deps.unverifiedRetentionSeconds})`)
        .executeTakeFirst(),
    );
    const refreshTokens = n(
      await tx.deleteFrom('identity.refresh_tokens').where('expires_at', '<', now).executeTakeFirst(),
    );
    const accountTokens = n(
      await tx
        .deleteFrom('identity.account_tokens')
        .where((eb) => eb.or([eb('expires_at', '<', now), eb('used_at', 'is not', null)]))
        .executeTakeFirst(),
    );
    const sessions = n(
      await tx
        .deleteFrom('identity.sessions')
        .where((eb) =>
          eb.or([eb('expires_at', '<', now), eb('revoked_at', '<', sql<Date>`now() - interval '30 days'`)]),
        )
        .executeTakeFirst(),
    );
    const throttle = n(
      await tx
        .deleteFrom('identity.login_throttle')
        .where('window_started_at', '<', sql<Date>`now() - interval '1 day'`)
        .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', now)]))
        .executeTakeFirst(),
    );
    const auditEntries = await auditRepo.deleteOlderThan(q, deps.config.retention.auditDays);
    return { unverifiedUsers, refreshTokens, accountTokens, sessions, throttle, auditEntries };
  });
}

export function identityJobs(deps: IdentityDeps): ScheduledJob[] {
  return [
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
