// PostgreSQL restore: only into an empty database (a restore over live data would mix two histories), with
// pg_restore in one transaction (a failure leaves the target as empty as it was), then every table's row count
// and checksum compared with the manifest.
import pg from 'pg';
import { BackupError, type PostgresManifest } from './manifest.ts';
import { connectionOf, run } from './processes.ts';
import { compareChecksums, prepareSession, tableChecksums } from './table-checksums.ts';

async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const conn = connectionOf(url);
  const client = new pg.Client({ connectionString: url, application_name: 'emporium-restore' });
  await client.connect().catch((e: Error) => {
    throw new BackupError(`cannot connect to ${conn.url}: ${conn.redact(e.message)}`);
  });
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

/** What the target already holds besides a fresh database's `public` schema and plpgsql (empty: nothing). */
async function contentsOf(client: pg.Client): Promise<string[]> {
  const r = await client.query<{ schemas: string; relations: string; extensions: string }>(`
    select
      (select count(*) from pg_namespace
        where nspname not in ('public', 'information_schema') and nspname !~ '^pg_')::text as schemas,
      (select count(*) from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname <> 'information_schema' and n.nspname !~ '^pg_')::text as relations,
      (select count(*) from pg_extension where extname <> 'plpgsql')::text as extensions`);
  const row = r.rows[0];
  const found: string[] = [];
  if (Number(row?.schemas)) found.push(`${row?.schemas} schema(s)`);
  if (Number(row?.relations)) found.push(`${row?.relations} table(s), view(s), index(es) or sequence(s)`);
  if (Number(row?.extensions)) found.push(`${row?.extensions} extension(s)`);
  return found;
}

/** Counts and checksums of the target, read in one snapshot. */
export async function checksumsOf(url: string) {
  return withClient(url, async (client) => {
    await prepareSession(client);
    await client.query('begin isolation level repeatable read read only');
    const tables = await tableChecksums(client);
    await client.query('commit');
    return tables;
  });
}

export async function restorePostgres(
  file: string,
  manifest: PostgresManifest,
  targetUrl: string,
  log: (line: string) => void,
): Promise<string[]> {
  const conn = connectionOf(targetUrl);
  const found = await withClient(targetUrl, contentsOf);
  if (found.length) {
    throw new BackupError(
      `refusing to restore: the target database ${conn.url} is not empty (${found.join(', ')}). ` +
        'Restore only into a freshly created database (createdb), then point DATABASE_URL at it.',
      2,
    );
  }
  log(`restoring ${file} (taken ${manifest.createdAt} from PostgreSQL ${manifest.serverVersion}) into ${conn.url}`);
  const r = await run(
    'pg_restore',
    ['--no-owner', '--exit-on-error', '--single-transaction', '--no-password', `--dbname=${conn.url}`, file],
    conn.env,
  );
  if (r.code !== 0) {
    throw new BackupError(
      `pg_restore failed (exit ${r.code}); the target is unchanged: ${conn.redact(r.stderr.trim())}`,
    );
  }
  const differences = compareChecksums(manifest.tables, await checksumsOf(targetUrl));
  const rows = manifest.tables.reduce((n, t) => n + t.rows, 0);
  if (!differences.length) log(`verified: ${manifest.tables.length} tables, ${rows} rows match the manifest`);
  return differences;
}
