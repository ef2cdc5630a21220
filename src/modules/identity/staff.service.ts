// Staff administration: staff users and their roles, API keys, the audit log, the first admin.

import { randomBytes } from 'node:crypto';
import type { Ctx } from '../../platform/context.ts';
import { errors, isAppError } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { normaliseEmail } from '../../platform/privacy/pii.ts';
import type { AccountsService } from './accounts.service.ts';
import { createAuditLog } from './audit-log.ts';
import type { ClientInfo } from './contract.ts';
import type { IdentityDeps } from './identity.deps.ts';
import { accountTokensRepo, sessionsRepo, type UserRow, usersRepo } from './identity.repo.ts';
import { grants, isStaffRole, PERMISSIONS, permissionsOf } from './permissions.ts';
import { apiKeysRepo } from './security.repo.ts';
import { sha256 } from './tokens.ts';

export const API_KEY_PREFIX = 'emp_live_';

function assertRoles(roles: string[]): void {
  const bad = roles.filter((r) => !isStaffRole(r));
  if (bad.length) throw errors.unprocessable('identity.unknown_role', `Unknown role(s): ${bad.join(', ')}.`);
}

function heldPermissions(ctx: Ctx): string[] {
  const a = ctx.actor;
  return a.kind === 'staff' || a.kind === 'api_key' ? a.permissions : a.kind === 'system' ? ['*'] : [];
}

