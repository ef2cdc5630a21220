// Retention of email records: sent and dead-lettered messages (with their local outbox copies, which cascade) are
// deleted RETENTION_NOTIFICATION_DAYS after they were queued. Pending and failed ones are kept while they may still be
// sent. Deleted in batches, one short transaction each, so the job never holds many rows locked.
import { sql } from 'kysely';
import type { Db } from '../../platform/db/db.ts';
import { drainInBatches } from '../../platform/jobs/batches.ts';
import type { ScheduledJob } from '../../platform/jobs/job.ts';

const BATCH = 1000;

export function deleteExpiredMessages(db: Db, days: number): Promise<number> {
  return drainInBatches(BATCH, async (limit) => {
    const r = await sql`delete from notifications.messages where id in (
        select id from notifications.messages
        where status in ('sent', 'dead') and created_at < now() - ${days} * interval '1 day'
        limit ${limit})`.execute(db.k);
    return Number(r.numAffectedRows ?? 0);
  });
}

export function notificationsRetentionJob(db: Db, days: () => number): ScheduledJob {
  return {
    name: 'notifications.retention',
    intervalMs: 3_600_000,
    run: async () => {
      await deleteExpiredMessages(db, days());
    },
  };
}
