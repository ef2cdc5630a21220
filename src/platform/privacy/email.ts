// Email normalisation for identifying a person across an account and its guest checkouts (per-person coupon
// limits, guest erasure and export): trimmed, lower-cased, and with the local part's `+tag` removed, so
// `Ann+shop@Example.com` and `ann@example.com` are one person. Dots are kept (only some providers ignore them).
import type { Pii } from './pii.ts';

export function canonicalEmail(email: string): string {
  const e = email.trim().toLowerCase();
  const at = e.lastIndexOf('@');
  if (at <= 0) return e;
  const local = e.slice(0, at);
  const plus = local.indexOf('+');
  return `${plus > 0 ? local.slice(0, plus) : local}${e.slice(at)}`;
}

/** The person's keyed blind index (HMAC under the active key): stored beside sealed emails for lookups. */
export function personIndex(pii: Pii, email: string): string {
  return pii.blindIndex(canonicalEmail(email));
}

/** The person's blind index under every key of the ring (lookups while keys rotate). */
export function personIndexCandidates(pii: Pii, email: string): string[] {
  return pii.blindIndexCandidates(canonicalEmail(email));
}
