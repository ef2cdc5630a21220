// Retention for the kernel's tables: published outbox rows after 7 days (unless a delivery or a
// dead letter still needs them), inbox entries after 30 days (well past any redelivery), finished
// one-off jobs after 7 days.
import { sql } from 'kysely';
import type { Db } from '../db/db.ts';
import type { ScheduledJob } from '../jobs/job.ts';

export function eventsCleanupJob(db: Db, intervalMs = 60 * 60_000): ScheduledJob {
  return {
    name: 'platform.events_cleanup',
    intervalMs,
    async run() {
      await sql`delete from platform.outbox o where o.seq in (
          select seq from platform.outbox where published_at < now() - interval '7 days' limit 10000)
        and not exists (select 1 from platform.event_deliveries d where d.event_id = o.id)
        and not exists (select 1 from platform.event_dead_letters l where l.event_id = o.id)`.execute(db.k);
      await sql`delete from platform.inbox where ctid in (
          select ctid from platform.inbox where processed_at < now() - interval '30 days' limit 10000)`.execute(db.k);
      await sql`delete from platform.job_queue where status = 'done' and finished_at < now() - interval '7 days'`.execute(
        db.k,
      );
    },
  };
}
