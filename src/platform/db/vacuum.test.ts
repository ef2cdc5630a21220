import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/support/create-test-app.ts';
import { needsPostgres, TEST_DATABASE_URL } from '../../../test/support/services.ts';
import { openTestDb, type TestDb } from '../../../test/support/test-db.ts';
import { createLogger } from '../observability/logger.ts';
import type { Db } from './db.ts';
import { vacuumCandidates, vacuumDue, vacuumJob, warnIfAutovacuumOff } from './vacuum.ts';

let open: TestDb | undefined;
let app: TestApp | undefined;
afterEach(async () => {
  await open?.dispose();
  await app?.close();
  open = undefined;
  app = undefined;
});

/** The shared statistics of one table, flushed first. */
async function stats(db: Db, table: string) {
  await sql`select pg_stat_force_next_flush()`.execute(db.k);
  const { rows } = await sql<{ dead: number; vacuums: number; analyzes: number }>`
    select n_dead_tup::int as dead, vacuum_count::int as vacuums, analyze_count::int as analyzes
    from pg_stat_user_tables where relname = ${table}`.execute(db.k);
  return rows[0] as { dead: number; vacuums: number; analyzes: number };
}

const names = (c: { schema: string; table: string }[]) => c.map((t) => `${t.schema}.${t.table}`);

describe('dead rows [REQ-KER-030]', () => {
  it('[REQ-KER-030] on PGlite, a churned table is due, is vacuumed, and is then not due; a quiet one never is', async () => {
    open = await openTestDb({ kind: 'pglite' });
    const { db } = open;
    await sql`create table churn (id int primary key, n int not null, at timestamptz not null)`.execute(db.k);
    await sql`create index churn_at on churn (at)`.execute(db.k);
    await sql`create table quiet (id int primary key)`.execute(db.k);
    await sql`insert into churn select g, 0, now() from generate_series(1, 200) g`.execute(db.k);
    await sql`insert into quiet values (1)`.execute(db.k);
    await vacuumDue(db);
    expect(names(await vacuumCandidates(db))).toEqual([]);

    // Each update changes an indexed column, so none is HOT: 5 × 200 dead versions against 50 + 20 % of 200.
    for (let i = 0; i < 5; i++) await sql`update churn set n = n + 1, at = clock_timestamp()`.execute(db.k);
    const before = await stats(db, 'churn');
    expect(before.dead).toBe(1000);
    const due = await vacuumCandidates(db);
    expect(due).toEqual([{ schema: 'public', table: 'churn', vacuum: true, analyze: true }]);

    expect((await vacuumDue(db)).map(({ ms, ...t }) => t)).toEqual(due);
    const after = await stats(db, 'churn');
    expect(after.dead).toBe(0);
    expect(after.vacuums).toBe(before.vacuums + 1);
    expect(after.analyzes).toBe(before.analyzes + 1);
    expect(await vacuumCandidates(db)).toEqual([]);
    expect(await stats(db, 'quiet')).toMatchObject({ vacuums: 0, analyzes: 0 });
  });

  it('[REQ-KER-030] new rows past 50 + 10 % need only ANALYZE; past 1,000 + 20 %, a VACUUM too', async () => {
    open = await openTestDb({ kind: 'pglite' });
    const { db } = open;
    await sql`create table grows (id int primary key)`.execute(db.k);
    await sql`insert into grows select g from generate_series(1, 100) g`.execute(db.k);
    await vacuumDue(db);
    await sql`insert into grows select g from generate_series(101, 200) g`.execute(db.k);
    expect(await vacuumCandidates(db)).toEqual([{ schema: 'public', table: 'grows', vacuum: false, analyze: true }]);
    const before = await stats(db, 'grows');
    await vacuumDue(db);
    const after = await stats(db, 'grows');
    expect([after.vacuums, after.analyzes]).toEqual([before.vacuums, before.analyzes + 1]);

    await sql`insert into grows select g from generate_series(201, 1400) g`.execute(db.k);
    expect(await vacuumCandidates(db)).toEqual([{ schema: 'public', table: 'grows', vacuum: true, analyze: true }]);
  });

  it('[REQ-KER-030] the embedded app runs platform.vacuum every minute; its carts end with no dead rows', async () => {
    // With Redis and NATS when the run has them: such an app, closed a moment after its start, must also close.
    app = await createTestApp({ db: 'pglite' });
    const { rows } = await sql<{ interval_ms: number }>`
      select interval_ms from platform.scheduled_jobs where name = 'platform.vacuum'`.execute(app.kernel.db.k);
    expect(rows).toEqual([{ interval_ms: 60_000 }]);
    await app.close();
    app = undefined;
    // Without the scheduler, so that only this test's run of the job vacuums. Carts churn: a version per call.
    app = await createTestApp({ db: 'pglite', workers: false });
    const { db } = app.kernel;
    for (let i = 0; i < 30; i++) {
      const cart = await app.http.inject({ method: 'POST', url: '/v1/carts', payload: { currency: 'EUR' } });
      const { id, token } = cart.json() as { id: string; token: string };
      for (const email of ['a@example.com', 'b@example.com']) {
        const r = await app.http.inject({
          method: 'PATCH',
          url: `/v1/carts/${id}`,
          headers: { 'x-cart-token': token },
          payload: { email },
        });
        expect(r.statusCode).toBe(200);
      }
    }
    expect((await stats(db, 'carts')).dead).toBe(60);
    await vacuumJob(db, app.kernel.logger).run(
      { requestId: 't', actor: { kind: 'system', name: 't' } },
      { scheduledAt: new Date(), attempt: 1 },
    );
    expect((await stats(db, 'carts')).dead).toBe(0);
  });

  it.skipIf(!TEST_DATABASE_URL)(
    `[REQ-KER-030] on PostgreSQL the job is not registered, and a warning names autovacuum exactly when it is off ${needsPostgres}`,
    async () => {
      const logs: { level: number; msg: string; setting?: string }[] = [];
      app = await createTestApp({ db: 'postgres', logStream: { write: (l: string) => void logs.push(JSON.parse(l)) } });
      const { db } = app.kernel;
      const { rows } = await sql`select 1 from platform.scheduled_jobs where name = 'platform.vacuum'`.execute(db.k);
      expect(rows).toEqual([]);
      const setting = await sql<{ v: string }>`select current_setting('autovacuum') as v`.execute(db.k);
      const off = setting.rows[0]?.v === 'off';
      // At start (src/app.ts), and again when asked.
      expect(logs.filter((l) => l.setting === 'autovacuum' && l.level === 40)).toHaveLength(off ? 1 : 0);
      expect(await warnIfAutovacuumOff(db, createLogger('silent'))).toBe(off);
    },
  );
});
