// What the identity services share: database, personal data crypto, token signer and policy knobs.
import type { Config } from '../../platform/config.ts';
import type { Db } from '../../platform/db/db.ts';
import type { Logger } from '../../platform/observability/logger.ts';
import type { Erasures } from '../../platform/privacy/erasure.ts';
import type { Pii } from '../../platform/privacy/pii.ts';
import type { Privacy } from '../../platform/privacy/privacy.ts';
import type { PersonalFields } from './personal-fields.ts';
import type { TokenSigner } from './tokens.ts';

export interface ThrottlePolicy {
  /** Failures within the window before an account is locked. */
  accountThreshold: number;
  ipThreshold: number;
  windowSeconds: number;
  /** First lockout; each further failure doubles it, up to maxLockSeconds. */
  baseLockSeconds: number;
  maxLockSeconds: number;
}

export const DEFAULT_THROTTLE: ThrottlePolicy = {
  accountThreshold: 5,
  ipThreshold: 30,
  windowSeconds: 900,
  baseLockSeconds: 30,
  maxLockSeconds: 3600,
};

export interface IdentityDeps {
  db: Db;
  config: Config;
  logger: Logger;
  /** Master-key crypto: blind indexes of emails and IPs (personal fields use `fields`). */
  pii: Pii;
  privacy: Privacy;
  /** Personal fields sealed under the account's data key (personal-fields.ts). */
  fields: PersonalFields;
  signer: TokenSigner;
  throttle: ThrottlePolicy;
  /** The platform's erasure orchestrator: an account erasure is recorded with identity's own part, then run. */
  erasures: Erasures;
  refreshTtlSeconds: number;
  sessionTtlSeconds: number;
  accountTokenTtlSeconds: { verify_email: number; password_reset: number };
  /** Unverified customer accounts older than this are removed by the retention job. */
  unverifiedRetentionSeconds: number;
}
