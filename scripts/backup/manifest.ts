// The small JSON file written beside every backup (`<file>.manifest.json`): what the backup holds and how to
// check it — the file's size and SHA-256, and for PostgreSQL each table's row count and checksum.
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import type { TableChecksum } from './table-checksums.ts';

export const MANIFEST_FORMAT = 'emporium-backup/1';

interface ManifestBase {
  format: typeof MANIFEST_FORMAT;
  createdAt: string;
  /** The backup file's name (beside the manifest), size and SHA-256: a truncated or altered copy is refused. */
  file: string;
  bytes: number;
  sha256: string;
}

export interface PostgresManifest extends ManifestBase {
  kind: 'postgres';
  serverVersion: string;
  pgDumpVersion: string;
  /** The snapshot pg_dump read (and the checksums were computed in). */
  snapshot: string;
  tables: TableChecksum[];
}

export interface EmbeddedManifest extends ManifestBase {
  kind: 'embedded';
  /** PostgreSQL major version of the PGlite data directory (`pglite/PG_VERSION`). */
  pgVersion: string;
  /** Whether the generated keys (`secrets/`) are inside: without them sealed personal data cannot be opened. */
  includesGeneratedKeys: boolean;
  entries: string[];
}

export type Manifest = PostgresManifest | EmbeddedManifest;

export const manifestPath = (file: string) => `${file}.manifest.json`;

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export async function fileFacts(file: string): Promise<{ bytes: number; sha256: string }> {
  return { bytes: statSync(file).size, sha256: await sha256File(file) };
}

/** Written to a temporary name and renamed: a manifest present means a backup complete. */
export function writeManifest(file: string, manifest: Manifest): void {
  const tmp = `${manifestPath(file)}.partial`;
  writeFileSync(tmp, `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, manifestPath(file));
}

export class BackupError extends Error {
  /** 1: the backup or the restore failed; 2: refused (bad arguments, a target that is not empty, a live database). */
  readonly exitCode: 1 | 2;
  constructor(message: string, exitCode: 1 | 2 = 1) {
    super(message);
    this.exitCode = exitCode;
  }
}

/** The manifest of `file`, checked against the file itself (size and SHA-256). */
export async function readVerifiedManifest(file: string): Promise<Manifest> {
  if (!existsSync(file)) throw new BackupError(`no backup file at ${file}`, 2);
  const path = manifestPath(file);
  if (!existsSync(path)) throw new BackupError(`no manifest at ${path}: the backup is incomplete or was moved`, 2);
  const manifest = JSON.parse(readFileSync(path, 'utf8')) as Manifest;
  if (manifest.format !== MANIFEST_FORMAT) throw new BackupError(`unknown manifest format in ${path}`, 2);
  const facts = await fileFacts(file);
  if (facts.bytes !== manifest.bytes || facts.sha256 !== manifest.sha256) {
    throw new BackupError(`${file} does not match its manifest (size or SHA-256 differs): the copy is damaged`);
  }
  return manifest;
}
