// Per-table row counts and content checksums, computed by PostgreSQL itself so that a backup's manifest and a
// restored database can be compared table by table. Used by the backup (inside the snapshot it hands to pg_dump)
// and by the restore (after pg_restore), on the same session settings so both sides render rows identically.
import type pg from 'pg';

export interface TableChecksum {
  /** `schema.table` */
  table: string;
  rows: number;
  /** md5 over the md5 of each row's text, in primary-key order (whole-row order for a table without one). */
  md5: string;
}

/**
 * How values turn into text decides the checksum: pin every setting that changes it, so a restore checked from
 * another client, server default or time zone still compares equal. No statement deadline: big tables take time.
 */
export const SESSION_SETTINGS = [
  "set time zone 'UTC'",
  "set datestyle = 'ISO, YMD'",
  "set intervalstyle = 'postgres'",
  'set extra_float_digits = 1',
  "set bytea_output = 'hex'",
  'set statement_timeout = 0',
];

export async function prepareSession(client: pg.Client): Promise<void> {
  for (const s of SESSION_SETTINGS) await client.query(s);
}

// Every ordinary table outside the system schemas (partitions are listed on their own, their parents are not),
// with its primary-key columns in key order.
const LIST_TABLES = `
  select n.nspname as schema, c.relname as name,
    coalesce((select array_agg(a.attname::text order by k.ord)
      from pg_index i
      cross join lateral unnest(i.indkey) with ordinality as k(attnum, ord)
      join pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.attnum
      where i.indrelid = c.oid and i.indisprimary), '{}') as key
  from pg_class c join pg_namespace n on n.oid = c.relnamespace
  where c.relkind = 'r' and n.nspname <> 'information_schema' and n.nspname !~ '^pg_'
  order by 1, 2`;

const ident = (s: string) => `"${s.replace(/"/g, '""')}"`;

/** Counts and checksums of every table, read in the client's current transaction (open one for a snapshot). */
export async function tableChecksums(client: pg.Client): Promise<TableChecksum[]> {
  const tables = await client.query<{ schema: string; name: string; key: string[] }>(LIST_TABLES);
  const out: TableChecksum[] = [];
  for (const { schema, name, key } of tables.rows) {
    const order = key.length ? key.map((k) => `t.${ident(k)}`).join(', ') : 't::text';
    const r = await client.query<{ rows: string; md5: string }>(
      `select count(*)::text as rows, md5(coalesce(string_agg(md5(t::text), '' order by ${order}), '')) as md5
       from ${ident(schema)}.${ident(name)} t`,
    );
    const row = r.rows[0];
    out.push({ table: `${schema}.${name}`, rows: Number(row?.rows ?? 0), md5: row?.md5 ?? '' });
  }
  return out;
}

/** One line per table that differs between the manifest and the restored database (empty when all agree). */
export function compareChecksums(expected: TableChecksum[], actual: TableChecksum[]): string[] {
  const got = new Map(actual.map((t) => [t.table, t]));
  const differences: string[] = [];
  for (const e of expected) {
    const a = got.get(e.table);
    got.delete(e.table);
    if (!a) differences.push(`${e.table}: missing from the restored database`);
    else if (a.rows !== e.rows) differences.push(`${e.table}: ${a.rows} rows, the backup has ${e.rows}`);
    else if (a.md5 !== e.md5) differences.push(`${e.table}: content checksum differs (${a.rows} rows)`);
  }
  for (const extra of got.keys()) differences.push(`${extra}: not in the backup`);
  return differences;
}
