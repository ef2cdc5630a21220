import { describe, expect, it } from 'vitest';
import { InvalidSignatureError } from './provider.ts';
import { computeSignature, signatureHeader, verifySignature } from './webhook-signature.ts';

const SECRET = 'whsec_0123456789abcdef';
const body = '{"id":"evt_1"}';

describe('sandbox webhook signatures [REQ-PAY-005]', () => {
  it('[REQ-PAY-005] HMAC-SHA256 over `t.body`, header t=…,v1=…; a rotated second v1 is accepted', () => {
    expect(signatureHeader(SECRET, body, 1_700_000_000)).toBe(
      `t=1700000000,v1=${computeSignature(SECRET, 1_700_000_000, body)}`,
    );
    expect(computeSignature(SECRET, 1, 'x')).toMatch(/^[0-9a-f]{64}$/);
    const h = `t=1700000000,v1=${'0'.repeat(64)},v1=${computeSignature(SECRET, 1_700_000_000, body)}`;
    expect(() => verifySignature(SECRET, body, h, 1_700_000_000)).not.toThrow();
  });

  it.each([
    ['missing', undefined, 1_700_000_000],
    ['malformed', 'garbage', 1_700_000_000],
    ['forged', signatureHeader('whsec_other_secret_0000', body, 1_700_000_000), 1_700_000_000],
    ['stale (301 s old)', signatureHeader(SECRET, body, 1_700_000_000), 1_700_000_301],
    ['from the future', signatureHeader(SECRET, body, 1_700_000_301), 1_700_000_000],
  ])('[REQ-PAY-005] %s → InvalidSignatureError', (_name, header, now) => {
    expect(() => verifySignature(SECRET, body, header, now)).toThrow(InvalidSignatureError);
  });

  it('[REQ-PAY-005] exactly 300 s old is still inside the tolerance', () => {
    expect(() =>
      verifySignature(SECRET, body, signatureHeader(SECRET, body, 1_700_000_000), 1_700_000_300),
    ).not.toThrow();
  });
});