export function createStaffService(deps: IdentityDeps, accounts: AccountsService) {
  const { db, pii } = deps;
  const audit = createAuditLog(deps.fields);
  const staffView = async (u: UserRow) => ({
    ...(await accounts.publicUser(u)),
    roles: u.roles,
    status: u.status,
    emailVerified: u.email_verified_at !== null,
    disabledAt: u.disabled_at?.toISOString() ?? null,
    createdAt: u.created_at.toISOString(),
  });

  return {
    staffView,

    async listUsers(_ctx: Ctx, q: { limit: number; cursor?: string | undefined; email?: string | undefined }) {
      if (q.email !== undefined) {
        // Emails are sealed at rest: an exact match through the blind index, never a scan of decrypted rows.
        const u = await usersRepo.byEmailIndex(db.k, pii.blindIndexCandidates(normaliseEmail(q.email)));
        const items = u ? [await staffView(u)] : [];
        return { items, total: items.length, nextCursor: null };
      }
      const rows = await usersRepo.list(db.k, q.limit + 1, q.cursor);
      const page = rows.slice(0, q.limit);
      const total = await usersRepo.count(db.k);
      await deps.fields.preload(page.flatMap((u) => [u.email_enc, u.name_enc]));
      return {
        items: await Promise.all(page.map(staffView)),
        total,
        nextCursor: rows.length > q.limit ? (page[page.length - 1]?.id ?? null) : null,
      };
    },

    /** One account as staff see it (an erased one too, with its status). */
    async getUser(_ctx: Ctx, userId: string) {
      const u = await usersRepo.byId(db.k, userId);
      if (!u) throw errors.notFound('identity.user_not_found', 'No such user.');
      await deps.fields.preload([u.email_enc, u.name_enc]);
      return staffView(u);
    },

    async createStaff(
      ctx: Ctx,
      input: { email: string; password: string; name?: string | undefined; roles: string[] },
      client: ClientInfo,
    ) {
      assertRoles(input.roles);
      const { user } = await accounts.createUser(ctx, { ...input, verified: true }, undefined);
      await audit.append(
        db.k,
        [
          {
            action: 'user.staff_created',
            actor: ctx.actor,
            subjectId: user.id,
            ip: client.ip,
            detail: { roles: input.roles },
          },
        ],
        await audit.ipKey(ctx.actor),
      );
      return staffView(user);
    },

    async setRoles(ctx: Ctx, userId: string, roles: string[], client: ClientInfo) {
      assertRoles(roles);
      if (ctx.actor.kind === 'staff' && ctx.actor.userId === userId) {
        throw errors.conflict('identity.cannot_change_own_roles', 'Staff cannot change their own roles.');
      }
      const next = [...new Set(roles)].sort();
      const ipKey = await audit.ipKey(ctx.actor);
      const user = await db.transaction(async (tx) => {
        const before = await usersRepo.byId(tx, userId);
        if (before?.status !== 'active') return undefined;
        const after = await usersRepo.update(tx, userId, { roles: next });
        await audit.append(
          tx,
          [
            {
              action: 'user.roles_changed',
              actor: ctx.actor,
              subjectId: userId,
              ip: client.ip,
              detail: { from: before.roles, to: next },
            },
          ],
          ipKey,
        );
        return after;
      });
      if (!user) throw errors.notFound('identity.user_not_found', 'No such user.');
      return staffView(user);
    },

    /**
     * Disables (or re-enables) an account: a disabled one cannot sign in, its sessions are revoked at once (access
     * and refresh tokens stop working) and pending password resets are dropped; API keys keep their own lifecycle.
     * Idempotent: a repeat changes nothing and writes no second audit entry.
     */
    async setDisabled(ctx: Ctx, userId: string, disabled: boolean, client: ClientInfo) {
      if (disabled && ctx.actor.kind === 'staff' && ctx.actor.userId === userId) {
        throw errors.conflict('identity.cannot_disable_self', 'Staff cannot disable their own account.');
      }
      const ipKey = await audit.ipKey(ctx.actor);
      const user = await db.transaction(async (tx) => {
        const after = await usersRepo.setDisabled(tx, userId, disabled);
        // Nothing changed: unknown or erased (404), or already in that state (idempotent, no second audit entry).
        if (!after) {
          const now = await usersRepo.byId(tx, userId);
          return now?.status === 'active' ? now : undefined;
        }
        let sessionsRevoked = 0;
        if (disabled) {
          sessionsRevoked = await sessionsRepo.revokeAllForUser(tx, userId, 'disabled');
          await accountTokensRepo.dropUnused(tx, userId, 'password_reset');
        }
        await audit.append(
          tx,
          [
            {
              action: disabled ? 'user.disabled' : 'user.enabled',
              actor: ctx.actor,
              subjectId: userId,
              ip: client.ip,
              ...(disabled ? { detail: { sessionsRevoked } } : {}),
            },
          ],
          ipKey,
        );
        return after;
      });
      if (!user) throw errors.notFound('identity.user_not_found', 'No such user.');
      await deps.fields.preload([user.email_enc, user.name_enc]);
      return staffView(user);
    },

    /** Sends the storefront's password-reset mail to an account (a disabled one is refused: 409). */
    async sendPasswordReset(ctx: Ctx, userId: string, client: ClientInfo): Promise<void> {
      // Read first: an unknown id must not get a data key made for it.
      if ((await usersRepo.byId(db.k, userId))?.status !== 'active') {
        throw errors.notFound('identity.user_not_found', 'No such user.');
      }
      const ipKey = await audit.ipKey(ctx.actor);
      const key = await deps.fields.keyOf(userId);
      const outcome = await db.transaction(async (tx) => {
        const r = await accounts.sendPasswordResetFor(tx, ctx, userId, key);
        if (r === 'sent') {
          await audit.append(
            tx,
            [{ action: 'password.reset_sent_by_staff', actor: ctx.actor, subjectId: userId, ip: client.ip }],
            ipKey,
          );
        }
        return r;
      });
      if (outcome === 'missing') throw errors.notFound('identity.user_not_found', 'No such user.');
      if (outcome === 'disabled') {
        throw errors.conflict('identity.user_disabled', 'The account is disabled; enable it before sending a reset.');
      }
    },

    async createApiKey(ctx: Ctx, input: { name: string; permissions: string[] }, client: ClientInfo) {
      const unknown = input.permissions.filter((p) => !(PERMISSIONS as readonly string[]).includes(p));
      if (unknown.length) {
        throw errors.unprocessable('identity.unknown_permission', `Unknown permission(s): ${unknown.join(', ')}.`);
      }
      const held = heldPermissions(ctx);
      const beyond = input.permissions.filter((p) => !grants(held, p));
      if (beyond.length) throw errors.forbidden(`You cannot grant permissions you do not hold: ${beyond.join(', ')}.`);
      const key = `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
      const createdBy = ctx.actor.kind === 'staff' ? ctx.actor.userId : null;
      const ipKey = await audit.ipKey(ctx.actor);
      const row = await db.transaction(async (tx) => {
        const r = await apiKeysRepo.insert(tx, {
          id: newId('key'),
          name: input.name,
          prefix: key.slice(0, API_KEY_PREFIX.length + 6),
          key_hash: sha256(key),
          permissions: [...new Set(input.permissions)].sort(),
          created_by: createdBy,
        });
        await audit.append(
          tx,
          [
            {
              action: 'api_key.created',
              actor: ctx.actor,
              subjectId: r.id,
              ip: client.ip,
              detail: { permissions: r.permissions },
            },
          ],
          ipKey,
        );
        return r;
      });
      return { ...apiKeyView(row), key };
    },

    async listApiKeys(_ctx: Ctx) {
      return { items: (await apiKeysRepo.list(db.k)).map(apiKeyView) };
    },

    async revokeApiKey(ctx: Ctx, id: string, client: ClientInfo): Promise<void> {
      const ipKey = await audit.ipKey(ctx.actor);
      const outcome = await db.transaction(async (tx) => {
        const r = await apiKeysRepo.revoke(tx, id);
        if (r === 'revoked') {
          await audit.append(
            tx,
            [{ action: 'api_key.revoked', actor: ctx.actor, subjectId: id, ip: client.ip }],
            ipKey,
          );
        }
        return r;
      });
      if (outcome === 'missing') throw errors.notFound('identity.api_key_not_found', 'No such API key.');
    },

    async auditLog(
      _ctx: Ctx,
      q: { limit: number; cursor?: string | undefined; subjectId?: string | undefined; action?: string | undefined },
    ) {
      const rows = await audit.list(db.k, {
        limit: q.limit + 1,
        before: q.cursor,
        subjectId: q.subjectId,
        action: q.action,
      });
      const page = rows.slice(0, q.limit);
      return {
        items: page.map((r) => ({
          id: r.id,
          at: r.at.toISOString(),
          action: r.action,
          actorKind: r.actor_kind,
          actorId: r.actor_id,
          subjectId: r.subject_id,
          ip: r.ip,
          detail: r.detail,
        })),
        nextCursor: rows.length > q.limit ? (page[page.length - 1]?.id ?? null) : null,
      };
    },

    /** Idempotent: creates the admin, or grants `admin` to an existing account with that email. */
    async ensureAdmin(ctx: Ctx, email: string, password: string): Promise<{ userId: string; created: boolean }> {
      const existing = await usersRepo.byEmailIndex(db.k, pii.blindIndexCandidates(normaliseEmail(email)));
      if (existing) {
        if (!existing.roles.includes('admin')) {
          await db.transaction(async (tx) => {
            await usersRepo.update(tx, existing.id, { roles: [...existing.roles, 'admin'].sort() });
            await audit.append(tx, [
              {
                action: 'user.roles_changed',
                actor: ctx.actor,
                subjectId: existing.id,
                detail: { from: existing.roles, to: [...existing.roles, 'admin'].sort() },
              },
            ]);
          });
        }
        return { userId: existing.id, created: false };
      }
      try {
        const user = await this.createStaff(ctx, { email, password, roles: ['admin'] }, { ip: 'local' });
        return { userId: user.id, created: true };
      } catch (e) {
        // Another process created it first (several instances starting at once): grant the role there.
        if (isAppError(e) && e.code === 'identity.email_taken') return this.ensureAdmin(ctx, email, password);
        throw e;
      }
    },

    permissionsOf,
  };
}

function apiKeyView(r: {
  id: string;
  name: string;
  prefix: string;
  permissions: string[];
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}) {
  return {
    id: r.id,
    name: r.name,
    prefix: r.prefix,
    permissions: r.permissions,
    createdAt: r.created_at.toISOString(),
    lastUsedAt: r.last_used_at?.toISOString() ?? null,
    revokedAt: r.revoked_at?.toISOString() ?? null,
  };
}
