// Retention of email records: sent and dead-lettered messages (with their local outbox copies, which cascade) are
// deleted RETENTION_NOTIFICATION_DAYS after they were queued. Pending and failed ones are kept while they may still be
// sent. Deleted in batches, one short transaction each, so the job never holds many rows locked.
import { sql } from 'kysely';
import type { Db } from '../../platform/db/db.ts';
import type { ScheduledJob } from '../../platform/jobs/job.ts';

const BATCH = 1000;

export async function deleteExpiredMessages(db: Db, days: number): Promise<number> {
  let total = 0;
  for (;;) {
    const r = await sql`delete from notifications.messages where id in (
        select id from notifications.messages
        where status in ('sent', 'dead') and created_at < now() - ${days} * interval '1 day'
        limit ${BATCH})`.execute(db.k);
    const n = Number(r.numAffectedRows ?? 0);
    total += n;
    if (n < BATCH) return total;
  }
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
