// The migrator's own guarantees for safe migrations (docs/migrations.md): lock and statement timeouts per migration,
// retry after a lock timeout, and no-transaction concurrent index migrations that recover from an invalid index.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { needsPostgres, TEST_DATABASE_URL } from '../../../test/support/services.ts';
import { createPostgresDatabase, openTestDb, type TestDb } from '../../../test/support/test-db.ts';
import type { Db } from './db.ts';
import { MigrationError, migrate, NO_TRANSACTION_MARKER, pendingMigrations, readMigrations } from './migrate.ts';
import { openPostgres } from './postgres.ts';

function migrationsDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'emp-mig-safe-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const INIT =
  'create schema if not exists shop; create table shop.things (id text primary key, n int not null, label text);';
const NO_TX = (statement: string) => `${NO_TRANSACTION_MARKER}\n-- why: reads by label\n${statement}\n`;

let open: TestDb | undefined;
afterEach(async () => {
  await open?.dispose();
  open = undefined;
});

async function indexValid(db: Db, name: string): Promise<boolean | undefined> {
  const r = await sql<{ valid: boolean }>`select i.indisvalid as valid from pg_index i
    join pg_class c on c.oid = i.indexrelid where c.relname = ${name}`.execute(db.k);
  return r.rows[0]?.valid;
}

