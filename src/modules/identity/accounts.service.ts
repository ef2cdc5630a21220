// Accounts: registration, login (throttled), refresh-token rotation with reuse detection, logout,
// email verification and password reset.
import type { Ctx } from '../../platform/context.ts';
import { isUniqueViolation, type Tx } from '../../platform/db/db.ts';
import { AppError, errors } from '../../platform/errors.ts';
import { appendEvents } from '../../platform/events/outbox.ts';
import { newId } from '../../platform/ids.ts';
import { normaliseEmail } from '../../platform/privacy/pii.ts';
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
import { auditRepo } from './security.repo.ts';
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
  const { db, pii } = deps;
  const throttle = createThrottle(deps);

  const publicUser = (u: UserRow): PublicUser => ({
    id: u.id,
    email: pii.decryptOptional('users.email', u.email_enc) ?? '',
    name: pii.decryptOptional('users.name', u.name_enc),
  });

  /** Starts a session (refresh-token family) in `tx` and returns its opaque refresh token. */
  async function openSession(tx: Tx, userId: string, client: ClientInfo) {
    const sessionId = newId('ses');
    const refreshToken = opaqueToken('rt_');
    await sessionsRepo.insert(tx, {
      id: sessionId,
      user_id: userId,
      ip: client.ip,
      user_agent: client.userAgent?.slice(0, 300) ?? null,
      ttlSeconds: deps.sessionTtlSeconds,
    });
    await refreshRepo.insert(tx, { hash: sha256(refreshToken), sessionId, userId, ttlSeconds: deps.refreshTtlSeconds });
    return { sessionId, refreshToken };
  }

  async function tokens(user: PublicUser, sessionId: string, refreshToken: string): Promise<AuthResult> {
    const accessToken = await deps.signer.sign({ sub: user.id, sid: sessionId });
    return { user, accessToken, refreshToken, expiresIn: deps.config.jwt.accessTtlSeconds };
  }

  /** Issues a single-use token in `tx` and appends the event that carries it to the user. */
  async function requestAccountToken(tx: Tx, ctx: Ctx, user: UserRow, purpose: AccountTokenPurpose) {
    const token = opaqueToken(purpose === 'verify_email' ? 'ev_' : 'pr_');
    const expiresAt = new Date(Date.now() + deps.accountTokenTtlSeconds[purpose] * 1000);
    await accountTokensRepo.insert(tx, { hash: sha256(token), userId: user.id, purpose, expiresAt });
    await appendEvents(tx, ctx, [
      {
        type:
          purpose === 'verify_email'
            ? IDENTITY_EVENTS.emailVerificationRequested
            : IDENTITY_EVENTS.passwordResetRequested,
        aggregateId: user.id,
        payload: {
          userId: user.id,
          email: pii.decryptOptional('users.email', user.email_enc),
          token,
          expiresAt: expiresAt.toISOString(),
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
    try {
      return await db.transaction(async (tx) => {
        if (await usersRepo.byEmailIndex(tx, pii.blindIndexCandidates(email))) throw emailTaken();
        const id = newId('usr');
        await usersRepo.insert(tx, {
          id,
          email_index: pii.blindIndex(email),
          email_enc: pii.encrypt('users.email', email),
          name_enc: pii.encryptOptional('users.name', input.name ?? null),
          password_hash: passwordHash,
          roles: input.roles,
          ...(input.verified ? { email_verified_at: new Date() } : {}),
        });
        const user = (await usersRepo.byId(tx, id)) as UserRow;
        await appendEvents(tx, ctx, [
          {
            type: IDENTITY_EVENTS.userRegistered,
            aggregateId: id,
            payload: { userId: id, email, name: input.name ?? null },
          },
        ]);
        if (!input.verified) await requestAccountToken(tx, ctx, user, 'verify_email');
        const session = client ? await openSession(tx, id, client) : undefined;
        return session ? { user, session } : { user };
      });
    } catch (e) {
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
      return tokens(publicUser(user), session.sessionId, session.refreshToken);
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
      const session = await db.transaction(async (tx) => {
        await throttle.clearAccount(tx, keys);
        await auditRepo.append(tx, [
          {
            action: 'login.succeeded',
            actor: { kind: 'customer', userId: user.id },
            subjectId: user.id,
            ip: client.ip,
          },
        ]);
        return openSession(tx, user.id, client);
      });
      return tokens(publicUser(user), session.sessionId, session.refreshToken);
    },

    /** Rotates the refresh token; presenting a spent one revokes its whole family (session). */
    async refresh(ctx: Ctx, refreshToken: string, client: ClientInfo): Promise<AuthResult> {
      const hash = sha256(refreshToken);
      const outcome = await db.transaction(async (tx) => {
        const spent = await refreshRepo.spend(tx, hash);
        if (!spent) {
          const prior = await refreshRepo.find(tx, hash);
          if (prior?.used_at) {
            const revoked = await sessionsRepo.revoke(tx, prior.session_id, 'refresh_token_reuse');
            if (revoked) {
              await auditRepo.append(tx, [
                {
                  action: 'session.refresh_reuse_detected',
                  actor: ctx.actor,
                  ip: client.ip,
                  detail: { sessionId: prior.session_id },
                },
              ]);
            }
          }
          return undefined;
        }
        if (!(await sessionsRepo.isActive(tx, spent.session_id))) return undefined;
        const user = await usersRepo.byId(tx, spent.user_id);
        if (user?.status !== 'active') return undefined;
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
      return tokens(publicUser(outcome.user), outcome.sessionId, outcome.refreshToken);
    },

    /** Revokes the session of the refresh token; unknown tokens are ignored (idempotent). */
    async logout(ctx: Ctx, refreshToken: string, client: ClientInfo): Promise<void> {
      await db.transaction(async (tx) => {
        const row = await refreshRepo.find(tx, sha256(refreshToken));
        if (row && (await sessionsRepo.revoke(tx, row.session_id, 'logout'))) {
          await auditRepo.append(tx, [
            { action: 'session.logged_out', actor: ctx.actor, ip: client.ip, detail: { sessionId: row.session_id } },
          ]);
        }
      });
    },

    /** Same answer whether or not the email is known (no enumeration). */
    async requestPasswordReset(ctx: Ctx, rawEmail: string): Promise<void> {
      const email = normaliseEmail(rawEmail);
      await db.transaction(async (tx) => {
        const user = await usersRepo.byEmailIndex(tx, pii.blindIndexCandidates(email));
        if (user) await requestAccountToken(tx, ctx, user, 'password_reset');
      });
    },

    async confirmPasswordReset(ctx: Ctx, input: { token: string; password: string }, client: ClientInfo) {
      assertPassword(input.password);
      const passwordHash = await hashPassword(input.password);
      const userId = await db.transaction(async (tx) => {
        const id = await accountTokensRepo.consume(tx, sha256(input.token), 'password_reset');
        if (!id) return undefined;
        if (!(await usersRepo.update(tx, id, { password_hash: passwordHash }))) return undefined;
        await sessionsRepo.revokeAllForUser(tx, id, 'password_reset');
        await auditRepo.append(tx, [{ action: 'password.reset', actor: ctx.actor, subjectId: id, ip: client.ip }]);
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
      await db.transaction(async (tx) => {
        const user = await usersRepo.byId(tx, userId);
        if (user && user.status === 'active' && !user.email_verified_at) {
          await requestAccountToken(tx, ctx, user, 'verify_email');
        }
      });
    },
  };
}

export type AccountsService = ReturnType<typeof createAccountsService>;

const emailTaken = () => errors.conflict('identity.email_taken', 'An account with this email already exists.');
const invalidToken = () =>
  errors.badRequest('identity.invalid_token', 'The token is invalid, expired or has already been used.');
