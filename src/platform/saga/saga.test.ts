import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newMetrics, openEventsDb, quietLogger, waitFor } from '../../../test/support/events-harness.ts';
import type { TestDb } from '../../../test/support/test-db.ts';
import { newId } from '../ids.ts';
import { createSagaRunner, type SagaDefinition } from './saga.ts';
import { createPgSagaStore } from './saga-store.ts';

let t: TestDb;
beforeAll(async () => {
  t = await openEventsDb();
});
afterAll(async () => {
  await t?.dispose();
});

interface Input {
  orderId: string;
}

function definition(log: string[], options: { failAt?: number; hangAt?: number; compensateFails?: number } = {}) {
  let compensateFailures = options.compensateFails ?? 0;
  const def: SagaDefinition<Input> = {
    name: 'test.checkout',
    steps: ['reserve', 'charge', 'confirm', 'notify'].map((name, i) => ({
      name,
      async run(input) {
        if (options.hangAt === i) await new Promise(() => {});
        if (options.failAt === i) throw new Error(`${name} failed`);
        log.push(`run:${name}`);
        return `${name}-${input.orderId}`;
      },
      async compensate(_input, results) {
        if (compensateFailures > 0) {
          compensateFailures--;
          throw new Error(`undo ${name} failed`);
        }
        log.push(`undo:${name}:${String(results[name])}`);
      },
    })),
  };
  return def;
}

function runner(metrics = newMetrics(), store = createPgSagaStore(t.db)) {
  return createSagaRunner({ store, logger: quietLogger, metrics }, { backoff: { baseMs: 5, maxMs: 20 } });
}

describe('saga runner', () => {
  it('[REQ-EVT-013] all steps succeed: completed, results kept', async () => {
    const log: string[] = [];
    const s = await runner().run(definition(log), 'saga_ok', { orderId: 'ord_1' });
    expect(s.status).toBe('completed');
    expect(log).toEqual(['run:reserve', 'run:charge', 'run:confirm', 'run:notify']);
    expect(s.results).toEqual({
      reserve: 'reserve-ord_1',
      charge: 'charge-ord_1',
      confirm: 'confirm-ord_1',
      notify: 'notify-ord_1',
    });
  });

  for (const failAt of [0, 1, 2, 3]) {
    it(`[REQ-EVT-013] a failure at step ${failAt + 1} compensates exactly the completed steps, in reverse`, async () => {
      const log: string[] = [];
      const id = newId('saga');
      const s = await runner().run(definition(log, { failAt }), id, { orderId: 'ord_2' });
      const names = ['reserve', 'charge', 'confirm', 'notify'].slice(0, failAt);
      expect(log).toEqual([
        ...names.map((n) => `run:${n}`),
        ...[...names].reverse().map((n) => `undo:${n}:${n}-ord_2`),
      ]);
      expect(s).toMatchObject({ status: 'compensated', completedSteps: failAt, compensatedSteps: failAt });
      const stored = await createPgSagaStore(t.db).load(id);
      expect(stored?.status).toBe('compensated');
      expect(stored?.lastError).toContain('failed');
    });
  }

  it('[REQ-EVT-014] a saga killed mid-way resumes from its last completed step', async () => {
    const log: string[] = [];
    const id = newId('saga');
    // Process 1 dies while step 3 runs (the promise never settles).
    void runner().run(definition(log, { hangAt: 2 }), id, { orderId: 'ord_3' });
    await waitFor(async () => (await createPgSagaStore(t.db).load(id))?.completedSteps === 2);
    expect(log).toEqual(['run:reserve', 'run:charge']);
    // Process 2 resumes it.
    const s = await runner().resume(definition(log), id);
    expect(s.status).toBe('completed');
    expect(log).toEqual(['run:reserve', 'run:charge', 'run:confirm', 'run:notify']);
    expect(await createPgSagaStore(t.db).unfinished('test.checkout')).toEqual([]);
  });

  it('[REQ-EVT-014] running the same saga id again resumes it instead of starting over', async () => {
    const log: string[] = [];
    await runner().run(definition(log), 'saga_twice', { orderId: 'ord_4' });
    const again = await runner().run(definition(log), 'saga_twice', { orderId: 'ord_4' });
    expect(again.status).toBe('completed');
    expect(log.filter((l) => l === 'run:reserve')).toHaveLength(1);
  });

  it('[REQ-EVT-015] a compensation is retried with backoff; one that keeps failing dead-letters the saga', async () => {
    const log: string[] = [];
    const s1 = await runner().run(definition(log, { failAt: 2, compensateFails: 2 }), newId('saga'), {
      orderId: 'ord_5',
    });
    expect(s1.status).toBe('compensated');
    expect(log).toEqual(['run:reserve', 'run:charge', 'undo:charge:charge-ord_5', 'undo:reserve:reserve-ord_5']);

    const metrics = newMetrics();
    const id = newId('saga');
    const s2 = await runner(metrics).run(definition([], { failAt: 1, compensateFails: 99 }), id, { orderId: 'ord_6' });
    expect(s2).toMatchObject({ status: 'dead', completedSteps: 1, compensatedSteps: 0 });
    expect(s2.lastError).toBe('compensate reserve: undo reserve failed');
    expect((await createPgSagaStore(t.db).load(id))?.status).toBe('dead');
    const metric = await metrics.registry.getSingleMetricAsString('sagas_finished_total');
    expect(metric).toContain('sagas_finished_total{saga="test.checkout",outcome="dead"} 1');
  });
});
