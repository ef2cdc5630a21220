import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { needsPostgres, TEST_DATABASE_URL } from '../../../test/support/services.ts';
import { createPostgresDatabase, openTestDb, type TestDb } from '../../../test/support/test-db.ts';
import { MigrationError, migrate, pendingMigrations, readMigrations } from './migrate.ts';
import { openPostgres } from './postgres.ts';

function migrationsDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'emp-mig-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const FILES = {
  '0001_init.sql':
    'create schema if not exists shop; create table shop.things (id text primary key, n int not null default 0);',
  '0002_more.sql': 'alter table shop.things add column label text;',
};

let open: TestDb | undefined;
afterEach(async () => {
  await open?.dispose();
  open = undefined;
});

describe('migrations [REQ-KER-008]', () => {
  it('[REQ-KER-008] applies each file once; a re-run is a no-op', async () => {
    open = await openTestDb();
    const dir = migrationsDir(FILES);
    const first = await migrate(open.db, [{ module: 'shop', dir }]);
    expect(first.applied).toEqual(['shop/init', 'shop/more']);
    const second = await migrate(open.db, [{ module: 'shop', dir }]);
    expect(second.applied).toEqual([]);
    await sql`insert into shop.things (id, label) values ('a', 'x')`.execute(open.db.k);
    const rows = await sql<{
      n: number;
    }>`select count(*)::int as n from platform.schema_migrations where module = 'shop'`.execute(open.db.k);
    expect(rows.rows[0]?.n).toBe(2);
    expect(await pendingMigrations(open.db, readMigrations({ module: 'shop', dir }))).toEqual([]);
  });

  it('[REQ-KER-008] refuses an applied migration whose content changed, applying nothing', async () => {
    open = await openTestDb();
    const dir = migrationsDir({ '0001_init.sql': FILES['0001_init.sql'] });
    await migrate(open.db, [{ module: 'shop', dir }]);
    writeFileSync(join(dir, '0001_init.sql'), `${FILES['0001_init.sql']} -- edited`);
    writeFileSync(join(dir, '0002_more.sql'), FILES['0002_more.sql']);
    await expect(migrate(open.db, [{ module: 'shop', dir }])).rejects.toThrow(
      /0001_init\.sql was changed after it was applied/,
    );
    const cols = await sql<{ n: number }>`select count(*)::int as n from information_schema.columns
      where table_schema = 'shop' and table_name = 'things' and column_name = 'label'`.execute(open.db.k);
    expect(cols.rows[0]?.n).toBe(0);
  });

  it('[REQ-KER-008] a failing migration rolls back and is not recorded', async () => {
    open = await openTestDb();
    const dir = migrationsDir({
      '0001_init.sql': FILES['0001_init.sql'],
      '0002_bad.sql': 'create table shop.half (id int); select * from no_such_table;',
    });
    await expect(migrate(open.db, [{ module: 'shop', dir }])).rejects.toThrow(/no_such_table/);
    const half = await sql<{ n: number }>`select count(*)::int as n from information_schema.tables
      where table_schema = 'shop' and table_name = 'half'`.execute(open.db.k);
    expect(half.rows[0]?.n).toBe(0);
    expect(await pendingMigrations(open.db, readMigrations({ module: 'shop', dir }))).toEqual(['shop/bad']);
  });

  it('[REQ-KER-008] rejects badly named files', () => {
    const dir = migrationsDir({ 'init.sql': 'select 1' });
    expect(() => readMigrations({ module: 'shop', dir })).toThrow(MigrationError);
  });

  it.skipIf(!TEST_DATABASE_URL)(
    `[REQ-KER-008] four processes migrating one PostgreSQL at once apply each migration exactly once ${needsPostgres}`,
    async () => {
      const created = await createPostgresDatabase(TEST_DATABASE_URL as string);
      const dbs = await Promise.all(Array.from({ length: 4 }, () => openPostgres({ url: created.url, max: 2 })));
      try {
        const dir = migrationsDir(FILES);
        const results = await Promise.all(dbs.map((db) => migrate(db, [{ module: 'shop', dir }])));
        expect(results.flatMap((r) => r.applied).sort()).toEqual(['shop/init', 'shop/more']);
      } finally {
        await Promise.all(dbs.map((d) => d.close()));
        await created.drop();
      }
    },
  );
});
