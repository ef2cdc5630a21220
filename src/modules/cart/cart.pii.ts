// A cart's personal data — email, shipping and billing address — is stored sealed in one column (`pii_enc`) under
// the data key of the cart's subject: the customer (`user:<id>`), else the guest's email (`email:<index>`), else the
// cart itself (`cart:<id>`). `email_index` (the blind index of the canonical email) finds a guest's carts for
// export and erasure. Values are opened only in memory; what the cart hands to checkout stays plaintext there.
import type { Executor } from '../../platform/db/typed.ts';
import type { DataKey } from '../../platform/privacy/data-keys.ts';
import { personIndex } from '../../platform/privacy/email.ts';
import type { Privacy } from '../../platform/privacy/privacy.ts';
import type { CartRow, StoredCart } from './cart.repo.ts';
import type { Address } from './contract.ts';

export interface CartPersonalData {
  email: string | null;
  shippingAddress: Address | null;
  billingAddress: Address | null;
}

export interface SealedPii {
  pii_enc: string | null;
  email_index: string | null;
}

const isEmpty = (d: CartPersonalData) => !d.email && !d.shippingAddress && !d.billingAddress;

/** The personal data of an opened cart. */
export const personalDataOf = (c: CartRow): CartPersonalData => ({
  email: c.email,
  shippingAddress: c.shipping_address,
  billingAddress: c.billing_address,
});

/** True when a stored row still holds plaintext written by an older version. */
export const hasLegacyPlaintext = (s: StoredCart) =>
  s.legacy_email !== null || s.legacy_shipping_address !== null || s.legacy_billing_address !== null;

/** Whether two reads of a row hold the same stored personal data (sealed value and any legacy plaintext). */
export const samePii = (a: StoredCart, b: StoredCart) =>
  a.pii_enc === b.pii_enc &&
  a.legacy_email === b.legacy_email &&
  JSON.stringify([a.legacy_shipping_address, a.legacy_billing_address]) ===
    JSON.stringify([b.legacy_shipping_address, b.legacy_billing_address]);

export function createCartPii(privacy: Privacy) {
  const { dataKeys, pii } = privacy;
  // The cart id is part of the associated data: a sealed value cannot be copied onto another cart.
  const field = (cartId: string) => `cart.carts.pii:${cartId}`;
  const subjectOf = (cartId: string, userId: string | null, email: string | null) =>
    privacy.subjectOf({ userId, email }, `cart:${cartId}`);

  const api = {
    subjectOf,
    /**
     * The data key to seal `data` under (created on first use; call it OUTSIDE transactions), or null when there
     * is nothing to seal.
     */
    async keyFor(cartId: string, userId: string | null, data: CartPersonalData): Promise<DataKey | null> {
      if (isEmpty(data)) return null;
      return dataKeys.forSubject(subjectOf(cartId, userId, data.email));
    },

    /** The customer's data key (carts adopted at sign-in move under it); call it OUTSIDE transactions. */
    userKey: (userId: string): Promise<DataKey> => dataKeys.forSubject(privacy.subjectOf({ userId }, '')),

    seal(cartId: string, key: DataKey | null, data: CartPersonalData): SealedPii {
      if (isEmpty(data)) return { pii_enc: null, email_index: null };
      if (!key) throw new Error(`no data key to seal cart ${cartId}`);
      return {
        pii_enc: dataKeys.sealJson(key, field(cartId), data),
        email_index: data.email ? personIndex(pii, data.email) : null,
      };
    },

    /** Opens a stored cart's personal data (all null once its subject was erased); `via`: the open transaction. */
    async openData(s: StoredCart, via?: Executor): Promise<CartPersonalData> {
      if (s.pii_enc) {
        const d = await dataKeys.openJson<CartPersonalData>(field(s.id), s.pii_enc, via);
        return d ?? { email: null, shippingAddress: null, billingAddress: null };
      }
      return {
        email: s.legacy_email,
        shippingAddress: s.legacy_shipping_address,
        billingAddress: s.legacy_billing_address,
      };
    },

    async open(s: StoredCart, via?: Executor): Promise<CartRow> {
      const d = await api.openData(s, via);
      const { legacy_email: _e, legacy_shipping_address: _s, legacy_billing_address: _b, ...rest } = s;
      return { ...rest, email: d.email, shipping_address: d.shippingAddress, billing_address: d.billingAddress };
    },

    /** Loads the data keys of many rows in one statement (list reads). */
    preload: (rows: readonly StoredCart[]) => dataKeys.preload(rows.map((r) => r.pii_enc)),
  };
  return api;
}
export type CartPii = ReturnType<typeof createCartPii>;
