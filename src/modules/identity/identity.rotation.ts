// Identity's parts of the platform key rotation (the `privacy.rotate_keys` job drives every module's parts).
// Values sealed under a data key (`s1.`) need nothing here: their key is re-wrapped by the platform. What is left
// for identity: master-key values written by older versions (`v1.`) move to the account's data key; email blind
// indexes under an old key are recomputed; plaintext IPs and user agents of older versions are sealed; audit IPs
// with no account behind them are re-encrypted under the active master key. Every update is optimistic (a row
// changed meanwhile is left for the next batch).
import { type ExpressionBuilder, sql } from 'kysely';
import type { KeyRotationPart } from '../../platform/privacy/privacy.ts';
import type { IdentityDb, IdentitySessions } from './db.generated.ts';
import type { IdentityDeps } from './identity.deps.ts';
import { FIELDS } from './personal-fields.ts';
import { identityTables } from './tables.ts';

const V1 = 'v1.%';
const count = async (q: { executeTakeFirst(): Promise<{ n: string } | undefined> }): Promise<number> =>
  Number((await q.executeTakeFirst())?.n ?? 0);
const n = (r: { numUpdatedRows: bigint }) => Number(r.numUpdatedRows);

export function identityRotationParts(deps: IdentityDeps): KeyRotationPart[] {
  const { db, pii, fields } = deps;
  const t = identityTables(db.k);
  const staleIndex = () => `${pii.activeKeyId}.%`;
  const activeMaster = () => `v1.${pii.activeKeyId}.%`;
  /** A master-key value re-sealed under `key`; anything else as it is (a string stays a string). */
  const moved = <V extends string | null>(key: Parameters<typeof fields.seal>[0], field: string, v: V): V =>
    (v?.startsWith('v1.') ? fields.seal(key, field, pii.decrypt(field, v)) : v) as V;

  const usersToDo = (eb: ExpressionBuilder<IdentityDb, 'identity.users'>) =>
    eb.or([
      eb('email_enc', 'like', V1),
      eb('name_enc', 'like', V1),
      eb('phone_enc', 'like', V1),
      eb.and([eb('email_index', 'is not', null), eb('email_index', 'not like', staleIndex())]),
    ]);
  const users: KeyRotationPart = {
    name: 'identity.users',
    remaining: () =>
      count(
        t
          .selectFrom('identity.users')
          .select(sql<string>`count(*)`.as('n'))
          .where('status', '=', 'active')
          .where(usersToDo),
      ),
    async batch(limit) {
      const rows = await t
        .selectFrom('identity.users')
        .select(['id', 'email_index', 'email_enc', 'name_enc', 'phone_enc'])
        .where('status', '=', 'active')
        .where(usersToDo)
        .orderBy('id')
        .limit(limit)
        .execute();
      let changed = 0;
      for (const u of rows) {
        const key = await fields.keyOf(u.id);
        const email = await fields.open(FIELDS.email, u.email_enc);
        const next = {
          email_enc: moved(key, FIELDS.email, u.email_enc),
          name_enc: moved(key, FIELDS.name, u.name_enc),
          phone_enc: moved(key, FIELDS.phone, u.phone_enc),
          email_index: email === null ? u.email_index : pii.blindIndex(email),
        };
        // Nothing to change (an email that no longer opens): not counted, so the rotation loop ends.
        if ((Object.keys(next) as (keyof typeof next)[]).every((c) => next[c] === u[c])) continue;
        changed += n(
          await t
            .updateTable('identity.users')
            .set(next)
            .where('id', '=', u.id)
            .where('status', '=', 'active')
            .where(sql<boolean>`email_enc is not distinct from ${u.email_enc}`)
            .where(sql<boolean>`name_enc is not distinct from ${u.name_enc}`)
            .where(sql<boolean>`phone_enc is not distinct from ${u.phone_enc}`)
            .executeTakeFirst(),
        );
      }
      return changed;
    },
  };

  const addresses: KeyRotationPart = {
    name: 'identity.addresses',
    remaining: () =>
      count(t.selectFrom('identity.addresses').select(sql<string>`count(*)`.as('n')).where('data_enc', 'like', V1)),
    async batch(limit) {
      const rows = await t
        .selectFrom('identity.addresses')
        .select(['id', 'user_id', 'data_enc'])
        .where('data_enc', 'like', V1)
        .orderBy('id')
        .limit(limit)
        .execute();
      let changed = 0;
      for (const a of rows) {
        const key = await fields.keyOf(a.user_id);
        changed += n(
          await t
            .updateTable('identity.addresses')
            .set({ data_enc: moved(key, FIELDS.address, a.data_enc) })
            .where('id', '=', a.id)
            .where('data_enc', '=', a.data_enc)
            .executeTakeFirst(),
        );
      }
      return changed;
    },
  };

  const sessionsToDo = (eb: ExpressionBuilder<{ s: IdentitySessions }, 's'>) =>
    eb.or([eb('s.ip', 'is not', null), eb('s.user_agent', 'is not', null)]);
  const sessions: KeyRotationPart = {
    name: 'identity.sessions',
    remaining: () =>
      count(t.selectFrom('identity.sessions as s').select(sql<string>`count(*)`.as('n')).where(sessionsToDo)),
    async batch(limit) {
      const rows = await t
        .selectFrom('identity.sessions as s')
        .innerJoin('identity.users as u', 'u.id', 's.user_id')
        .select(['s.id', 's.user_id', 's.ip', 's.user_agent', 'u.status'])
        .where(sessionsToDo)
        .orderBy('s.id')
        .limit(limit)
        .execute();
      let changed = 0;
      for (const s of rows) {
        // An erased account's plaintext is dropped, not sealed under a new key.
        const key = s.status === 'active' ? await fields.keyOf(s.user_id) : null;
        changed += n(
          await t
            .updateTable('identity.sessions')
            .set({
              ip: null,
              user_agent: null,
              ...(key ? { ip_sealed: fields.sealOptional(key, FIELDS.sessionIp, s.ip) } : {}),
              ...(key ? { user_agent_sealed: fields.sealOptional(key, FIELDS.sessionUserAgent, s.user_agent) } : {}),
            })
            .where('id', '=', s.id)
            .where(sql<boolean>`ip is not distinct from ${s.ip}`)
            .where(sql<boolean>`user_agent is not distinct from ${s.user_agent}`)
            .executeTakeFirst(),
        );
      }
      return changed;
    },
  };

  const auditToDo = (eb: ExpressionBuilder<IdentityDb, 'identity.audit_log'>) =>
    eb.or([
      eb('ip', 'is not', null),
      eb.and([eb('ip_sealed', 'like', V1), eb('ip_sealed', 'not like', activeMaster())]),
    ]);
  const audit: KeyRotationPart = {
    name: 'identity.audit_log',
    remaining: () => count(t.selectFrom('identity.audit_log').select(sql<string>`count(*)`.as('n')).where(auditToDo)),
    async batch(limit) {
      const rows = await t
        .selectFrom('identity.audit_log')
        .select(['id', 'actor_kind', 'actor_id', 'subject_id', 'ip', 'ip_sealed'])
        .where(auditToDo)
        .orderBy('id')
        .limit(limit)
        .execute();
      // The account an entry concerns (as audit-log.ts decides for new entries), and whether it is still active.
      const accountOf = (r: (typeof rows)[number]) =>
        (r.actor_kind === 'customer' || r.actor_kind === 'staff' ? r.actor_id : null) ??
        (r.subject_id?.startsWith('usr_') ? r.subject_id : null);
      const ids = [...new Set(rows.map(accountOf).filter((x): x is string => x !== null))];
      const status = new Map<string, string>(
        ids.length
          ? (await t.selectFrom('identity.users').select(['id', 'status']).where('id', 'in', ids).execute()).map(
              (u) => [u.id, u.status],
            )
          : [],
      );
      let changed = 0;
      for (const r of rows) {
        let next: string | null;
        if (r.ip === null) {
          // A master-key IP under an old key: re-encrypted under the active one.
          next = pii.encrypt(FIELDS.auditIp, pii.decrypt(FIELDS.auditIp, r.ip_sealed as string));
        } else {
          const account = accountOf(r);
          const state = account ? status.get(account) : undefined;
          if (state === 'erased') next = null;
          else
            next = fields.seal(
              state === 'active' && account ? await fields.keyOf(account) : null,
              FIELDS.auditIp,
              r.ip,
            );
        }
        changed += n(
          await t
            .updateTable('identity.audit_log')
            .set({ ip: null, ip_sealed: next })
            .where('id', '=', r.id)
            .where(sql<boolean>`ip is not distinct from ${r.ip}`)
            .where(sql<boolean>`ip_sealed is not distinct from ${r.ip_sealed}`)
            .executeTakeFirst(),
        );
      }
      return changed;
    },
  };

  return [users, addresses, sessions, audit];
}
