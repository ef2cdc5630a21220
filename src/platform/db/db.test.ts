import { sql } from 'kysely';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { needsPostgres, TEST_DATABASE_URL } from '../../../test/support/services.ts';
import { openTestDb, type TestDb } from '../../../test/support/test-db.ts';
import { createPump } from '../events/pump.ts';
import { createLogger } from '../observability/logger.ts';
import { isUniqueViolation, statementsIn } from './db.ts';

let open: TestDb | undefined;
afterEach(async () => {
  await open?.dispose();
  open = undefined;
});

async function counterTable(t: TestDb) {
  await sql`create table counters (id text primary key, n bigint not null)`.execute(t.db.k);
  await sql`insert into counters values ('c', 0)`.execute(t.db.k);
}

async function readCounter(t: TestDb): Promise<number> {
  const r = await sql<{ n: number }>`select n from counters where id = 'c'`.execute(t.db.k);
  return r.rows[0]?.n ?? -1;
}

describe('transactions [REQ-KER-009]', () => {
  it('[REQ-KER-009] PGlite serialises concurrent transactions: read-modify-write loses nothing', async () => {
    open = await openTestDb({ kind: 'pglite' });
    await counterTable(open);
    const t = open;
    await Promise.all(
      Array.from({ length: 40 }, () =>
        t.db.transaction(async (tx) => {
          const r = await sql<{ n: number }>`select n from counters where id = 'c'`.execute(tx);
          await new Promise((res) => setTimeout(res, 1));
          await sql`update counters set n = ${(r.rows[0]?.n ?? 0) + 1} where id = 'c'`.execute(tx);
        }),
      ),
    );
    expect(await readCounter(open)).toBe(40);
  });

  it('[REQ-KER-009] bigint columns come back as exact JS numbers beyond 2^31', async () => {
    open = await openTestDb();
    await counterTable(open);
    await sql`update counters set n = ${2 ** 40 + 3}`.execute(open.db.k);
    expect(await readCounter(open)).toBe(1099511627779);
  });

  it('[REQ-KER-009] a rolled-back transaction leaves nothing behind', async () => {
    open = await openTestDb();
    await counterTable(open);
    const t = open;
    await expect(
      t.db.transaction(async (tx) => {
        await sql`update counters set n = 99`.execute(tx);
        await sql`insert into counters values ('c', 1)`.execute(tx);
      }),
    ).rejects.toSatisfy((e: unknown) => isUniqueViolation(e));
    expect(await readCounter(open)).toBe(0);
  });

  it.skipIf(!TEST_DATABASE_URL)(
    `[REQ-KER-009] serializable conflicts (40001) are retried in a fresh transaction until all succeed ${needsPostgres}`,
    async () => {
      open = await openTestDb({ kind: 'postgres', poolMax: 20 });
      await counterTable(open);
      const t = open;
      let attempts = 0;
      await Promise.all(
        Array.from({ length: 20 }, () =>
          t.db.transaction(
            async (tx) => {
              attempts++;
              const r = await sql<{ n: number }>`select n from counters where id = 'c'`.execute(tx);
              await new Promise((res) => setTimeout(res, 5));
              await sql`update counters set n = ${(r.rows[0]?.n ?? 0) + 1} where id = 'c'`.execute(tx);
            },
            { isolation: 'serializable', attempts: 100 },
          ),
        ),
      );
      expect(await readCounter(open)).toBe(20);
      expect(attempts).toBeGreaterThan(20); // conflicts happened and were retried
    },
  );

  it.skipIf(!TEST_DATABASE_URL)(
    `[REQ-KER-009] deadlocks (40P01) are retried: opposite lock orders still all commit ${needsPostgres}`,
    async () => {
      open = await openTestDb({ kind: 'postgres', poolMax: 10 });
      const t = open;
      await sql`create table pair (id text primary key, n int not null)`.execute(t.db.k);
      await sql`insert into pair values ('a', 0), ('b', 0)`.execute(t.db.k);
      const bump = (first: string, second: string) =>
        t.db.transaction(
          async (tx) => {
            await sql`update pair set n = n + 1 where id = ${first}`.execute(tx);
            await new Promise((res) => setTimeout(res, 20));
            await sql`update pair set n = n + 1 where id = ${second}`.execute(tx);
          },
          { attempts: 20 },
        );
      await Promise.all(Array.from({ length: 4 }, (_, i) => (i % 2 ? bump('a', 'b') : bump('b', 'a'))));
      const r = await sql<{ id: string; n: number }>`select id, n from pair order by id`.execute(t.db.k);
      expect(r.rows).toEqual([
        { id: 'a', n: 4 },
        { id: 'b', n: 4 },
      ]);
    },
  );
});

describe('statement counting [REQ-KER-009]', () => {
  it('[REQ-KER-009] statementsIn counts only the statements of its own async context, not concurrent or woken work', async () => {
    open = await openTestDb();
    const t = open;
    const logger = createLogger('silent');
    let workerStatements = 0;
    const pump = createPump(
      'test-worker',
      async () => {
        await sql`select 1`.execute(t.db.k);
        workerStatements++;
        return false;
      },
      60_000,
      logger,
    );
    pump.start();
    await vi.waitFor(() => expect(workerStatements).toBe(1));
    const outside = async () => {
      for (let i = 0; i < 20; i++) await sql`select ${i}::int`.execute(t.db.k);
    };
    const before = t.db.queryCount();
    const [counted] = await Promise.all([
      statementsIn(async () => {
        await sql`select 1`.execute(t.db.k);
        pump.wake(); // the worker's run starts from inside the scope, yet is not the operation's
        await t.db.transaction(async (tx) => {
          await sql`select 2`.execute(tx);
        });
        await vi.waitFor(() => expect(workerStatements).toBe(2));
      }),
      outside(),
    ]);
    await pump.stop();
    // One select, and begin / select / commit of the transaction.
    expect(counted).toBe(4);
    // The process-wide counter saw everything: the scope's 4, the 20 outside and the worker's run.
    expect(t.db.queryCount() - before).toBe(4 + 20 + 1);
  });
});

describe('embedded database memory [REQ-KER-022]', () => {
  it('[REQ-KER-022] PGlite runs with 16 MB of shared buffers, not its default 128 MB', async () => {
    const { openPglite } = await import('./pglite.ts');
    const { PGLITE_SHARED_BUFFERS } = await import('./pglite-initdb.ts');
    const db = await openPglite({ dataDir: undefined });
    try {
      const r = await sql<{ shared_buffers: string }>`show shared_buffers`.execute(db.k);
      expect(PGLITE_SHARED_BUFFERS).toBe('16MB');
      expect(r.rows[0]?.shared_buffers).toBe('16MB');
    } finally {
      await db.close();
    }
  });
});
