// The signed-in person: profile, address book, GDPR export and erasure.
import type { Ctx } from '../../platform/context.ts';
import { errors } from '../../platform/errors.ts';
import { appendEvents } from '../../platform/events/outbox.ts';
import { newId } from '../../platform/ids.ts';
import type { Address, AddressInput, ClientInfo, Me } from './contract.ts';
import { IDENTITY_EVENTS } from './events.ts';
import type { IdentityDeps } from './identity.deps.ts';
import { type AddressRow, addressesRepo, sessionsRepo, type UserRow, usersRepo } from './identity.repo.ts';
import { auditRepo } from './security.repo.ts';

const notFound = () => errors.notFound('identity.user_not_found', 'No such user.');
const addressNotFound = () => errors.notFound('identity.address_not_found', 'No such address.');

export function createProfileService(deps: IdentityDeps) {
  const { db, pii } = deps;

  const me = (u: UserRow): Me => ({
    id: u.id,
    email: pii.decryptOptional('users.email', u.email_enc) ?? '',
    name: pii.decryptOptional('users.name', u.name_enc),
    phone: pii.decryptOptional('users.phone', u.phone_enc),
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
  const address = (r: AddressRow): Address => ({
    id: r.id,
    ...(JSON.parse(pii.decrypt('addresses.data', r.data_enc)) as Omit<Address, 'id'>),
  });
  const sealAddress = (a: Omit<Address, 'id'>) => pii.encrypt('addresses.data', JSON.stringify(a));

  const service = {
    async get(_ctx: Ctx, userId: string): Promise<Me> {
      const u = await usersRepo.byId(db.k, userId);
      if (u?.status !== 'active') throw notFound();
      return me(u);
    },

    async update(_ctx: Ctx, userId: string, patch: { name?: string | null; phone?: string | null }): Promise<Me> {
      const set: Partial<UserRow> = {};
      if (patch.name !== undefined) set.name_enc = pii.encryptOptional('users.name', patch.name);
      if (patch.phone !== undefined) set.phone_enc = pii.encryptOptional('users.phone', patch.phone);
      const u = await db.transaction((tx) => usersRepo.update(tx, userId, set));
      if (!u) throw notFound();
      return me(u);
    },

    async listAddresses(_ctx: Ctx, userId: string): Promise<Address[]> {
      return (await addressesRepo.forUser(db.k, userId)).map(address);
    },

    async addAddress(_ctx: Ctx, userId: string, input: AddressInput): Promise<Address> {
      const id = newId('adr');
      const value = normalise(input);
      await db.transaction((tx) => addressesRepo.insert(tx, { id, user_id: userId, data_enc: sealAddress(value) }));
      return { id, ...value };
    },

    async updateAddress(_ctx: Ctx, userId: string, id: string, patch: Partial<AddressInput>): Promise<Address> {
      return db.transaction(async (tx) => {
        const row = await addressesRepo.owned(tx, userId, id);
        if (!row) throw addressNotFound();
        const { id: _id, ...current } = address(row);
        const defined = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
        const value = normalise({ ...current, ...defined });
        await addressesRepo.update(tx, userId, id, sealAddress(value));
        return { id, ...value };
      });
    },

    async removeAddress(_ctx: Ctx, userId: string, id: string): Promise<void> {
      if (!(await db.transaction((tx) => addressesRepo.remove(tx, userId, id)))) throw addressNotFound();
    },

    /** Everything identity holds about the person, plus each registered module's section. */
    async export(ctx: Ctx, userId: string) {
      const profile = await service.get(ctx, userId);
      const [addresses, sessions, audit] = await Promise.all([
        service.listAddresses(ctx, userId),
        sessionsRepo.forUser(db.k, userId),
        auditRepo.forSubject(db.k, userId),
      ]);
      const modules: Record<string, unknown> = {};
      for (const c of deps.personalData) modules[c.name] = await c.exportFor(ctx, userId);
      return {
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
        modules,
      };
    },

    /**
     * Erases personal data (profile, addresses, credentials), revokes every session, and asks each
     * registered module to erase or anonymise its part. Idempotent: a second call changes nothing.
     */
    async erase(ctx: Ctx, userId: string, client: ClientInfo): Promise<void> {
      await db.transaction(async (tx) => {
        const erased = await usersRepo.erase(tx, userId);
        await addressesRepo.removeAll(tx, userId);
        await sessionsRepo.revokeAllForUser(tx, userId, 'erasure');
        if (erased) {
          await auditRepo.append(tx, [{ action: 'user.erased', actor: ctx.actor, subjectId: userId, ip: client.ip }]);
          await appendEvents(tx, ctx, [
            { type: IDENTITY_EVENTS.userErased, aggregateId: userId, payload: { userId }, id: `evt_erase_${userId}` },
          ]);
        }
      });
      for (const c of deps.personalData) await c.eraseFor(ctx, userId);
    },
  };
  return service;
}
