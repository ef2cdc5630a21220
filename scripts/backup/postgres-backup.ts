// PostgreSQL backup: pg_dump --format=custom of the whole database (every schema) plus a manifest whose row counts
// and checksums were read in the very snapshot pg_dump dumped: one REPEATABLE READ transaction exports its snapshot
// (pg_export_snapshot), pg_dump imports it (--snapshot), and the checksums are computed in that transaction while
// the dump runs. Writes keep going meanwhile; neither side sees them.
import { existsSync, renameSync, rmSync } from 'node:fs';
import { basename } from 'node:path';
import pg from 'pg';
import { BackupError, fileFacts, type PostgresManifest, writeManifest } from './manifest.ts';
import { connectionOf, run, toolVersion } from './processes.ts';
import { prepareSession, tableChecksums } from './table-checksums.ts';

export async function backupPostgres(
  databaseUrl: string,
  out: string,
  log: (line: string) => void,
): Promise<PostgresManifest> {
  const conn = connectionOf(databaseUrl);
  const pgDumpVersion = await toolVersion('pg_dump');
  const partial = `${out}.partial`;
  rmSync(partial, { force: true });
  const client = new pg.Client({ connectionString: databaseUrl, application_name: 'emporium-backup' });
  await client.connect().catch((e: Error) => {
    throw new BackupError(`cannot connect to ${conn.url}: ${conn.redact(e.message)}`);
  });
  try {
    await prepareSession(client);
    await client.query('begin isolation level repeatable read read only');
    const snap = await client.query<{ snapshot: string; version: string }>(
      "select pg_export_snapshot() as snapshot, current_setting('server_version') as version",
    );
    const snapshot = snap.rows[0]?.snapshot ?? '';
    const serverVersion = snap.rows[0]?.version ?? '';
    log(`dumping ${conn.url} (PostgreSQL ${serverVersion}, pg_dump ${pgDumpVersion}, snapshot ${snapshot})`);
    // The exporting transaction stays open until pg_dump has finished: the snapshot lives only as long as it does.
    const [dump, tables] = await Promise.all([
      run(
        'pg_dump',
        ['--format=custom', `--snapshot=${snapshot}`, '--no-password', `--file=${partial}`, `--dbname=${conn.url}`],
        conn.env,
      ),
      tableChecksums(client),
    ]);
    await client.query('commit');
    if (dump.code !== 0)
      throw new BackupError(`pg_dump failed (exit ${dump.code}): ${conn.redact(dump.stderr.trim())}`);
    renameSync(partial, out);
    const manifest: PostgresManifest = {
      format: 'emporium-backup/1',
      kind: 'postgres',
      createdAt: new Date().toISOString(),
      file: basename(out),
      ...(await fileFacts(out)),
      serverVersion,
      pgDumpVersion,
      snapshot,
      tables,
    };
    writeManifest(out, manifest);
    const rows = tables.reduce((n, t) => n + t.rows, 0);
    log(`wrote ${out} (${manifest.bytes} bytes): ${tables.length} tables, ${rows} rows; manifest ${out}.manifest.json`);
    return manifest;
  } finally {
    await client.end().catch(() => {});
    if (existsSync(partial)) rmSync(partial, { force: true });
  }
}
