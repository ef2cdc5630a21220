// The cart's part of a person's export, erasure and key rotation (the privacy registry, platform/privacy).
// A person's carts are those of their account (user_id) and the guest carts whose email is theirs (email_index).
// Erasure deletes them (their lines go with them) and destroys the data keys of carts sealed under their own
// subject (`cart:<id>`); the orchestrator then destroys the person's own keys.
import { sql } from 'kysely';
import { type Static, Type } from 'typebox';
import type { Db } from '../../platform/db/db.ts';
import { CurrencyCode, DateTime, Id, Integer, List, Text } from '../../platform/http/schema-helpers.ts';
import { personIndex } from '../../platform/privacy/email.ts';
import type { DataSubject, KeyRotationPart, PersonalDataContributor, Privacy } from '../../platform/privacy/privacy.ts';
import { type CartPii, hasLegacyPlaintext } from './cart.pii.ts';
import * as repo from './cart.repo.ts';
import { AddressSchema } from './cart.schemas.ts';

const Money = Type.Object({ amount: Integer({ description: 'minor units' }), currency: CurrencyCode() });

export const CartExportSchema = Type.Object(
  {
    carts: List(
      Type.Object({
        id: Id(),
        status: Text(40, { examples: ['active', 'completed', 'merged', 'expired'] }),
        currency: CurrencyCode(),
        email: Type.Union([Text(320), Type.Null()]),
        shippingAddress: Type.Union([AddressSchema, Type.Null()]),
        billingAddress: Type.Union([AddressSchema, Type.Null()]),
        lines: List(Type.Object({ sku: Text(), name: Text(), quantity: Integer(), unitPrice: Money })),
        createdAt: DateTime(),
      }),
      100_000,
    ),
  },
  { description: "The person's carts: their account's and the guest carts with their email" },
);
export type CartExport = Static<typeof CartExportSchema>;

/** Carts of the subject: by account, or guest carts by the email's blind index. */
/** The account's carts, and guest carts (no account) with the person's email; never another account's cart. */
const ofSubject = (s: DataSubject) =>
  sql`(user_id = ${s.userId} or (user_id is null and email_index = any(${s.emailIndexes}::text[])))`;

/** Destroys the data keys of carts that were sealed under their own subject (no email, no account yet). */
export const shredCartKeys = (privacy: Privacy, db: Db, cartIds: string[]) =>
  cartIds.length
    ? privacy.dataKeys.shred(
        db.k,
        cartIds.map((id) => `cart:${id}`),
      )
    : Promise.resolve(0);

export function createCartContributor(deps: { db: Db; privacy: Privacy; pii: CartPii }): PersonalDataContributor {
  const { db, privacy, pii } = deps;
  const activeIndex = `${privacy.pii.activeKeyId}.%`;
  const stale = sql`((email_index is not null and email_index not like ${activeIndex}) or email is not null
    or shipping_address is not null or billing_address is not null)`;

  const rotation: KeyRotationPart = {
    name: 'cart.carts',
    async remaining() {
      const r = await sql<{ n: number }>`select count(*)::int as n from cart.carts where ${stale}`.execute(db.k);
      return r.rows[0]?.n ?? 0;
    },
    /** Seals plaintext left by older versions and recomputes email indexes under the active key. */
    async batch(limit) {
      const rows = await sql<repo.StoredCart>`select ${repo.CART_COLUMNS} from cart.carts where ${stale}
        order by id limit ${limit}`.execute(db.k);
      await pii.preload(rows.rows);
      let changed = 0;
      for (const s of rows.rows) {
        const data = await pii.openData(s);
        let next: { pii_enc: string | null; email_index: string | null };
        if (hasLegacyPlaintext(s)) next = pii.seal(s.id, await pii.keyFor(s.id, s.user_id, data), data);
        // Sealed already: only the index is stale; once the subject was erased there is nothing to index.
        else next = { pii_enc: s.pii_enc, email_index: data.email ? personIndex(privacy.pii, data.email) : null };
        // Guarded by the version read: a concurrent change (which seals afresh) wins; the row is found again later.
        const u = await sql`update cart.carts set ${repo.setPii(next)} where id = ${s.id} and version = ${s.version}
          and pii_enc is not distinct from ${s.pii_enc}`.execute(db.k);
        changed += Number(u.numAffectedRows ?? 0);
      }
      return changed;
    },
  };

  return {
    name: 'cart',
    exportSchema: CartExportSchema,
    async exportFor(_ctx, subject): Promise<CartExport> {
      const carts = await sql<repo.StoredCart & { created_at: Date }>`select ${repo.CART_COLUMNS}, created_at
        from cart.carts where ${ofSubject(subject)} order by created_at, id`.execute(db.k);
      if (!carts.rows.length) return { carts: [] };
      const ids = carts.rows.map((c) => c.id);
      const items = await sql<repo.ItemRow>`select * from cart.items where cart_id = any(${ids}::text[])
        order by created_at, id`.execute(db.k);
      await pii.preload(carts.rows);
      const out: CartExport['carts'] = [];
      for (const c of carts.rows) {
        const d = await pii.openData(c);
        out.push({
          id: c.id,
          status: c.status,
          currency: c.currency,
          email: d.email,
          shippingAddress: d.shippingAddress,
          billingAddress: d.billingAddress,
          lines: items.rows
            .filter((i) => i.cart_id === c.id)
            .map((i) => ({
              sku: i.sku,
              name: i.name,
              quantity: i.quantity,
              unitPrice: { amount: Number(i.unit_price), currency: c.currency },
            })),
          createdAt: c.created_at.toISOString(),
        });
      }
      return { carts: out };
    },
    async eraseFor(_ctx, subject) {
      const r = await sql<{ id: string }>`delete from cart.carts where ${ofSubject(subject)} returning id`.execute(
        db.k,
      );
      const ids = r.rows.map((x) => x.id);
      await shredCartKeys(privacy, db, ids);
      return ids.length;
    },
    rotation: [rotation],
  };
}
