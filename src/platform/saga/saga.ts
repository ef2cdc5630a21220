// Sagas are plain code: a list of `{ name, run, compensate }` steps and this small runner.
// Progress is saved after every step through a SagaStore owned by the calling module, so a saga
// whose process died resumes from its last completed step. When a step fails, the completed steps
// are compensated in reverse order; each compensation is retried with backoff and, when it keeps
// failing, the saga is dead-lettered (status `dead`, an error log line and a metric).
// Steps and compensations must be idempotent on a key derived from the saga id: a crash between a
// step's effect and the save makes the runner run that step again on resume.
import { Counter, type Registry } from 'prom-client';
import { type BackoffOptions, backoffDelay, sleep } from '../events/backoff.ts';
import type { Logger } from '../observability/logger.ts';

export type SagaResults = Record<string, unknown>;

export interface SagaStep<I> {
  name: string;
  /** Returns a JSON value kept in `results[name]` for later steps and compensations. */
  run(input: I, results: SagaResults, sagaId: string): Promise<unknown>;
  compensate?(input: I, results: SagaResults, sagaId: string): Promise<void>;
}

export interface SagaDefinition<I> {
  name: string;
  steps: SagaStep<I>[];
}

export type SagaStatus = 'running' | 'compensating' | 'completed' | 'compensated' | 'dead';

export interface SagaState<I = unknown> {
  id: string;
  name: string;
  status: SagaStatus;
  input: I;
  results: SagaResults;
  completedSteps: number;
  compensatedSteps: number;
  lastError: string | null;
}

/** Where a module keeps its sagas' progress (its own table, or the kernel's platform.sagas). */
export interface SagaStore {
  /** Inserts a new saga; returns false when one with this id exists already. */
  create(state: SagaState): Promise<boolean>;
  load(id: string): Promise<SagaState | undefined>;
  save(state: SagaState): Promise<void>;
}

export interface SagaRunnerOptions {
  compensationAttempts?: number;
  backoff?: BackoffOptions;
}

export interface SagaRunner {
  /** Starts a saga (or resumes the one with this id) and drives it to an end state. */
  run<I>(def: SagaDefinition<I>, id: string, input: I): Promise<SagaState<I>>;
  /** Resumes a saga from its saved progress (after a crash); a finished saga is returned as is. */
  resume<I>(def: SagaDefinition<I>, id: string): Promise<SagaState<I>>;
}

const metricsByRegistry = new WeakMap<Registry, Counter<'saga' | 'outcome'>>();
function sagaCounter(registry: Registry): Counter<'saga' | 'outcome'> {
  let c = metricsByRegistry.get(registry);
  if (!c) {
    c = new Counter({
      name: 'sagas_finished_total',
      help: 'Sagas by name and end state (completed, compensated, dead = compensation kept failing)',
      labelNames: ['saga', 'outcome'] as const,
      registers: [registry],
    });
    metricsByRegistry.set(registry, c);
  }
  return c;
}

const message = (e: unknown) => ((e as Error)?.message ?? String(e)).slice(0, 4000);

export function createSagaRunner(
  deps: { store: SagaStore; logger: Logger; metrics: { registry: Registry } },
  options: SagaRunnerOptions = {},
): SagaRunner {
  const { store, logger } = deps;
  const attempts = options.compensationAttempts ?? 5;
  const backoff = options.backoff ?? { baseMs: 200, maxMs: 10_000 };
  const finished = sagaCounter(deps.metrics.registry);

  async function drive<I>(def: SagaDefinition<I>, state: SagaState<I>): Promise<SagaState<I>> {
    while (state.status === 'running') {
      const step = def.steps[state.completedSteps];
      if (!step) {
        state.status = 'completed';
        await store.save(state);
        finished.inc({ saga: def.name, outcome: 'completed' });
        return state;
      }
      try {
        const result = await step.run(state.input, state.results, state.id);
        state.results = { ...state.results, [step.name]: result ?? null };
        state.completedSteps++;
      } catch (e) {
        state.status = 'compensating';
        state.lastError = `${step.name}: ${message(e)}`;
        logger.warn({ saga: def.name, sagaId: state.id, step: step.name, err: message(e) }, 'saga step failed');
      }
      await store.save(state);
    }
    while (state.status === 'compensating') {
      const index = state.completedSteps - 1 - state.compensatedSteps;
      const step = def.steps[index];
      if (index < 0 || !step) {
        state.status = 'compensated';
        await store.save(state);
        finished.inc({ saga: def.name, outcome: 'compensated' });
        return state;
      }
      let ok = false;
      for (let attempt = 1; attempt <= attempts && !ok; attempt++) {
        try {
          await step.compensate?.(state.input, state.results, state.id);
          ok = true;
        } catch (e) {
          state.lastError = `compensate ${step.name}: ${message(e)}`;
          if (attempt < attempts) await sleep(backoffDelay(attempt, backoff));
        }
      }
      if (!ok) {
        state.status = 'dead';
        await store.save(state);
        finished.inc({ saga: def.name, outcome: 'dead' });
        logger.error(
          { saga: def.name, sagaId: state.id, step: step.name, attempts, err: state.lastError },
          'saga compensation keeps failing; dead-lettered for manual repair',
        );
        return state;
      }
      state.compensatedSteps++;
      await store.save(state);
    }
    return state;
  }

  return {
    async run(def, id, input) {
      const fresh: SagaState<typeof input> = {
        id,
        name: def.name,
        status: 'running',
        input,
        results: {},
        completedSteps: 0,
        compensatedSteps: 0,
        lastError: null,
      };
      if (await store.create(fresh as SagaState)) return drive(def, fresh);
      return this.resume(def, id);
    },
    async resume(def, id) {
      const state = (await store.load(id)) as SagaState<never> | undefined;
      if (!state) throw new Error(`saga ${id} not found`);
      if (state.name !== def.name) throw new Error(`saga ${id} is a ${state.name}, not a ${def.name}`);
      return drive(def, state);
    },
  };
}
