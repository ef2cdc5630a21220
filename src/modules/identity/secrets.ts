// Key material: JWT signing keys (the PII keyring is in platform/privacy/keyring.ts), from configuration or — in embedded mode —
// generated once and kept under `${DATA_DIR}/secrets/` (files 0600). In tests and with an in-memory
// database they are generated per process and never written.
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { Config } from '../../platform/config.ts';
import {
  readSecretFile as readJson,
  secretsDir,
  writeSecretFile as writeJson,
} from '../../platform/privacy/keyring.ts';

export interface SigningKey {
  kid: string;
  privateKey: KeyObject | undefined;
  publicKey: KeyObject;
}

interface StoredJwtKeys {
  keys: { privateKeyPem: string; publicKeyPem: string; createdAt: string }[];
}

const pem = (raw: string) => raw.replace(/\\n/g, '\n');

function newEd25519(): StoredJwtKeys['keys'][number] {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    createdAt: new Date().toISOString(),
  };
}

/** Key id: a short SHA-256 over the raw public key (stable across restarts and processes). */
function kidOf(publicKey: KeyObject): string {
  const jwk = publicKey.export({ format: 'jwk' });
  return `ed25519-${Buffer.from(String(jwk.x), 'base64url').subarray(0, 12).toString('base64url')}`;
}

function signingKey(privatePem: string | undefined, publicPem: string): SigningKey {
  const publicKey = createPublicKey(pem(publicPem));
  if (publicKey.asymmetricKeyType !== 'ed25519') throw new Error('JWT keys must be Ed25519 (EdDSA)');
  return { kid: kidOf(publicKey), privateKey: privatePem ? createPrivateKey(pem(privatePem)) : undefined, publicKey };
}

/** The signing key first, then previous keys (verification only). */
export function loadSigningKeys(config: Config): SigningKey[] {
  if (config.jwt.privateKey && config.jwt.publicKey) {
    return [
      signingKey(config.jwt.privateKey, config.jwt.publicKey),
      ...config.jwt.previousPublicKeys.map((p) => signingKey(undefined, p)),
    ];
  }
  const dir = secretsDir(config);
  let stored = readJson<StoredJwtKeys>(dir, 'jwt-keys.json');
  if (!stored?.keys.length) {
    stored = { keys: [newEd25519()] };
    writeJson(dir, 'jwt-keys.json', stored);
  }
  return stored.keys.map((k) => signingKey(k.privateKeyPem, k.publicKeyPem));
}

/**
 * Embedded mode: makes a new signing key and keeps the previous one for verification, so tokens
 * already issued stay valid until they expire. Returns the new key list.
 */
export function rotateStoredSigningKey(config: Config, current: SigningKey[]): SigningKey[] {
  const dir = secretsDir(config);
  const stored = readJson<StoredJwtKeys>(dir, 'jwt-keys.json');
  const fresh = newEd25519();
  if (stored) writeJson(dir, 'jwt-keys.json', { keys: [fresh, ...stored.keys.slice(0, 1)] });
  return [signingKey(fresh.privateKeyPem, fresh.publicKeyPem), ...current.slice(0, 1)];
}
