// The signed-in person: profile, address book, GDPR export and erasure.
import type { Ctx } from '../../platform/context.ts';
import { errors } from '../../platform/errors.ts';
import { appendEvents } from '../../platform/events/outbox.ts';
import { newId } from '../../platform/ids.ts';
import type { DataKey } from '../../platform/privacy/data-keys.ts';
import { personIndexCandidates } from '../../platform/privacy/email.ts';
import { EXPORT_SCHEMA_VERSION, exportModules } from '../../platform/privacy/export.ts';
import type { DataSubject } from '../../platform/privacy/privacy.ts';
import { createAuditLog } from './audit-log.ts';
import type { Address, AddressInput, ClientInfo, Me } from './contract.ts';
import { IDENTITY_EVENTS } from './events.ts';
import type { IdentityDeps } from './identity.deps.ts';
import {
  type AddressRow,
  addressesRepo,
  type SessionRow,
  sessionsRepo,
  type UserRow,
  usersRepo,
} from './identity.repo.ts';
import { FIELDS } from './personal-fields.ts';

const notFound = () => errors.notFound('identity.user_not_found', 'No such user.');
const addressNotFound = () => errors.notFound('identity.address_not_found', 'No such address.');

export function createProfileService(deps: IdentityDeps) {
  const { db, fields } = deps;
  /** The account, and its verified email's guest data (found by the person index). */
  const subjectOf = (m: Me): DataSubject => ({
    userId: m.id,
    emailIndexes: m.emailVerified && m.email ? personIndexCandidates(deps.pii, m.email) : [],
  });
  const auditLog = createAuditLog(fields);

  const me = async (u: UserRow): Promise<Me> => ({
    id: u.id,
    email: (await fields.open(FIELDS.email, u.email_enc)) ?? '',
    name: await fields.open(FIELDS.name, u.name_enc),
    phone: await fields.open(FIELDS.phone, u.phone_enc),
    emailVerified: u.email_verified_at !== null,
    roles: u.roles,
    createdAt: u.created_at.toISOString(),
  });

  const normalise = (a: AddressInput): Omit<Address, 'id'> => ({
    name: a.name,
    line1: a.line1,
    line2: a.line2 ?? null,
    city: a.city,
    region: a.region ?? null,
    postalCode: a.postalCode,
    country: a.country.toUpperCase(),
    phone: a.phone ?? null,
  });
  /** An address, or null when its account's data key was destroyed (erasure). */
  const address = async (r: AddressRow): Promise<Address | null> => {
    const text = await fields.open(FIELDS.address, r.data_enc);
    return text === null ? null : { id: r.id, ...(JSON.parse(text) as Omit<Address, 'id'>) };
  };
  const sealAddress = (key: DataKey, a: Omit<Address, 'id'>) => fields.seal(key, FIELDS.address, JSON.stringify(a));
  /** The account's data key, only for an active account (an erased one must not get a new key). */
  const activeKey = async (userId: string): Promise<DataKey> => {
    const u = await usersRepo.byId(db.k, userId);
    if (u?.status !== 'active') throw notFound();
    return fields.keyOf(userId);
  };
  /** The account's sessions with their IP and user agent opened (plaintext in rows of older versions). */
  const sessionsOf = async (userId: string): Promise<SessionRow[]> => {
    const rows = await sessionsRepo.forUser(db.k, userId);
    return Promise.all(
      rows.map(async (s) => ({
        ...s,
        ip: s.ip_sealed === null ? s.ip : await fields.open(FIELDS.sessionIp, s.ip_sealed),
        user_agent:
          s.user_agent_sealed === null ? s.user_agent : await fields.open(FIELDS.sessionUserAgent, s.user_agent_sealed),
      })),
    );
  };

  const service = {
    async get(_ctx: Ctx, userId: string): Promise<Me> {
      const u = await usersRepo.byId(db.k, userId);
      if (u?.status !== 'active') throw notFound();
      return me(u);
    },

    async update(_ctx: Ctx, userId: string, patch: { name?: string | null; phone?: string | null }): Promise<Me> {
      const key = await activeKey(userId);
      const set: Partial<UserRow> = {};
      if (patch.name !== undefined) set.name_enc = fields.sealOptional(key, FIELDS.name, patch.name);
      if (patch.phone !== undefined) set.phone_enc = fields.sealOptional(key, FIELDS.phone, patch.phone);
      const u = await db.transaction((tx) => usersRepo.update(tx, userId, set));
      if (!u) throw notFound();
      return me(u);
    },

    async listAddresses(_ctx: Ctx, userId: string): Promise<Address[]> {
      const rows = await addressesRepo.forUser(db.k, userId);
      await fields.preload(rows.map((r) => r.data_enc));
      return (await Promise.all(rows.map(address))).filter((a): a is Address => a !== null);
    },

    async addAddress(_ctx: Ctx, userId: string, input: AddressInput): Promise<Address> {
      const key = await activeKey(userId);
      const id = newId('adr');
      const value = normalise(input);
      await db.transaction((tx) =>
        addressesRepo.insert(tx, { id, user_id: userId, data_enc: sealAddress(key, value) }),
      );
      return { id, ...value };
    },

    async updateAddress(_ctx: Ctx, userId: string, id: string, patch: Partial<AddressInput>): Promise<Address> {
      const key = await activeKey(userId);
      return db.transaction(async (tx) => {
        const row = await addressesRepo.owned(tx, userId, id);
        const before = row ? await address(row) : null;
        if (!before) throw addressNotFound();
        const { id: _id, ...current } = before;
        const defined = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
        const value = normalise({ ...current, ...defined });
        await addressesRepo.update(tx, userId, id, sealAddress(key, value));
        return { id, ...value };
      });
    },

    async removeAddress(_ctx: Ctx, userId: string, id: string): Promise<void> {
      if (!(await db.transaction((tx) => addressesRepo.remove(tx, userId, id)))) throw addressNotFound();
    },

    /**
     * Everything held about the person: identity's sections, and each module's under `modules` (carts, orders,
     * payments). Guest orders placed with the account's email belong to it once the email is verified.
     */
    async export(ctx: Ctx, userId: string) {
      const profile = await service.get(ctx, userId);
      const [addresses, sessions, audit] = await Promise.all([
        service.listAddresses(ctx, userId),
        sessionsOf(userId),
        auditLog.forSubject(db.k, userId),
      ]);
      return {
        schemaVersion: EXPORT_SCHEMA_VERSION,
        exportedAt: new Date().toISOString(),
        profile,
        addresses,
        sessions: sessions.map((s) => ({
          id: s.id,
          createdAt: s.created_at.toISOString(),
          ip: s.ip,
          userAgent: s.user_agent,
          revokedAt: s.revoked_at?.toISOString() ?? null,
        })),
        securityEvents: audit.map((a) => ({ at: a.at.toISOString(), action: a.action, ip: a.ip })),
        modules: await exportModules(deps.privacy, ctx, subjectOf(profile)),
      };
    },

    /** The export of an account made by staff for a data subject request; audited under the account. */
    async exportForStaff(ctx: Ctx, userId: string, client: ClientInfo) {
      const document = await service.export(ctx, userId);
      await auditLog.append(
        db.k,
        [{ action: 'user.exported_by_staff', actor: ctx.actor, subjectId: userId, ip: client.ip }],
        await auditLog.ipKey(ctx.actor, userId),
      );
      return document;
    },

    /**
     * Erases the account: identity's part (profile, addresses, credentials, every session) commits together with
     * the erasure record, then the platform's orchestrator erases every module's part and destroys the account's
     * data key (privacy/erasure.ts; resumed by its job if cut short). A second call (the account is `erased`)
     * changes nothing; an id no account has is `identity.user_not_found`.
     */
    async erase(ctx: Ctx, userId: string, client: ClientInfo): Promise<void> {
      const u = await usersRepo.byId(db.k, userId);
      if (!u) throw notFound();
      if (u.status !== 'active') return;
      const subject = subjectOf(await me(u));
      const ipKey = await auditLog.ipKey(ctx.actor, userId);
      const erasureId = await db.transaction(async (tx) => {
        const erased = await usersRepo.erase(tx, userId);
        await addressesRepo.removeAll(tx, userId);
        await sessionsRepo.revokeAllForUser(tx, userId, 'erasure');
        if (!erased) return undefined;
        await auditLog.append(
          tx,
          [{ action: 'user.erased', actor: ctx.actor, subjectId: userId, ip: client.ip }],
          ipKey,
        );
        await appendEvents(tx, ctx, [
          { type: IDENTITY_EVENTS.userErased, aggregateId: userId, payload: { userId }, id: `evt_erase_${userId}` },
        ]);
        return deps.erasures.record(tx, ctx, subject, 'account deleted by its owner');
      });
      if (erasureId) await deps.erasures.run(ctx, erasureId);
    },
  };
  return service;
}
