// Accounts: registration, login (throttled), refresh-token rotation with reuse detection, logout,
// email verification and password reset.

import type { Actor, Ctx } from '../../platform/context.ts';
import { isUniqueViolation, type Tx } from '../../platform/db/db.ts';
import { AppError, errors } from '../../platform/errors.ts';
import { appendEvents } from '../../platform/events/outbox.ts';
import { newId } from '../../platform/ids.ts';
import { supportedLocale } from '../../platform/locale.ts';
import type { DataKey } from '../../platform/privacy/data-keys.ts';
import { subjects } from '../../platform/privacy/data-keys.ts';
import { normaliseEmail } from '../../platform/privacy/pii.ts';
import { createAuditLog } from './audit-log.ts';
import type { AuthResult, ClientInfo, PublicUser } from './contract.ts';
import { IDENTITY_EVENTS } from './events.ts';
import type { IdentityDeps } from './identity.deps.ts';
import {
  type AccountTokenPurpose,
  accountTokensRepo,
  refreshRepo,
  sessionsRepo,
  type UserRow,
  usersRepo,
} from './identity.repo.ts';
import { checkPasswordPolicy, hashPassword, verifyDummy, verifyPassword } from './passwords.ts';
import { permissionsOf } from './permissions.ts';
import { FIELDS } from './personal-fields.ts';
import { createThrottle } from './throttle.ts';
import { opaqueToken, sha256 } from './tokens.ts';

const invalidCredentials = () =>
  new AppError(401, 'identity.invalid_credentials', 'Unauthorized', { detail: 'The email or password is wrong.' });
const invalidRefresh = () =>
  new AppError(401, 'identity.invalid_refresh_token', 'Unauthorized', {
    detail: 'The refresh token is invalid, expired or already used; sign in again.',
  });

export function assertPassword(password: string): void {
  const problem = checkPasswordPolicy(password);
  if (!problem) return;
  const detail = {
    too_short: 'The password must be at least 10 characters long.',
    too_long: 'The password must be at most 256 characters long.',
    too_common: 'This password is among the most common ones; choose another.',
  }[problem];
  throw errors.unprocessable('identity.weak_password', detail, [{ field: 'body/password', message: detail }]);
}

