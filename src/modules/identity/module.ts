// createIdentityModule: wires the identity services from the kernel and returns the module
// definition for app.ts plus the identity API (authenticator, users) for other modules.
import { fileURLToPath } from 'node:url';
import { type Actor, systemCtx } from '../../platform/context.ts';
import { isAppError } from '../../platform/errors.ts';
import type { Kernel } from '../../platform/kernel.ts';
import type { ModuleDefinition } from '../../platform/module.ts';
import { subjects } from '../../platform/privacy/data-keys.ts';
import { createErasures, type Erasures } from '../../platform/privacy/erasure.ts';
import { loadEncryptionKeys } from '../../platform/privacy/keyring.ts';
import { createPrivacy } from '../../platform/privacy/privacy.ts';
import { createAccountsService } from './accounts.service.ts';
import { registerAdminRoutes } from './admin.http.ts';
import { createAuthenticator, resolveBearer } from './authenticator.ts';
import type { IdentityApi } from './contract.ts';
import { DEFAULT_THROTTLE, type IdentityDeps, type ThrottlePolicy } from './identity.deps.ts';
import { registerIdentityRoutes } from './identity.http.ts';
import { identityJobs } from './identity.jobs.ts';
import { usersRepo } from './identity.repo.ts';
import { identityRotationParts } from './identity.rotation.ts';
import { createPersonalFields } from './personal-fields.ts';
import { createProfileService } from './profile.service.ts';
import { loadSigningKeys, rotateStoredSigningKey } from './secrets.ts';
import { createStaffService } from './staff.service.ts';
import { createTokenSigner } from './tokens.ts';

export interface IdentityModuleDeps {
  kernel: Pick<Kernel, 'config' | 'db' | 'logger'> & Partial<Pick<Kernel, 'privacy'>>;
  /** The platform's erasure orchestrator (app.ts); a test without one gets its own. */
  erasures?: Erasures;
  throttle?: Partial<ThrottlePolicy>;
}

export function createIdentityModule(input: IdentityModuleDeps) {
  const { config, db, logger } = input.kernel;
  const privacy = input.kernel.privacy ?? createPrivacy(loadEncryptionKeys(config), db.k);
  const signingKeys = loadSigningKeys(config);
  const deps: IdentityDeps = {
    db,
    config,
    logger,
    pii: privacy.pii,
    privacy,
    fields: createPersonalFields(privacy),
    signer: createTokenSigner({
      keys: signingKeys,
      issuer: config.jwt.issuer,
      ttlSeconds: config.jwt.accessTtlSeconds,
    }),
    throttle: { ...DEFAULT_THROTTLE, ...input.throttle },
    erasures: input.erasures ?? createErasures({ db, privacy, logger }),
    refreshTtlSeconds: 30 * 86_400,
    sessionTtlSeconds: 90 * 86_400,
    accountTokenTtlSeconds: { verify_email: 2 * 86_400, password_reset: 3600 },
    unverifiedRetentionSeconds: 30 * 86_400,
  };
  const accounts = createAccountsService(deps);
  const profile = createProfileService(deps);
  const staff = createStaffService(deps, accounts);
  const authenticate = createAuthenticator(deps);
  let currentKeys = signingKeys;
  // Key rotation only: identity's export and erasure are called by the platform's orchestrator directly.
  privacy.register({ name: 'identity', rotation: identityRotationParts(deps) });

  const api: IdentityApi = {
    authenticate,
    async getUsers(_ctx, ids) {
      const rows = await usersRepo.byIds(db.k, ids);
      await deps.fields.preload(rows.flatMap((u) => [u.email_enc, u.name_enc]));
      return Promise.all(rows.map(accounts.publicUser));
    },
    async contactOf(userId) {
      const [u] = await usersRepo.byIds(db.k, [userId]);
      if (!u || u.disabled_at) return undefined;
      const { email, name } = await accounts.publicUser(u);
      return {
        userId: u.id,
        email,
        name,
        locale: u.locale,
        emailVerified: u.email_verified_at !== null,
        staff: u.roles.length > 0,
        subject: subjects.user(u.id),
      };
    },
  };

  const module: ModuleDefinition = {
    name: 'identity',
    migrations: { module: 'identity', dir: fileURLToPath(new URL('./migrations/', import.meta.url)) },
    registerRoutes(http) {
      registerIdentityRoutes(http, { accounts, profile, signer: deps.signer, privacy });
      registerAdminRoutes(http, { staff, profile, privacy });
    },
    jobs: identityJobs(deps),
  };

  return {
    module,
    api,
    authenticate,
    /** For transports other than HTTP (inventory's gRPC): a Bearer token or API key → its Actor, undefined when invalid. */
    async verifyBearer(token: string): Promise<Actor | undefined> {
      try {
        return await resolveBearer(deps, token);
      } catch (e) {
        if (isAppError(e) && e.status === 401) return undefined;
        throw e;
      }
    },
    services: { accounts, profile, staff },
    deps,
    /** Start-up: the first admin from ADMIN_EMAIL / ADMIN_PASSWORD (idempotent). */
    async ensureConfiguredAdmin(): Promise<void> {
      if (!config.adminEmail || !config.adminPassword) return;
      const r = await staff.ensureAdmin(systemCtx('identity.bootstrap'), config.adminEmail, config.adminPassword);
      if (r.created) logger.info({ userId: r.userId }, 'admin user created from ADMIN_EMAIL');
    },
    /** The signing key first, then previous ones (verification only). */
    signingKeys: () => currentKeys,
    /** Embedded mode key rotation: new signing key; the previous one still verifies. */
    rotateSigningKey(): void {
      currentKeys = rotateStoredSigningKey(config, currentKeys);
      deps.signer.setKeys(currentKeys);
    },
  };
}

export type IdentityModule = ReturnType<typeof createIdentityModule>;
