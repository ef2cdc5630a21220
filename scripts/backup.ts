// `npm run backup -- --out <file>`: backs up the configured database. With DATABASE_URL: pg_dump (custom format)
// of every schema plus `<file>.manifest.json` (row counts and checksums from the same snapshot). Without it: a
// .tar.gz of DATA_DIR (the embedded database and its generated keys), refused while the server runs.
// Exit 0 done, 1 failed, 2 refused or bad arguments. Runbook: docs/runbooks/backup-and-restore.md.
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { backupEmbedded } from './backup/embedded.ts';
import { BackupError, manifestPath } from './backup/manifest.ts';
import { backupPostgres } from './backup/postgres-backup.ts';

const USAGE = 'usage: npm run backup -- --out <file> [--force]  (DATABASE_URL set: PostgreSQL; unset: DATA_DIR)\n';

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { out: { type: 'string' }, force: { type: 'boolean' } } });
  if (!values.out) throw new BackupError(USAGE.trim(), 2);
  const out = values.out;
  if (!values.force && (existsSync(out) || existsSync(manifestPath(out)))) {
    throw new BackupError(`${out} exists: choose a new name (or --force to replace it)`, 2);
  }
  const log = (line: string) => process.stdout.write(`${line}\n`);
  const databaseUrl = process.env.DATABASE_URL;
  if (databaseUrl === 'memory://') throw new BackupError('DATABASE_URL=memory:// keeps nothing to back up', 2);
  if (databaseUrl) await backupPostgres(databaseUrl, out, log);
  else await backupEmbedded(process.env.DATA_DIR || './.data', out, log);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    const code = e instanceof BackupError ? e.exitCode : 1;
    process.stderr.write(`backup: ${(e as Error).message}\n`);
    process.exit(code);
  },
);