export function createAccountsService(deps: IdentityDeps) {
  const { db, pii, fields } = deps;
  const throttle = createThrottle(deps);
  const audit = createAuditLog(fields);

  const publicUser = async (u: UserRow): Promise<PublicUser> => ({
    id: u.id,
    email: (await fields.open(FIELDS.email, u.email_enc)) ?? '',
    name: await fields.open(FIELDS.name, u.name_enc),
  });

  /** Starts a session (refresh-token family) in `tx` and returns its opaque refresh token. */
  async function openSession(tx: Tx, key: DataKey, userId: string, client: ClientInfo) {
    const sessionId = newId('ses');
    const refreshToken = opaqueToken('rt_');
    await sessionsRepo.insert(tx, {
      id: sessionId,
      user_id: userId,
      ip_sealed: fields.seal(key, FIELDS.sessionIp, client.ip),
      user_agent_sealed: fields.sealOptional(key, FIELDS.sessionUserAgent, client.userAgent?.slice(0, 300)),
      ttlSeconds: deps.sessionTtlSeconds,
    });
    await refreshRepo.insert(tx, { hash: sha256(refreshToken), sessionId, userId, ttlSeconds: deps.refreshTtlSeconds });
    return { sessionId, refreshToken };
  }

  async function tokens(user: PublicUser, sessionId: string, refreshToken: string): Promise<AuthResult> {
    const accessToken = await deps.signer.sign({ sub: user.id, sid: sessionId });
    return { user, accessToken, refreshToken, expiresIn: deps.config.jwt.accessTtlSeconds };
  }

  /**
   * Issues a single-use token in `tx` and appends the event that carries it to the user, sealed under the account's
   * data key (only its hash is stored in identity's tables; the notifications module opens the event's copy).
   */
  async function requestAccountToken(tx: Tx, ctx: Ctx, userId: string, key: DataKey, purpose: AccountTokenPurpose) {
    const token = opaqueToken(purpose === 'verify_email' ? 'ev_' : 'pr_');
    const expiresAt = new Date(Date.now() + deps.accountTokenTtlSeconds[purpose] * 1000);
    await accountTokensRepo.insert(tx, { hash: sha256(token), userId, purpose, expiresAt });
    await appendEvents(tx, ctx, [
      {
        type:
          purpose === 'verify_email'
            ? IDENTITY_EVENTS.emailVerificationRequested
            : IDENTITY_EVENTS.passwordResetRequested,
        aggregateId: userId,
        payload: {
          userId,
          expiresAt: expiresAt.toISOString(),
          tokenSealed: fields.seal(key, FIELDS.accountToken, token),
        },
      },
    ]);
  }

  async function createUser(
    ctx: Ctx,
    input: { email: string; password: string; name?: string | null | undefined; roles: string[]; verified: boolean },
    client: ClientInfo | undefined,
  ): Promise<{ user: UserRow; session?: { sessionId: string; refreshToken: string } }> {
    const email = normaliseEmail(input.email);
    assertPassword(input.password);
    const passwordHash = await hashPassword(input.password);
    if (await usersRepo.byEmailIndex(db.k, pii.blindIndexCandidates(email))) throw emailTaken();
    // The id first: the personal fields are sealed under the new account's data key, created outside the transaction.
    const id = newId('usr');
    const key = await fields.keyOf(id);
    try {
      return await db.transaction(async (tx) => {
        if (await usersRepo.byEmailIndex(tx, pii.blindIndexCandidates(email))) throw emailTaken();
        await usersRepo.insert(tx, {
          id,
          email_index: pii.blindIndex(email),
          email_enc: fields.seal(key, FIELDS.email, email),
          name_enc: fields.sealOptional(key, FIELDS.name, input.name),
          password_hash: passwordHash,
          roles: input.roles,
          locale: supportedLocale(ctx.locale) ?? null,
          ...(input.verified ? { email_verified_at: new Date() } : {}),
        });
        const user = (await usersRepo.byId(tx, id)) as UserRow;
        await appendEvents(tx, ctx, [
          {
            type: IDENTITY_EVENTS.userRegistered,
            aggregateId: id,
            payload: { userId: id },
          },
        ]);
        if (!input.verified) await requestAccountToken(tx, ctx, id, key, 'verify_email');
        const session = client ? await openSession(tx, key, id, client) : undefined;
        return session ? { user, session } : { user };
      });
    } catch (e) {
      const taken = isUniqueViolation(e) || (e instanceof AppError && e.code === 'identity.email_taken');
      // The transaction rolled back: nothing was sealed under the new key, so it goes too.
      if (taken) await deps.privacy.dataKeys.shred(db.k, [subjects.user(id)]);
      if (isUniqueViolation(e)) throw emailTaken();
      throw e;
    }
  }

  return {
    publicUser,
    createUser,

    async register(
      ctx: Ctx,
      input: { email: string; password: string; name?: string | undefined },
      client: ClientInfo,
    ): Promise<AuthResult> {
      const { user, session } = await createUser(ctx, { ...input, roles: [], verified: false }, client);
      if (!session) throw new Error('unreachable');
      return tokens(await publicUser(user), session.sessionId, session.refreshToken);
    },

    async login(ctx: Ctx, input: { email: string; password: string }, client: ClientInfo): Promise<AuthResult> {
      const email = normaliseEmail(input.email);
      const keys = throttle.keysFor(client.ip, pii.blindIndex(email));
      await throttle.assertNotLocked(keys);
      const user = await usersRepo.byEmailIndex(db.k, pii.blindIndexCandidates(email));
      const ok =
        user?.password_hash != null
          ? await verifyPassword(user.password_hash, input.password)
          : await verifyDummy(input.password);
      if (!ok || !user) {
        await throttle.recordFailure(ctx, keys, user?.id ?? null, client.ip);
        throw invalidCredentials();
      }
      const key = await fields.keyOf(user.id);
      if (user.disabled_at) {
        // Told only to whoever knows the password: a disabled account is not revealed to a guesser.
        await audit.append(
          db.k,
          [
            {
              action: 'login.refused_disabled',
              actor: signingIn(user),
              subjectId: user.id,
              ip: client.ip,
            },
          ],
          key,
        );
        throw accountDisabled();
      }
      const session = await db.transaction(async (tx) => {
        await throttle.clearAccount(tx, keys);
        await audit.append(
          tx,
          [
            {
              action: 'login.succeeded',
              actor: signingIn(user),
              subjectId: user.id,
              ip: client.ip,
            },
          ],
          key,
        );
        return openSession(tx, key, user.id, client);
      });
      return tokens(await publicUser(user), session.sessionId, session.refreshToken);
    },

    /** Rotates the refresh token; presenting a spent one revokes its whole family (session). */
    async refresh(ctx: Ctx, refreshToken: string, client: ClientInfo): Promise<AuthResult> {
      const hash = sha256(refreshToken);
      // The token's account, read first: a reuse is audited with the IP sealed under that account's key.
      const owner = await refreshRepo.find(db.k, hash);
      if (!owner) throw invalidRefresh();
      const key = await fields.keyOf(owner.user_id);
      const outcome = await db.transaction(async (tx) => {
        const spent = await refreshRepo.spend(tx, hash);
        if (!spent) {
          const prior = await refreshRepo.find(tx, hash);
          if (prior?.used_at) {
            const revoked = await sessionsRepo.revoke(tx, prior.session_id, 'refresh_token_reuse');
            if (revoked) {
              await audit.append(
                tx,
                [
                  {
                    action: 'session.refresh_reuse_detected',
                    actor: ctx.actor,
                    ip: client.ip,
                    detail: { sessionId: prior.session_id },
                  },
                ],
                key,
              );
            }
          }
          return undefined;
        }
        if (!(await sessionsRepo.isActive(tx, spent.session_id))) return undefined;
        const user = await usersRepo.byId(tx, spent.user_id);
        if (user?.status !== 'active' || user.disabled_at) return undefined;
        const next = opaqueToken('rt_');
        await refreshRepo.insert(tx, {
          hash: sha256(next),
          sessionId: spent.session_id,
          userId: user.id,
          ttlSeconds: deps.refreshTtlSeconds,
        });
        return { user, sessionId: spent.session_id, refreshToken: next };
      });
      if (!outcome) throw invalidRefresh();
      return tokens(await publicUser(outcome.user), outcome.sessionId, outcome.refreshToken);
    },

    /** Revokes the session of the refresh token; unknown tokens are ignored (idempotent). */
    async logout(ctx: Ctx, refreshToken: string, client: ClientInfo): Promise<void> {
      const row = await refreshRepo.find(db.k, sha256(refreshToken));
      if (!row) return;
      const key = await fields.keyOf(row.user_id);
      await db.transaction(async (tx) => {
        if (await sessionsRepo.revoke(tx, row.session_id, 'logout')) {
          await audit.append(
            tx,
            [{ action: 'session.logged_out', actor: ctx.actor, ip: client.ip, detail: { sessionId: row.session_id } }],
            key,
          );
        }
      });
    },

    /** Same answer whether or not the email is known (no enumeration). */
    async requestPasswordReset(ctx: Ctx, rawEmail: string): Promise<void> {
      const email = normaliseEmail(rawEmail);
      const user = await usersRepo.byEmailIndex(db.k, pii.blindIndexCandidates(email));
      if (!user) return;
      const key = await fields.keyOf(user.id);
      await db.transaction(async (tx) => {
        const now = await usersRepo.byId(tx, user.id);
        if (now?.status === 'active' && !now.disabled_at) {
          await requestAccountToken(tx, ctx, user.id, key, 'password_reset');
        }
      });
    },

    /**
     * The storefront's reset mail, sent at a staff member's request to an account they name (in `tx`; the caller
     * writes the audit entry): 'missing' for an unknown or erased account, 'disabled' for a disabled one (nothing sent).
     */
    async sendPasswordResetFor(tx: Tx, ctx: Ctx, userId: string, key: DataKey) {
      const user = await usersRepo.byId(tx, userId);
      if (user?.status !== 'active') return 'missing' as const;
      if (user.disabled_at) return 'disabled' as const;
      await requestAccountToken(tx, ctx, userId, key, 'password_reset');
      return 'sent' as const;
    },

    async confirmPasswordReset(ctx: Ctx, input: { token: string; password: string }, client: ClientInfo) {
      assertPassword(input.password);
      const hash = sha256(input.token);
      const owner = await accountTokensRepo.activeOwner(db.k, hash, 'password_reset');
      if (!owner) throw invalidToken();
      const ipKey = await audit.ipKey(ctx.actor, owner);
      const passwordHash = await hashPassword(input.password);
      const userId = await db.transaction(async (tx) => {
        const id = await accountTokensRepo.consume(tx, hash, 'password_reset');
        if (!id) return undefined;
        if (!(await usersRepo.update(tx, id, { password_hash: passwordHash }))) return undefined;
        await sessionsRepo.revokeAllForUser(tx, id, 'password_reset');
        await audit.append(tx, [{ action: 'password.reset', actor: ctx.actor, subjectId: id, ip: client.ip }], ipKey);
        return id;
      });
      if (!userId) throw invalidToken();
    },

    async verifyEmail(_ctx: Ctx, token: string): Promise<void> {
      const ok = await db.transaction(async (tx) => {
        const id = await accountTokensRepo.consume(tx, sha256(token), 'verify_email');
        return id ? (await usersRepo.update(tx, id, { email_verified_at: new Date() })) !== undefined : false;
      });
      if (!ok) throw invalidToken();
    },

    async resendVerification(ctx: Ctx, userId: string): Promise<void> {
      const before = await usersRepo.byId(db.k, userId);
      if (before?.status !== 'active' || before.email_verified_at) return;
      const key = await fields.keyOf(userId);
      await db.transaction(async (tx) => {
        const user = await usersRepo.byId(tx, userId);
        if (user && user.status === 'active' && !user.email_verified_at) {
          await requestAccountToken(tx, ctx, userId, key, 'verify_email');
        }
      });
    },
  };
}

export type AccountsService = ReturnType<typeof createAccountsService>;

/** Who signs in, as the audit log records it: a staff account (one with roles) as staff, with its permissions. */
function signingIn(user: { id: string; roles: string[] }): Actor {
  return user.roles.length > 0
    ? { kind: 'staff', userId: user.id, roles: user.roles, permissions: permissionsOf(user.roles) }
    : { kind: 'customer', userId: user.id };
}

const accountDisabled = () =>
  new AppError(403, 'identity.account_disabled', 'Forbidden', {
    detail: 'This account is disabled; ask an administrator to enable it.',
  });
const emailTaken = () => errors.conflict('identity.email_taken', 'An account with this email already exists.');
const invalidToken = () =>
  errors.badRequest('identity.invalid_token', 'The token is invalid, expired or has already been used.');
