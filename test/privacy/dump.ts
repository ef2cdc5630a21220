// A data-only dump of a test database, as an auditor would take it: every row of every table in every schema
// as text (works on PGlite and PostgreSQL alike); on PostgreSQL also the real `pg_dump --data-only`.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import type { Db } from '../../src/platform/db/db.ts';

const run = promisify(execFile);

export async function sqlDump(db: Db): Promise<string> {
  const tables = await sql<{ s: string; t: string }>`
    select table_schema as s, table_name as t from information_schema.tables
    where table_type = 'BASE TABLE' and table_schema not in ('pg_catalog', 'information_schema')
    order by 1, 2`.execute(db.k);
  const parts: string[] = [];
  for (const { s, t } of tables.rows) {
    const rows = await sql<{ row: string }>`select x::text as row from ${sql.table(`${s}.${t}`)} x`.execute(db.k);
    parts.push(`-- ${s}.${t}\n${rows.rows.map((r) => r.row).join('\n')}`);
  }
  return parts.join('\n');
}

/** `pg_dump --data-only` of a PostgreSQL database (undefined on PGlite, or when pg_dump is not installed). */
export async function pgDump(url: string | undefined): Promise<string | undefined> {
  if (!url) return undefined;
  try {
    const { stdout } = await run('pg_dump', ['--data-only', '--no-owner', url], { maxBuffer: 256 * 1024 * 1024 });
    return stdout;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/** The strings among `needles` found in `haystack` (case-insensitive). */
export function leaks(haystack: string, needles: readonly string[]): string[] {
  const lower = haystack.toLowerCase();
  return needles.filter((n) => lower.includes(n.toLowerCase()));
}
