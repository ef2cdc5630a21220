// Key material: JWT signing keys and PII encryption keys, from configuration or — in embedded mode —
// generated once and kept under `${DATA_DIR}/secrets/` (files 0600). In tests and with an in-memory
// database they are generated per process and never written.
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../../platform/config.ts';

export interface SigningKey {
  kid: string;
  privateKey: KeyObject | undefined;
  publicKey: KeyObject;
}

export interface EncryptionKeyring {
  /** New values are encrypted under this key id. */
  activeId: string;
  keys: Map<string, Buffer>;
}

interface StoredJwtKeys {
  keys: { privateKeyPem: string; publicKeyPem: string; createdAt: string }[];
}
interface StoredEncryptionKeys {
  active: string;
  keys: Record<string, string>;
}

/** Where generated secrets live, or undefined when they must stay in memory. */
export function secretsDir(config: Config): string | undefined {
  if (config.env === 'test' || config.pgliteInMemory) return undefined;
  return join(config.dataDir, 'secrets');
}

function readJson<T>(dir: string | undefined, name: string): T | undefined {
  if (!dir) return undefined;
  const file = join(dir, name);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as T) : undefined;
}

function writeJson(dir: string | undefined, name: string, value: unknown): void {
  if (!dir) return;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, name);
  writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
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

/** Configured keys: the LAST entry of ENCRYPTION_KEYS is active; earlier ones still decrypt. */
export function loadEncryptionKeys(config: Config): EncryptionKeyring {
  if (config.encryptionKeys) {
    const ids = Object.keys(config.encryptionKeys);
    const keys = new Map(ids.map((id) => [id, Buffer.from(config.encryptionKeys?.[id] ?? '', 'base64')]));
    return { activeId: ids[ids.length - 1] ?? '', keys };
  }
  const dir = secretsDir(config);
  let stored = readJson<StoredEncryptionKeys>(dir, 'encryption-keys.json');
  if (!stored) {
    stored = { active: 'k1', keys: { k1: randomBytes(32).toString('base64') } };
    writeJson(dir, 'encryption-keys.json', stored);
  }
  return {
    activeId: stored.active,
    keys: new Map(Object.entries(stored.keys).map(([id, k]) => [id, Buffer.from(k, 'base64')])),
  };
}
