// The kernel's saga store on platform.sagas, for tests and simple users; a module that owns a
// business process may implement SagaStore on its own table instead (same five columns).
import { sql } from 'kysely';
import type { Db } from '../db/db.ts';
import type { SagaState, SagaStatus, SagaStore } from './saga.ts';

interface Row {
  id: string;
  name: string;
  status: SagaStatus;
  input: unknown;
  results: Record<string, unknown>;
  completed_steps: number;
  compensated_steps: number;
  last_error: string | null;
}

export function createPgSagaStore(db: Db): SagaStore & { unfinished(name: string): Promise<string[]> } {
  return {
    async create(s: SagaState) {
      const r = await sql<{ id: string }>`insert into platform.sagas (id, name, status, input, results)
        values (${s.id}, ${s.name}, ${s.status}, ${JSON.stringify(s.input)}::jsonb, ${JSON.stringify(s.results)}::jsonb)
        on conflict (id) do nothing returning id`.execute(db.k);
      return r.rows.length === 1;
    },
    async load(id) {
      const r = await sql<Row>`select id, name, status, input, results, completed_steps, compensated_steps, last_error
        from platform.sagas where id = ${id}`.execute(db.k);
      const row = r.rows[0];
      if (!row) return undefined;
      return {
        id: row.id,
        name: row.name,
        status: row.status,
        input: row.input,
        results: row.results,
        completedSteps: row.completed_steps,
        compensatedSteps: row.compensated_steps,
        lastError: row.last_error,
      };
    },
    async save(s) {
      await sql`update platform.sagas set status = ${s.status}, results = ${JSON.stringify(s.results)}::jsonb,
        completed_steps = ${s.completedSteps}, compensated_steps = ${s.compensatedSteps}, last_error = ${s.lastError},
        updated_at = now() where id = ${s.id}`.execute(db.k);
    },
    /** Sagas to resume at start-up (running or compensating). */
    async unfinished(name) {
      const r = await sql<{ id: string }>`select id from platform.sagas
        where name = ${name} and status in ('running', 'compensating') order by created_at`.execute(db.k);
      return r.rows.map((x) => x.id);
    },
  };
}
