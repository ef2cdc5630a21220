// Field-level encryption of personal data: AES-256-GCM, a fresh 96-bit IV per value, the field's
// name as associated data (a value cannot be moved to another column), and the key id in the value
// so keys can rotate: `v1.<keyId>.<iv>.<ciphertext+tag>` (base64url). Email lookups use an HMAC
// blind index `<keyId>.<hmac>` computed under every known key.
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import type { EncryptionKeyring } from './keyring.ts';

export interface Pii {
  readonly activeKeyId: string;
  encrypt(field: string, plaintext: string): string;
  encryptOptional(field: string, plaintext: string | null | undefined): string | null;
  decrypt(field: string, value: string): string;
  decryptOptional(field: string, value: string | null | undefined): string | null;
  /** The key id a stored value was encrypted under. */
  keyIdOf(value: string): string | undefined;
  /** Blind index under the active key. */
  blindIndex(value: string): string;
  /** Blind indexes under every key (for lookups while keys rotate). */
  blindIndexCandidates(value: string): string[];
}

export function createPii(ring: EncryptionKeyring): Pii {
  const indexKeys = new Map(
    [...ring.keys].map(([id, key]) => [
      id,
      Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), 'emporium blind index', 32)),
    ]),
  );
  const encKey = (id: string) => {
    const key = ring.keys.get(id);
    if (key?.length !== 32) throw new Error(`unknown encryption key id ${id}`);
    return key;
  };
  const index = (id: string, value: string) => {
    const key = indexKeys.get(id);
    if (!key) throw new Error(`unknown encryption key id ${id}`);
    return `${id}.${createHmac('sha256', key).update(value).digest('base64url')}`;
  };
  const pii: Pii = {
    activeKeyId: ring.activeId,
    encrypt(field, plaintext) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', encKey(ring.activeId), iv);
      cipher.setAAD(Buffer.from(field));
      const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
      return `v1.${ring.activeId}.${iv.toString('base64url')}.${ct.toString('base64url')}`;
    },
    encryptOptional: (field, plaintext) => (plaintext == null ? null : pii.encrypt(field, plaintext)),
    decrypt(field, value) {
      const [version, keyId, ivText, ctText] = value.split('.');
      if (version !== 'v1' || !keyId || !ivText || !ctText) throw new Error('not an encrypted value');
      const data = Buffer.from(ctText, 'base64url');
      const decipher = createDecipheriv('aes-256-gcm', encKey(keyId), Buffer.from(ivText, 'base64url'));
      decipher.setAAD(Buffer.from(field));
      decipher.setAuthTag(data.subarray(data.length - 16));
      return Buffer.concat([decipher.update(data.subarray(0, data.length - 16)), decipher.final()]).toString('utf8');
    },
    decryptOptional: (field, value) => (value == null ? null : pii.decrypt(field, value)),
    keyIdOf: (value) => value.split('.')[1],
    blindIndex: (value) => index(ring.activeId, value),
    blindIndexCandidates: (value) => [
      index(ring.activeId, value),
      ...[...ring.keys.keys()].filter((id) => id !== ring.activeId).map((id) => index(id, value)),
    ],
  };
  return pii;
}

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}
