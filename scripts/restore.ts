// `npm run restore -- --in <file> --target <postgres url>`: restores a PostgreSQL backup into an EMPTY database
// and checks every table's row count and checksum against the manifest (exit 1 naming each table that differs).
// `npm run restore -- --in <file.tar.gz> --data-dir <dir>`: unpacks an embedded backup into an empty directory.
// Exit 0 done and verified, 1 failed or differs, 2 refused (target not empty) or bad arguments.
// Runbook: docs/runbooks/backup-and-restore.md.
import { parseArgs } from 'node:util';
import { restoreEmbedded } from './backup/embedded.ts';
import { BackupError, readVerifiedManifest } from './backup/manifest.ts';
import { restorePostgres } from './backup/postgres-restore.ts';

const USAGE =
  'usage: npm run restore -- --in <file> --target <postgres url>   (a PostgreSQL backup)\n' +
  '       npm run restore -- --in <file.tar.gz> --data-dir <dir>   (an embedded backup)';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { in: { type: 'string' }, target: { type: 'string' }, 'data-dir': { type: 'string' } },
  });
  if (!values.in) throw new BackupError(USAGE, 2);
  const log = (line: string) => process.stdout.write(`${line}\n`);
  const manifest = await readVerifiedManifest(values.in);
  if (manifest.kind === 'postgres') {
    if (!values.target) throw new BackupError(`${values.in} is a PostgreSQL backup: give --target <postgres url>`, 2);
    const differences = await restorePostgres(values.in, manifest, values.target, log);
    if (!differences.length) return 0;
    process.stderr.write(
      `restore: the restored database differs from the backup in ${differences.length} table(s):\n` +
        differences.map((d) => `  ${d}\n`).join(''),
    );
    return 1;
  }
  if (!values['data-dir']) throw new BackupError(`${values.in} is an embedded backup: give --data-dir <dir>`, 2);
  await restoreEmbedded(values.in, manifest, values['data-dir'], log);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    const code = e instanceof BackupError ? e.exitCode : 1;
    process.stderr.write(`restore: ${(e as Error).message}\n`);
    process.exit(code);
  },
);
