// The security audit log with its IPs sealed: under the data key of the account the entry concerns (the acting
// account, else the account acted on), so erasing that account makes them unreadable; under the master key when no
// account is known (a failed sign-in for an unknown email, a system or API key actor). Entries are deleted after
// RETENTION_AUDIT_DAYS (identity.jobs.ts).
import type { Actor } from '../../platform/context.ts';
import type { DataKey } from '../../platform/privacy/data-keys.ts';
import { FIELDS, type PersonalFields } from './personal-fields.ts';
import { type AuditRow, auditRepo } from './security.repo.ts';
import type { Q } from './tables.ts';

export interface AuditEntry {
  action: string;
  actor: Actor;
  subjectId?: string | null | undefined;
  /** Plaintext; sealed before it is stored. */
  ip?: string | null | undefined;
  detail?: Record<string, unknown>;
}

/** A stored entry with its IP opened (null when its account was erased). */
export type OpenedAuditRow = Omit<AuditRow, 'ip_sealed'>;

export function createAuditLog(fields: PersonalFields) {
  const opened = async (rows: AuditRow[]): Promise<OpenedAuditRow[]> => {
    await fields.preload(rows.map((r) => r.ip_sealed));
    return Promise.all(
      rows.map(async ({ ip_sealed, ...r }) => ({
        ...r,
        ip: ip_sealed === null ? r.ip : await fields.open(FIELDS.auditIp, ip_sealed),
      })),
    );
  };
  return {
    /**
     * The key the entries' IP is sealed under: the signed-in actor's account, else `accountId` (the account acted
     * on, when known); null (master key) otherwise. Call it before opening the transaction.
     */
    async ipKey(actor: Actor, accountId?: string | null): Promise<DataKey | null> {
      const userId = actor.kind === 'customer' || actor.kind === 'staff' ? actor.userId : accountId;
      return userId ? fields.keyOf(userId) : null;
    },
    /** Appends entries; their IPs are sealed under `ipKey` (master key when absent). */
    async append(q: Q, entries: AuditEntry[], ipKey: DataKey | null = null): Promise<void> {
      await auditRepo.append(
        q,
        entries.map(({ ip, ...e }) => ({ ...e, ipSealed: fields.sealOptional(ipKey, FIELDS.auditIp, ip) })),
      );
    },
    async list(
      q: Q,
      f: { limit: number; before?: string | undefined; subjectId?: string | undefined; action?: string | undefined },
    ): Promise<OpenedAuditRow[]> {
      return opened(await auditRepo.list(q, f));
    },
    async forSubject(q: Q, subjectId: string): Promise<OpenedAuditRow[]> {
      return opened(await auditRepo.forSubject(q, subjectId));
    },
  };
}

export type AuditLog = ReturnType<typeof createAuditLog>;
