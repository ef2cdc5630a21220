// The orders module's personal data: an order's email and addresses, the checkout snapshot, the stored answer and the
// payment token, return reasons and notes, and the free text of the order log. Each is sealed under the data key of
// the order's subject (`user:<id>` for a customer, `email:<index>` for a guest; privacy/data-keys.ts), so erasing the
// subject makes every copy unreadable. Rows written before sealing keep plaintext in the old columns until the key
// rotation part (privacy/orders.rotation.ts) moves it; readers accept both.
import { type DataKey, isSealed } from '../../platform/privacy/data-keys.ts';
import { personIndex } from '../../platform/privacy/email.ts';
import type { Privacy } from '../../platform/privacy/privacy.ts';
import type { Address } from './contract.ts';

export type OrdersPrivacy = Pick<Privacy, 'pii' | 'dataKeys' | 'subjectOf'>;

/** Field names: the associated data of each sealed value (a value cannot be moved to another column). */
export const FIELDS = {
  email: 'orders.orders.email',
  shippingAddress: 'orders.orders.shipping_address',
  billingAddress: 'orders.orders.billing_address',
  snapshot: 'orders.checkout_attempts.snapshot',
  answer: 'orders.checkout_attempts.answer',
  paymentToken: 'orders.checkout_attempts.payment_token',
  returnReason: 'orders.returns.reason',
  returnNote: 'orders.returns.note',
  logReason: 'orders.order_events.reason',
} as const;

/** The data key subject of an order's personal data. */
export const orderSubject = (
  p: OrdersPrivacy,
  person: { userId: string | null; email: string | null },
  orderId: string,
): string => p.subjectOf(person, `order:${orderId}`);

/** The columns an order's personal fields are stored in. */
export interface SealedOrderFields {
  email: string | null;
  shippingAddress: string | null;
  billingAddress: string | null;
  emailIndex: string | null;
  subject: string;
}

export function sealOrderFields(
  p: OrdersPrivacy,
  key: DataKey,
  person: { email: string | null; shippingAddress: Address | null; billingAddress: Address | null },
): SealedOrderFields {
  const k = p.dataKeys;
  return {
    email: person.email ? k.seal(key, FIELDS.email, person.email) : null,
    shippingAddress: person.shippingAddress ? k.sealJson(key, FIELDS.shippingAddress, person.shippingAddress) : null,
    billingAddress: person.billingAddress ? k.sealJson(key, FIELDS.billingAddress, person.billingAddress) : null,
    emailIndex: person.email ? personIndex(p.pii, person.email) : null,
    subject: key.subject,
  };
}

/** What an order row holds of its customer (sealed, or plaintext left by older versions). */
export interface PersonalColumns {
  email: string | null;
  shipping_address: unknown;
  billing_address?: unknown;
  email_sealed?: string | null;
  shipping_address_sealed?: string | null;
  billing_address_sealed?: string | null;
  customer_erased_at?: Date | string | null;
}

export interface OrderPersonal {
  email: string | null;
  shippingAddress: Address | null;
  billingAddress: Address | null;
  /** The personal fields were removed (erasure, retention) or their subject's key is gone. */
  erased: boolean;
}

const json = <T>(v: unknown): T | null => (v == null ? null : typeof v === 'string' ? (JSON.parse(v) as T) : (v as T));

/** The sealed values of order rows (to preload their keys in one statement). */
export const sealedOf = (rows: PersonalColumns[]): (string | null | undefined)[] =>
  rows.flatMap((o) => [o.email_sealed, o.shipping_address_sealed, o.billing_address_sealed]);

export async function openOrderPersonal(p: OrdersPrivacy, o: PersonalColumns): Promise<OrderPersonal> {
  if (o.customer_erased_at) return { email: null, shippingAddress: null, billingAddress: null, erased: true };
  const k = p.dataKeys;
  const email = o.email_sealed ? await k.open(FIELDS.email, o.email_sealed) : o.email;
  const shippingAddress = o.shipping_address_sealed
    ? await k.openJson<Address>(FIELDS.shippingAddress, o.shipping_address_sealed)
    : json<Address>(o.shipping_address);
  const billingAddress = o.billing_address_sealed
    ? await k.openJson<Address>(FIELDS.billingAddress, o.billing_address_sealed)
    : json<Address>(o.billing_address);
  // A sealed value that no longer opens: its subject was erased (the key is gone) before this row was cleared.
  const erased = (!!o.email_sealed && email === null) || (!!o.shipping_address_sealed && shippingAddress === null);
  return erased
    ? { email: null, shippingAddress: null, billingAddress: null, erased: true }
    : { email, shippingAddress, billingAddress, erased: false };
}

/** Seals customer- or staff-written text (null stays null). */
export const sealText = (p: OrdersPrivacy, key: DataKey, field: string, text: string | null | undefined) =>
  text == null ? null : p.dataKeys.seal(key, field, text);

/** Opens sealed text; plaintext (system text, or rows older than sealing) comes back as it is; erased → null. */
export const openText = async (p: OrdersPrivacy, field: string, value: string | null): Promise<string | null> =>
  value !== null && isSealed(value) ? p.dataKeys.open(field, value) : value;
