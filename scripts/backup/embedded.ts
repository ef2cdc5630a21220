// Embedded (PGlite) backup: a .tar.gz of the whole DATA_DIR — the database files (`pglite/`) AND the keys the
// server generated there (`secrets/`: the master encryption keys and the JWT signing keys). Without those keys the
// sealed personal data in the database cannot be opened, so they travel together.
//
// PGlite files copied while a process writes them are not a consistent database, and PGlite has no online backup
// we could point at another process's directory. So the server must be stopped: PGlite keeps
// `pglite/postmaster.pid` while the database is open and removes it on a clean close, and we refuse while it is
// there (before and after archiving, to catch a server started meanwhile).
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { BackupError, type EmbeddedManifest, fileFacts, writeManifest } from './manifest.ts';
import { run } from './processes.ts';

const KEYS_FILE = join('secrets', 'encryption-keys.json');

function refuseWhileOpen(dataDir: string): void {
  if (existsSync(join(dataDir, 'pglite', 'postmaster.pid'))) {
    throw new BackupError(
      `refusing to back up ${dataDir}: the embedded database is open (pglite/postmaster.pid exists). Stop the ` +
        'server first. If none is running it was not shut down cleanly: start it once, stop it (SIGTERM), retry.',
      2,
    );
  }
}

export async function backupEmbedded(
  dataDir: string,
  out: string,
  log: (line: string) => void,
): Promise<EmbeddedManifest> {
  const dir = resolve(dataDir);
  const versionFile = join(dir, 'pglite', 'PG_VERSION');
  if (!existsSync(versionFile)) throw new BackupError(`no embedded database in ${dir} (no pglite/PG_VERSION)`, 2);
  refuseWhileOpen(dir);
  const includesGeneratedKeys = existsSync(join(dir, KEYS_FILE));
  if (!includesGeneratedKeys) {
    log(`note: ${dir} holds no generated keys (${KEYS_FILE}); sealed data needs the ENCRYPTION_KEYS in use`);
  }
  const partial = `${out}.partial`;
  rmSync(partial, { force: true });
  try {
    const tar = await run('tar', ['-czf', partial, '-C', dir, '.']);
    if (tar.code !== 0) throw new BackupError(`tar failed (exit ${tar.code}): ${tar.stderr.trim()}`);
    refuseWhileOpen(dir);
    // The archive holds the master keys: readable by its owner only, like the keys themselves.
    chmodSync(partial, 0o600);
    renameSync(partial, out);
  } finally {
    rmSync(partial, { force: true });
  }
  const manifest: EmbeddedManifest = {
    format: 'emporium-backup/1',
    kind: 'embedded',
    createdAt: new Date().toISOString(),
    file: basename(out),
    ...(await fileFacts(out)),
    pgVersion: readFileSync(versionFile, 'utf8').trim(),
    includesGeneratedKeys,
    entries: readdirSync(dir).sort(),
  };
  writeManifest(out, manifest);
  log(`wrote ${out} (${manifest.bytes} bytes): ${manifest.entries.join(', ')}; manifest ${out}.manifest.json`);
  return manifest;
}

export async function restoreEmbedded(
  file: string,
  manifest: EmbeddedManifest,
  dataDir: string,
  log: (line: string) => void,
): Promise<void> {
  const dir = resolve(dataDir);
  if (existsSync(dir) && readdirSync(dir).length) {
    throw new BackupError(`refusing to restore: ${dir} is not empty. Restore into a new, empty directory.`, 2);
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const tar = await run('tar', ['-xzf', file, '-C', dir]);
  if (tar.code !== 0) {
    for (const entry of readdirSync(dir)) rmSync(join(dir, entry), { recursive: true, force: true });
    throw new BackupError(`tar failed (exit ${tar.code}); ${dir} was emptied again: ${tar.stderr.trim()}`);
  }
  const missing = manifest.entries.filter((e) => !existsSync(join(dir, e)));
  if (!existsSync(join(dir, 'pglite', 'PG_VERSION')) || missing.length) {
    throw new BackupError(
      `the archive did not hold a complete data directory (missing: ${missing.join(', ') || 'pglite'})`,
    );
  }
  log(
    `restored ${file} (taken ${manifest.createdAt}) into ${dir}` +
      (manifest.includesGeneratedKeys
        ? ', with its generated keys'
        : '; it holds no generated keys: set ENCRYPTION_KEYS'),
  );
}
