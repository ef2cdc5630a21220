// Master key rotation: one job re-encrypts every module's personal data under the active key, in small
// batches, resumable by nature (each batch finds what is still under an old key), and reports progress.
// Data keys are re-wrapped first (values sealed under them need nothing); then each module's stores.
import type { Db } from '../db/db.ts';
import type { ScheduledJob } from '../jobs/job.ts';
import type { Logger } from '../observability/logger.ts';
import type { KeyRotationPart, Privacy } from './privacy.ts';

export interface RotationProgress {
  activeKeyId: string;
  /** Values (and blind indexes) still under an old key, in all. */
  remaining: number;
  complete: boolean;
  parts: { module: string; name: string; remaining: number }[];
}

export interface KeyRotation {
  progress(): Promise<RotationProgress>;
  /** Re-encrypts until nothing is left or `budgetMs` has passed; returns values changed. */
  run(budgetMs: number): Promise<number>;
  job: ScheduledJob;
}

const BATCH = 200;

export function createKeyRotation(deps: { db: Db; privacy: Privacy; logger: Logger }): KeyRotation {
  const { db, privacy, logger } = deps;
  const parts = (): { module: string; part: KeyRotationPart }[] => [
    {
      module: 'privacy',
      part: {
        name: 'privacy.data_keys',
        remaining: () => privacy.dataKeys.staleCount(db.k),
        batch: (limit) => privacy.dataKeys.rewrapBatch(db.k, limit),
      },
    },
    ...privacy.contributors.flatMap((c) => (c.rotation ?? []).map((part) => ({ module: c.name, part }))),
  ];

  const api: KeyRotation = {
    async progress() {
      const list = [];
      for (const { module, part } of parts()) list.push({ module, name: part.name, remaining: await part.remaining() });
      const remaining = list.reduce((n, p) => n + p.remaining, 0);
      return { activeKeyId: privacy.pii.activeKeyId, remaining, complete: remaining === 0, parts: list };
    },
    async run(budgetMs) {
      const until = Date.now() + budgetMs;
      let changed = 0;
      for (const { part } of parts()) {
        for (;;) {
          const n = await part.batch(BATCH);
          changed += n;
          if (n === 0 || Date.now() > until) break;
        }
        if (Date.now() > until) break;
      }
      return changed;
    },
    job: {
      name: 'privacy.rotate_keys',
      intervalMs: 10 * 60_000,
      async run() {
        const changed = await api.run(5 * 60_000);
        if (changed) logger.info({ changed, ...(await api.progress()) }, 'key rotation progress');
      },
    },
  };
  return api;
}
