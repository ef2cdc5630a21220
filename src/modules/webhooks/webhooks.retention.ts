// Retention of the delivery log: finished deliveries (delivered, failed, cancelled) and their attempts are deleted
// RETENTION_WEBHOOK_DELIVERY_DAYS after they were created; pending ones are kept while they may still be sent.
// Deleted in batches, one short transaction each (attempts first: they reference their delivery).
import { sql } from 'kysely';
import type { Db } from '../../platform/db/db.ts';
import { drainInBatches } from '../../platform/jobs/batches.ts';
import type { ScheduledJob } from '../../platform/jobs/job.ts';

const BATCH = 500;

export function deleteExpiredDeliveries(db: Db, days: number): Promise<number> {
  return drainInBatches(BATCH, (limit) =>
    db.transaction(async (tx) => {
      const ids = (
        await sql<{ id: string }>`select id from webhooks.deliveries
          where status in ('delivered', 'failed', 'cancelled') and created_at < now() - ${days} * interval '1 day'
          order by id limit ${limit} for update skip locked`.execute(tx)
      ).rows.map((r) => r.id);
      if (ids.length === 0) return 0;
      await sql`delete from webhooks.delivery_attempts where delivery_id = any(${ids}::text[])`.execute(tx);
      await sql`delete from webhooks.deliveries where id = any(${ids}::text[])`.execute(tx);
      return ids.length;
    }),
  );
}

export function webhooksRetentionJob(db: Db, days: () => number): ScheduledJob {
  return {
    name: 'webhooks.retention',
    intervalMs: 3_600_000,
    run: async () => {
      await deleteExpiredDeliveries(db, days());
    },
  };
}
