// What the identity services share: database, crypto, token signer and policy knobs.
import type { Config } from '../../platform/config.ts';
import type { Db } from '../../platform/db/db.ts';
import type { Logger } from '../../platform/observability/logger.ts';
import type { Pii } from '../../platform/privacy/pii.ts';
import type { PersonalDataContributor } from './contract.ts';
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
  pii: Pii;
  signer: TokenSigner;
  throttle: ThrottlePolicy;
  personalData: PersonalDataContributor[];
  refreshTtlSeconds: number;
  sessionTtlSeconds: number;
  accountTokenTtlSeconds: { verify_email: number; password_reset: number };
  /** Unverified customer accounts older than this are removed by the retention job. */
  unverifiedRetentionSeconds: number;
}
