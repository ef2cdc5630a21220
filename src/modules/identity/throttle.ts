// Login throttling per IP and per account, with a lockout that doubles on each further failure.
// Counters live in PostgreSQL (identity.login_throttle), so every process sees the same state.
import type { Ctx } from '../../platform/context.ts';
import type { Tx } from '../../platform/db/db.ts';
import { AppError } from '../../platform/errors.ts';
import { type AuditEntry, createAuditLog } from './audit-log.ts';
import type { IdentityDeps } from './identity.deps.ts';
import { throttleRepo } from './security.repo.ts';

export interface ThrottleKeys {
  ip: string;
  account: string;
}

export function lockoutSeconds(failures: number, threshold: number, base: number, max: number): number {
  if (failures < threshold) return 0;
  return Math.min(max, base * 2 ** Math.min(failures - threshold, 20));
}

export function createThrottle(deps: IdentityDeps) {
  const policy = deps.throttle;
  const audit = createAuditLog(deps.fields);
  const locked = (until: Date) => {
    const seconds = Math.max(1, Math.ceil((until.getTime() - Date.now()) / 1000));
    return new AppError(429, 'identity.login_locked', 'Too many requests', {
      detail: `Too many failed sign-in attempts; try again in ${seconds} seconds.`,
      headers: { 'retry-after': String(seconds) },
    });
  };
  return {
    /** Counter keys hold no plaintext: the IP and the email by their blind indexes. */
    keysFor: (ip: string, emailIndex: string): ThrottleKeys => ({
      ip: `ip:${deps.pii.blindIndex(`ip:${ip}`)}`,
      account: `acct:${emailIndex}`,
    }),

    async assertNotLocked(keys: ThrottleKeys): Promise<void> {
      const until = await throttleRepo.lockedUntil(deps.db.k, [keys.ip, keys.account]);
      if (until) throw locked(until);
    },

    async recordFailure(ctx: Ctx, keys: ThrottleKeys, userId: string | null, ip: string): Promise<void> {
      const ipKey = await audit.ipKey(ctx.actor, userId);
      await deps.db.transaction(async (tx) => {
        const entries: AuditEntry[] = [
          {
            action: 'login.failed',
            actor: ctx.actor,
            subjectId: userId,
            ip,
            detail: { knownAccount: userId !== null },
          },
        ];
        for (const [key, threshold] of [
          [keys.account, policy.accountThreshold],
          [keys.ip, policy.ipThreshold],
        ] as const) {
          const failures = await throttleRepo.fail(tx, key, policy.windowSeconds);
          const seconds = lockoutSeconds(failures, threshold, policy.baseLockSeconds, policy.maxLockSeconds);
          if (seconds > 0) {
            await throttleRepo.lock(tx, key, seconds);
            entries.push({
              action: 'login.locked_out',
              actor: ctx.actor,
              subjectId: key === keys.account ? userId : null,
              ip,
              detail: { scope: key === keys.account ? 'account' : 'ip', failures, lockSeconds: seconds },
            });
          }
        }
        await audit.append(tx, entries, ipKey);
      });
    },

    async clearAccount(tx: Tx, keys: ThrottleKeys): Promise<void> {
      await throttleRepo.clear(tx, keys.account);
    },
  };
}
