// Stripe-style webhook signatures for the sandbox PSP: `Emporium-Signature: t=<unix s>,v1=<hex>`,
// v1 = HMAC-SHA256(secret, `${t}.${body}`). Several v1 entries are allowed (secret rotation).
import { createHmac, timingSafeEqual } from 'node:crypto';
import { InvalidSignatureError } from './provider.ts';

export const SIGNATURE_HEADER = 'emporium-signature';
/** Signatures older (or newer) than this are refused: a captured request cannot be replayed later. */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

export function computeSignature(secret: string, timestamp: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

export function signatureHeader(secret: string, body: string, timestamp = Math.floor(Date.now() / 1000)): string {
  return `t=${timestamp},v1=${computeSignature(secret, timestamp, body)}`;
}

export function verifySignature(
  secret: string,
  body: string,
  header: string | undefined,
  now = Math.floor(Date.now() / 1000),
  toleranceSeconds = SIGNATURE_TOLERANCE_SECONDS,
): void {
  if (!header) throw new InvalidSignatureError('The signature header is missing.');
  let timestamp: number | undefined;
  const candidates: string[] = [];
  for (const part of header.split(',')) {
    const [k, v] = part.trim().split('=', 2);
    if (k === 't' && v && /^\d{1,12}$/.test(v)) timestamp = Number(v);
    else if (k === 'v1' && v) candidates.push(v);
  }
  if (timestamp === undefined || candidates.length === 0) {
    throw new InvalidSignatureError('The signature header is malformed.');
  }
  if (Math.abs(now - timestamp) > toleranceSeconds) {
    throw new InvalidSignatureError('The signature timestamp is outside the tolerance window.');
  }
  const expected = Buffer.from(computeSignature(secret, timestamp, body), 'hex');
  const ok = candidates.some((c) => {
    const given = Buffer.from(c, 'hex');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  if (!ok) throw new InvalidSignatureError('The signature does not match the body.');
}
