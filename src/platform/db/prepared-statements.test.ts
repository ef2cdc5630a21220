import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { needsPostgres, TEST_DATABASE_URL } from '../../../test/support/services.ts';
import { admin, createPostgresDatabase, openTestDb } from '../../../test/support/test-db.ts';
import type { Db } from './db.ts';
import { openPostgres } from './postgres.ts';
import { MAX_PREPARED_PER_CONNECTION } from './prepared-statements.ts';

let cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

async function open(max: number, preparedStatements?: boolean): Promise<{ db: Db; url: string }> {
  const created = await createPostgresDatabase(TEST_DATABASE_URL as string);
  const db = await openPostgres({
    url: created.url,
    max,
    ...(preparedStatements === undefined ? {} : { preparedStatements }),
  });
  cleanup.push(created.drop, () => db.close());
  await sql`create table items (id int primary key, name text not null)`.execute(db.k);
  await sql`insert into items values (1, 'one'), (2, 'two')`.execute(db.k);
  return { db, url: created.url };
}

/** Runs DDL from another connection, as a newer process running a rolling migration would. */
const migrateFromElsewhere = admin;

const preparedNames = async (db: Db) =>
  (await sql<{ name: string }>`select name from pg_prepared_statements`.execute(db.k)).rows.map((r) => r.name);

describe('prepared statements on embedded PGlite [REQ-KER-019]', () => {
  it('[REQ-KER-019] statements are prepared; a column added later is seen by the next `select *`', async () => {
    const t = await openTestDb({ kind: 'pglite' });
    cleanup.push(() => t.dispose());
    const db = t.db;
    await sql`create table items (id int primary key, name text not null)`.execute(db.k);
    await sql`insert into items values (1, 'one')`.execute(db.k);
    const read = () => db.k.selectFrom('items').selectAll().where('id', '=', 1).execute();
    expect(await read()).toEqual([{ id: 1, name: 'one' }]);
    expect((await preparedNames(db)).filter((n) => n.startsWith('em'))).toHaveLength(1);
    await sql`alter table items add column note text not null default 'n'`.execute(db.k);
    expect(await read()).toEqual([{ id: 1, name: 'one', note: 'n' }]);
    let runs = 0;
    await sql`alter table items add column extra int not null default 7`.execute(db.k);
    const rows = await db.transaction(async (tx) => {
      runs++;
      return tx.selectFrom('items').selectAll().where('id', '=', 1).execute();
    });
    expect(rows).toEqual([{ id: 1, name: 'one', note: 'n', extra: 7 }]);
    expect(runs).toBe(2);
  });
});

describe.skipIf(!TEST_DATABASE_URL)(`prepared statements [REQ-KER-019] ${needsPostgres}`, () => {
  it('[REQ-KER-019] a parameterised statement is prepared once per connection and reused', async () => {
    const { db } = await open(1);
    for (let i = 0; i < 5; i++) {
      const r = await db.k.selectFrom('items').select('name').where('id', '=', 1).execute();
      expect(r).toEqual([{ name: 'one' }]);
    }
    const names = await preparedNames(db);
    expect(names.filter((n) => n.startsWith('em'))).toHaveLength(1);
    // Parameterless statements stay unnamed (the pg_prepared_statements read itself is one of them).
    expect(names.every((n) => n.startsWith('em'))).toBe(true);
  });

  it('[REQ-KER-019] a column added by a rolling migration: `select *` in autocommit is prepared anew and answers at once', async () => {
    const { db, url } = await open(2);
    const read = () => db.k.selectFrom('items').selectAll().where('id', '=', 2).execute();
    await Promise.all([read(), read(), read()]); // both connections hold the old plan
    await migrateFromElsewhere(url, `alter table items add column note text not null default 'n'`);
    for (let i = 0; i < 4; i++) expect(await read()).toEqual([{ id: 2, name: 'two', note: 'n' }]);
  });

  it('[REQ-KER-019] the same inside a transaction: the aborted transaction is run again in a fresh one and commits once', async () => {
    const { db, url } = await open(1);
    const readAndWrite = (tx: typeof db.k) =>
      tx.updateTable('items').set({ name: 'changed' }).where('id', '=', 1).returningAll().execute();
    await db.transaction((tx) => readAndWrite(tx));
    await migrateFromElsewhere(url, `alter table items add column note text not null default 'n'`);
    let runs = 0;
    const rows = await db.transaction(async (tx) => {
      runs++;
      await tx
        .insertInto('items')
        .values({ id: 10 + runs, name: `run ${runs}` })
        .execute();
      return readAndWrite(tx);
    });
    expect(rows).toEqual([{ id: 1, name: 'changed', note: 'n' }]);
    expect(runs).toBe(2); // the first attempt hit the stale plan and rolled back
    const all = await db.k.selectFrom('items').select('id').orderBy('id').execute();
    expect(all.map((r: { id: number }) => r.id)).toEqual([1, 2, 12]); // the first attempt's insert is gone
  });

  it('[REQ-KER-019] a dropped column: the stale plan is replaced too', async () => {
    const { db, url } = await open(1);
    await sql`alter table items add column legacy text`.execute(db.k);
    const read = () => db.k.selectFrom('items').selectAll().where('id', '=', 1).execute();
    expect(await read()).toEqual([{ id: 1, name: 'one', legacy: null }]);
    await migrateFromElsewhere(url, 'alter table items drop column legacy');
    expect(await read()).toEqual([{ id: 1, name: 'one' }]);
  });

  it('[REQ-KER-019] prepared statements per connection are bounded: a full idle connection starts over, a transaction runs unnamed', async () => {
    const { db } = await open(1);
    const distinct = (i: number, q: typeof db.k = db.k) =>
      // A distinct text each time (as an `in (…)` list of a new length would be).
      sql<{ n: number }>`select ${i}::int + ${sql.raw(String(i))} as n`.execute(q);
    for (let i = 0; i < MAX_PREPARED_PER_CONNECTION; i++) expect((await distinct(i)).rows[0]?.n).toBe(2 * i);
    expect((await preparedNames(db)).length).toBe(MAX_PREPARED_PER_CONNECTION);
    // Full, inside a transaction: the new text runs unnamed, nothing is dropped.
    await db.transaction(async (tx) => {
      expect((await distinct(100_000, tx)).rows[0]?.n).toBe(200_000);
    });
    expect((await preparedNames(db)).length).toBe(MAX_PREPARED_PER_CONNECTION);
    // Full and idle: start over with only the new statement, which is prepared under a fresh name.
    expect((await distinct(100_001)).rows[0]?.n).toBe(200_002);
    const names = await preparedNames(db);
    expect(names).toHaveLength(1);
    expect(names[0]).toMatch(/^em\d+\.1_/);
    // An earlier statement works again (prepared anew).
    expect((await distinct(7)).rows[0]?.n).toBe(14);
    expect(await preparedNames(db)).toHaveLength(2);
  });

  it('[REQ-KER-019] DATABASE_PREPARED_STATEMENTS=off: nothing is prepared', async () => {
    const { db } = await open(1, false);
    await db.k.selectFrom('items').select('name').where('id', '=', 1).execute();
    expect(await preparedNames(db)).toEqual([]);
  });
});
