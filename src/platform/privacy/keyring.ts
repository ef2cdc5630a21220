// The master keyring that encrypts personal data (and wraps each data subject's own key): from
// ENCRYPTION_KEYS, or — embedded — generated once under `${DATA_DIR}/secrets/` (files 0600). In tests and
// with an in-memory database keys are generated per process and never written.
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config.ts';
import { makeDirs } from '../make-dirs.ts';

export interface EncryptionKeyring {
  /** New values are encrypted under this key id. */
  activeId: string;
  keys: Map<string, Buffer>;
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

export function readSecretFile<T>(dir: string | undefined, name: string): T | undefined {
  if (!dir) return undefined;
  const file = join(dir, name);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as T) : undefined;
}

export function writeSecretFile(dir: string | undefined, name: string, value: unknown): void {
  if (!dir) return;
  makeDirs(dir, 0o700);
  const file = join(dir, name);
  writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
}

/** Configured keys: the LAST entry of ENCRYPTION_KEYS is active; earlier ones still decrypt. */
export function loadEncryptionKeys(config: Config): EncryptionKeyring {
  if (config.encryptionKeys) {
    const ids = Object.keys(config.encryptionKeys);
    const keys = new Map(ids.map((id) => [id, Buffer.from(config.encryptionKeys?.[id] ?? '', 'base64')]));
    return { activeId: ids[ids.length - 1] ?? '', keys };
  }
  const dir = secretsDir(config);
  let stored = readSecretFile<StoredEncryptionKeys>(dir, 'encryption-keys.json');
  if (!stored) {
    stored = { active: 'k1', keys: { k1: randomBytes(32).toString('base64') } };
    writeSecretFile(dir, 'encryption-keys.json', stored);
  }
  return {
    activeId: stored.active,
    keys: new Map(Object.entries(stored.keys).map(([id, k]) => [id, Buffer.from(k, 'base64')])),
  };
}
