// Signing secrets at rest: sealed with the master key (`kernel.privacy.pii`, the field name as associated data), and
// re-sealed under the active key when the master key rotates.
import { sql } from 'kysely';
import type { Db } from '../../platform/db/db.ts';
import type { Pii } from '../../platform/privacy/pii.ts';
import type { KeyRotationPart } from '../../platform/privacy/privacy.ts';
import { webhookTables } from './tables.ts';

export const SECRET_FIELD = 'webhooks.endpoint_secret';

/** Re-seals secrets held under an older master key (rows changed meanwhile are left for the next batch). */
export function secretsRotationPart(db: Db, pii: Pii): KeyRotationPart {
  const active = () => `v1.${pii.activeKeyId}.%`;
  const stale = () =>
    sql<boolean>`(secret_sealed not like ${active()}
      or (previous_secret_sealed is not null and previous_secret_sealed not like ${active()}))`;
  const reseal = (v: string | null) =>
    v === null || v.startsWith(`v1.${pii.activeKeyId}.`) ? v : pii.encrypt(SECRET_FIELD, pii.decrypt(SECRET_FIELD, v));
  return {
    name: 'webhooks.endpoints',
    async remaining() {
      const r = await webhookTables(db.k)
        .selectFrom('webhooks.endpoints')
        .select(sql<number>`count(*)::int`.as('n'))
        .where(stale())
        .executeTakeFirst();
      return r?.n ?? 0;
    },
    async batch(limit) {
      const t = webhookTables(db.k);
      const rows = await t
        .selectFrom('webhooks.endpoints')
        .select(['id', 'secret_sealed', 'previous_secret_sealed'])
        .where(stale())
        .orderBy('id')
        .limit(limit)
        .execute();
      let changed = 0;
      for (const r of rows) {
        const u = await t
          .updateTable('webhooks.endpoints')
          .set({
            secret_sealed: reseal(r.secret_sealed) ?? r.secret_sealed,
            previous_secret_sealed: reseal(r.previous_secret_sealed),
          })
          .where('id', '=', r.id)
          .where('secret_sealed', '=', r.secret_sealed)
          .where(sql<boolean>`previous_secret_sealed is not distinct from ${r.previous_secret_sealed}`)
          .executeTakeFirst();
        changed += Number(u.numUpdatedRows);
      }
      return changed;
    },
  };
}
