// Identity's personal fields at rest: sealed under the account's data key (subject `user:<id>`, crypto-shredding,
// `s1.` values) by this version; values written by older versions under the master key (`v1.`) still open, and the
// rotation parts (identity.rotation.ts) move them to the data key. Fields with no account behind them (such as the
// IP of a failed sign-in for an unknown email) use the master key.
import type { DataKey } from '../../platform/privacy/data-keys.ts';
import { isSealed, subjects } from '../../platform/privacy/data-keys.ts';
import type { Privacy } from '../../platform/privacy/privacy.ts';
import { ACCOUNT_TOKEN_FIELD } from './events.ts';

/** Field names: the associated data of each sealed value (a value cannot be moved to another column). */
export const FIELDS = {
  email: 'users.email',
  name: 'users.name',
  phone: 'users.phone',
  address: 'addresses.data',
  sessionIp: 'sessions.ip',
  sessionUserAgent: 'sessions.user_agent',
  auditIp: 'audit_log.ip',
  accountToken: ACCOUNT_TOKEN_FIELD,
} as const;

export interface PersonalFields {
  /** The account's data key (created on first use). Call it before opening a transaction. */
  keyOf(userId: string): Promise<DataKey>;
  /** Seals under the data key, or under the master key when no account is known (`key` null). */
  seal(key: DataKey | null, field: string, text: string): string;
  sealOptional(key: DataKey | null, field: string, text: string | null | undefined): string | null;
  /** Opens an `s1.` or `v1.` value; null for null, and for a value whose account was erased (its key is gone). */
  open(field: string, stored: string | null | undefined): Promise<string | null>;
  /** Loads the data keys of many values in one statement (lists). */
  preload(values: readonly (string | null | undefined)[]): Promise<void>;
}

export function createPersonalFields(privacy: Privacy): PersonalFields {
  const { pii, dataKeys } = privacy;
  const fields: PersonalFields = {
    keyOf: (userId) => dataKeys.forSubject(subjects.user(userId)),
    seal: (key, field, text) => (key ? dataKeys.seal(key, field, text) : pii.encrypt(field, text)),
    sealOptional: (key, field, text) => (text == null ? null : fields.seal(key, field, text)),
    async open(field, stored) {
      if (stored == null) return null;
      return isSealed(stored) ? dataKeys.open(field, stored) : pii.decrypt(field, stored);
    },
    preload: (values) => dataKeys.preload(values),
  };
  return fields;
}