async function waitFor(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('safe migrations: the runner [REQ-MIG-004]', () => {
  it('[REQ-MIG-004] each migration runs with the runner lock_timeout and statement_timeout, local to it', async () => {
    open = await openTestDb();
    const dir = migrationsDir({
      '0001_init.sql': INIT,
      '0002_seen.sql': `create table shop.seen as
        select current_setting('lock_timeout') as lock_timeout, current_setting('statement_timeout') as statement_timeout;`,
    });
    await migrate(open.db, [{ module: 'shop', dir }], { lockTimeoutMs: 1234, statementTimeoutMs: 4321 });
    const seen = await sql<{ lock_timeout: string; statement_timeout: string }>`select * from shop.seen`.execute(
      open.db.k,
    );
    expect(seen.rows).toEqual([{ lock_timeout: '1234ms', statement_timeout: '4321ms' }]);
    // Transaction-local: the pooled connection keeps its own settings afterwards.
    const after = await sql<{ lt: string }>`select current_setting('lock_timeout') as lt`.execute(open.db.k);
    expect(after.rows[0]?.lt).toBe('0');
  });

  it.skipIf(!TEST_DATABASE_URL)(
    `[REQ-MIG-004] a migration blocked by a long transaction fails on its lock timeout after its attempts, records nothing, and applies once the lock is free ${needsPostgres}`,
    async () => {
      open = await openTestDb();
      const url = open.url as string;
      const dir = migrationsDir({ '0001_init.sql': INIT });
      await migrate(open.db, [{ module: 'shop', dir }]);
      writeFileSync(join(dir, '0002_label_default.sql'), "alter table shop.things alter column label set default 'x';");
      const holder = new pg.Client({ connectionString: url });
      await holder.connect();
      try {
        await holder.query('begin');
        await holder.query('lock table shop.things in access share mode');
        const options = { lockTimeoutMs: 100, lockAttempts: 3, lockRetryDelayMs: 10 };
        const error = await migrate(open.db, [{ module: 'shop', dir }], options).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(MigrationError);
        expect((error as MigrationError).code).toBe('55P03');
        expect((error as Error).message).toMatch(
          /shop\/0002_label_default\.sql failed: .*lock timeout.*after 3 attempts/,
        );
        expect(await pendingMigrations(open.db, readMigrations({ module: 'shop', dir }))).toEqual([
          'shop/label_default',
        ]);

        // The next run retries while the lock is held, and applies as soon as the holder commits.
        const running = migrate(open.db, [{ module: 'shop', dir }], { ...options, lockAttempts: 10_000 });
        await waitFor(async () => {
          const r = await holder.query(
            `select count(*)::int as n from pg_locks l join pg_class c on c.oid = l.relation
             where c.relname = 'things' and not l.granted`,
          );
          return r.rows[0].n > 0;
        }, 'the migration to wait for its lock');
        await holder.query('commit');
        expect((await running).applied).toEqual(['shop/label_default']);
      } finally {
        await holder.end();
      }
    },
  );

  it.skipIf(!TEST_DATABASE_URL)(
    `[REQ-MIG-004] a migration longer than its statement timeout is cancelled and rolled back ${needsPostgres}`,
    async () => {
      open = await openTestDb();
      const dir = migrationsDir({
        '0001_init.sql': INIT,
        '0002_slow.sql': 'create table shop.slow (id int); select pg_sleep(10);',
      });
      const error = await migrate(open.db, [{ module: 'shop', dir }], { statementTimeoutMs: 200 }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect((error as MigrationError).code).toBe('57014');
      expect((error as Error).message).toMatch(/shop\/0002_slow\.sql failed: .*statement timeout.*200 ms/);
      const slow = await sql<{ n: number }>`select count(*)::int as n from information_schema.tables
        where table_schema = 'shop' and table_name = 'slow'`.execute(open.db.k);
      expect(slow.rows[0]?.n).toBe(0);
      expect(await pendingMigrations(open.db, readMigrations({ module: 'shop', dir }))).toEqual(['shop/slow']);
    },
  );
});

describe('safe migrations: no-transaction concurrent index migrations [REQ-MIG-005]', () => {
  it('[REQ-MIG-005] a marked file builds its index outside a transaction, once; a later file drops it the same way', async () => {
    open = await openTestDb();
    const dir = migrationsDir({
      '0001_init.sql': `${INIT} insert into shop.things select g::text, g, 'l' || g from generate_series(1, 500) g;`,
      '0002_things_label.sql': NO_TX('create index concurrently if not exists things_label on shop.things (label);'),
    });
    const mig = readMigrations({ module: 'shop', dir });
    expect(mig.map((m) => m.transactional)).toEqual([true, false]);
    expect((await migrate(open.db, [{ module: 'shop', dir }])).applied).toEqual(['shop/init', 'shop/things_label']);
    expect(await indexValid(open.db, 'things_label')).toBe(true);
    expect((await migrate(open.db, [{ module: 'shop', dir }])).applied).toEqual([]);
    writeFileSync(join(dir, '0003_drop_label.sql'), NO_TX('drop index concurrently if exists shop.things_label;'));
    expect((await migrate(open.db, [{ module: 'shop', dir }])).applied).toEqual(['shop/drop_label']);
    expect(await indexValid(open.db, 'things_label')).toBeUndefined();
    // The session settings the runner raised for the build are reset on the pooled connection.
    const after = await sql<{ st: string }>`select current_setting('lock_timeout') as st`.execute(open.db.k);
    expect(after.rows[0]?.st).toBe('0');
  });

  it('[REQ-MIG-005] a marked file with anything but one re-runnable concurrent index statement is refused before it runs', () => {
    const cases = [
      'create index concurrently things_label on shop.things (label);', // no `if not exists`
      'create index if not exists things_label on shop.things (label);', // not concurrent
      'create index concurrently if not exists things_label on things (label);', // table not schema-qualified
      'create index concurrently if not exists a on shop.things (label); create index concurrently if not exists b on shop.things (n);',
      'alter table shop.things add column x int;',
      'drop index concurrently shop.things_label;',
    ];
    for (const statement of cases) {
      const dir = migrationsDir({ '0001_init.sql': INIT, '0002_bad.sql': NO_TX(statement) });
      expect(() => readMigrations({ module: 'shop', dir }), statement).toThrow(/must hold exactly one statement/);
    }
  });

  it('[REQ-MIG-005] a unique build that fails leaves no record; after the data is fixed the re-run drops the invalid index and builds it', async () => {
    open = await openTestDb();
    const dir = migrationsDir({
      '0001_init.sql': `${INIT} insert into shop.things values ('a', 1, 'dup'), ('b', 2, 'dup'), ('c', 3, 'ok');`,
      '0002_unique_label.sql': NO_TX(
        'create unique index concurrently if not exists things_label_u on shop.things (label);',
      ),
    });
    await expect(migrate(open.db, [{ module: 'shop', dir }])).rejects.toThrow(
      /shop\/0002_unique_label\.sql failed: .*could not create unique index/,
    );
    expect(await indexValid(open.db, 'things_label_u')).toBe(false); // what PostgreSQL leaves behind
    expect(await pendingMigrations(open.db, readMigrations({ module: 'shop', dir }))).toEqual(['shop/unique_label']);

    await sql`update shop.things set label = 'dup2' where id = 'b'`.execute(open.db.k);
    expect((await migrate(open.db, [{ module: 'shop', dir }])).applied).toEqual(['shop/unique_label']);
    expect(await indexValid(open.db, 'things_label_u')).toBe(true);
    await expect(sql`insert into shop.things values ('d', 4, 'ok')`.execute(open.db.k)).rejects.toThrow(
      /duplicate key/,
    );
  });

  it.skipIf(!TEST_DATABASE_URL)(
    `[REQ-MIG-005] four processes starting at once with a concurrent index build apply every migration exactly once ${needsPostgres}`,
    async () => {
      const created = await createPostgresDatabase(TEST_DATABASE_URL as string);
      const dbs = await Promise.all(Array.from({ length: 4 }, () => openPostgres({ url: created.url, max: 2 })));
      try {
        const dir = migrationsDir({
          '0001_init.sql': `${INIT} insert into shop.things select g::text, g, 'l' || g from generate_series(1, 20000) g;`,
          '0002_things_label.sql': NO_TX(
            'create index concurrently if not exists things_label on shop.things (label);',
          ),
          '0003_more.sql': 'alter table shop.things add column note text;',
        });
        const results = await Promise.all(dbs.map((db) => migrate(db, [{ module: 'shop', dir }])));
        expect(results.flatMap((r) => r.applied).sort()).toEqual(['shop/init', 'shop/more', 'shop/things_label']);
        expect(await indexValid(dbs[0] as Db, 'things_label')).toBe(true);
      } finally {
        await Promise.all(dbs.map((d) => d.close()));
        await created.drop();
      }
    },
  );
});
