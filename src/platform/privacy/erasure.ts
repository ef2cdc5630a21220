// Erasure across every module: a request is recorded (the audit record: who, whom, when, why), then each
// registered module erases or anonymises its part, and finally the subject's data keys are destroyed, which
// shreds every sealed copy left anywhere (events, stored answers, backups). Each module's step is idempotent and
// recorded when done, so an erasure cut short by a crash or a fault is finished by the `privacy.resume_erasures`
// job; a second request for a subject already erased changes nothing.
import { sql } from 'kysely';
import { actorLabel, type Ctx, systemCtx } from '../context.ts';
import type { AnyDb, Db } from '../db/db.ts';
import { newId } from '../ids.ts';
import type { ScheduledJob } from '../jobs/job.ts';
import type { Logger } from '../observability/logger.ts';
import { subjects } from './data-keys.ts';
import type { DataSubject, Privacy } from './privacy.ts';

export interface ErasureRecord {
  id: string;
  status: 'pending' | 'done';
  userId: string | null;
  requestedBy: string;
  reason: string | null;
  stepsDone: string[];
  recordsErased: number;
  attempts: number;
  lastError: string | null;
  createdAt: string;
  completedAt: string | null;
}

interface ErasureRow {
  id: string;
  user_id: string | null;
  email_indexes: string[];
  requested_by: string;
  reason: string | null;
  status: 'pending' | 'done';
  steps_done: string[];
  records_erased: number;
  attempts: number;
  last_error: string | null;
  created_at: Date;
  completed_at: Date | null;
}

const toRecord = (r: ErasureRow): ErasureRecord => ({
  id: r.id,
  status: r.status,
  userId: r.user_id,
  requestedBy: r.requested_by,
  reason: r.reason,
  stepsDone: r.steps_done,
  recordsErased: r.records_erased,
  attempts: r.attempts,
  lastError: r.last_error,
  createdAt: r.created_at.toISOString(),
  completedAt: r.completed_at?.toISOString() ?? null,
});

/** The step that destroys the subject's data keys; always last. */
export const SHRED_STEP = 'data_keys';

export interface Erasures {
  /**
   * Records an erasure in the caller's transaction (so the module that asks — identity deleting an account —
   * commits its own part and the request together). Run it with `run` after the commit.
   */
  record(tx: AnyDb, ctx: Ctx, subject: DataSubject, reason?: string): Promise<string>;
  /** Runs the remaining steps of an erasure; safe to call twice at once (every step is idempotent). */
  run(ctx: Ctx, id: string): Promise<ErasureRecord>;
  /** Records and runs in one go. */
  erase(ctx: Ctx, subject: DataSubject, reason?: string): Promise<ErasureRecord>;
  get(id: string): Promise<ErasureRecord | undefined>;
  list(limit: number, before?: string): Promise<ErasureRecord[]>;
  /** Finishes erasures left pending by a crash or a failing module. */
  resumeJob: ScheduledJob;
}

export function createErasures(deps: { db: Db; privacy: Privacy; logger: Logger }): Erasures {
  const { db, privacy, logger } = deps;
  const byId = async (id: string) =>
    (await db.k.selectFrom('privacy.erasures').selectAll().where('id', '=', id).executeTakeFirst()) as
      | ErasureRow
      | undefined;

  const markStep = (id: string, step: string, n: number) =>
    db.k
      .updateTable('privacy.erasures')
      .set({
        steps_done: sql`array_append(steps_done, ${step})`,
        records_erased: sql`records_erased + ${n}`,
      })
      .where('id', '=', id)
      .where(sql<boolean>`not (${step} = any(steps_done))`)
      .execute();

  const api: Erasures = {
    async record(tx, ctx, subject, reason) {
      const id = newId('era');
      await tx
        .insertInto('privacy.erasures')
        .values({
          id,
          user_id: subject.userId,
          email_indexes: subject.emailIndexes,
          requested_by: actorLabel(ctx.actor),
          reason: reason ?? null,
          status: 'pending',
        })
        .execute();
      return id;
    },

    async run(ctx, id) {
      const row = await byId(id);
      if (!row) throw new Error(`no erasure ${id}`);
      if (row.status === 'done') return toRecord(row);
      const subject: DataSubject = { userId: row.user_id, emailIndexes: row.email_indexes };
      try {
        for (const c of privacy.contributors) {
          if (!c.eraseFor || row.steps_done.includes(c.name)) continue;
          const n = await c.eraseFor(ctx, subject);
          await markStep(id, c.name, n);
        }
        const keys = [
          ...(subject.userId ? [subjects.user(subject.userId)] : []),
          ...subject.emailIndexes.map(subjects.guest),
        ];
        const shredded = await privacy.dataKeys.shred(db.k, keys);
        await markStep(id, SHRED_STEP, shredded);
        await db.k
          .updateTable('privacy.erasures')
          .set({ status: 'done', completed_at: sql`now()`, last_error: null })
          .where('id', '=', id)
          .where('status', '=', 'pending')
          .execute();
      } catch (e) {
        await db.k
          .updateTable('privacy.erasures')
          .set({ attempts: sql`attempts + 1`, last_error: String((e as Error).message).slice(0, 500) })
          .where('id', '=', id)
          .execute()
          .catch(() => {});
        logger.warn({ erasureId: id, err: (e as Error).message }, 'erasure step failed; the resume job retries it');
      }
      const after = await byId(id);
      if (!after) throw new Error(`no erasure ${id}`);
      return toRecord(after);
    },

    async erase(ctx, subject, reason) {
      const id = await api.record(db.k, ctx, subject, reason);
      return api.run(ctx, id);
    },

    async get(id) {
      const r = await byId(id);
      return r && toRecord(r);
    },

    async list(limit, before) {
      let q = db.k.selectFrom('privacy.erasures').selectAll().orderBy('id', 'desc').limit(limit);
      if (before) q = q.where('id', '<', before);
      return ((await q.execute()) as ErasureRow[]).map(toRecord);
    },

    resumeJob: {
      name: 'privacy.resume_erasures',
      intervalMs: 60_000,
      async run() {
        const pending = (await db.k
          .selectFrom('privacy.erasures')
          .select('id')
          .where('status', '=', 'pending')
          .where('created_at', '<', sql<Date>`now() - interval '30 seconds'`)
          .orderBy('created_at')
          .limit(50)
          .execute()) as { id: string }[];
        for (const p of pending) await api.run(systemCtx('privacy.resume_erasures'), p.id);
      },
    },
  };
  return api;
}
