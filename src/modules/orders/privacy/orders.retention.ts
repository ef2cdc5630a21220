// Retention of the orders' personal data (docs/privacy.md), each a scheduled job of the orders module:
// - finished checkout attempts (placed or failed: their snapshot, payment token and stored answer) are deleted
//   RETENTION_CHECKOUT_ATTEMPT_DAYS after they finished;
// - orders lose their personal fields RETENTION_ORDER_PERSONAL_DATA_DAYS after they were placed, as at erasure
//   (the financial record stays; customer and staff then see an erased customer).
import type { Db } from '../../../platform/db/db.ts';
import type { ScheduledJob } from '../../../platform/jobs/job.ts';
import { deleteFinishedAttempts, erasePersonalFields, ordersPastRetention } from './privacy.repo.ts';

export const RETENTION_INTERVAL_MS = 3_600_000;
const BATCH = 500;

/** Deletes every finished attempt past its retention, a batch at a time; returns how many. */
export async function deleteExpiredAttempts(db: Db, days: number): Promise<number> {
  let total = 0;
  for (;;) {
    const n = await deleteFinishedAttempts(db.k, days, BATCH);
    total += n;
    if (n < BATCH) return total;
  }
}

/** Removes the personal fields of every order past its retention, a batch at a time; returns how many. */
export async function eraseExpiredOrders(db: Db, days: number): Promise<number> {
  let total = 0;
  for (;;) {
    const ids = await ordersPastRetention(db.k, days, BATCH);
    if (ids.length) total += await erasePersonalFields(db.k, ids);
    if (ids.length < BATCH) return total;
  }
}

export function orderRetentionJobs(
  db: () => Db,
  days: () => { checkoutAttemptDays: number; orderPersonalDataDays: number },
): ScheduledJob[] {
  return [
    {
      name: 'orders.checkout_attempt_retention',
      intervalMs: RETENTION_INTERVAL_MS,
      run: async () => void (await deleteExpiredAttempts(db(), days().checkoutAttemptDays)),
    },
    {
      name: 'orders.personal_data_retention',
      intervalMs: RETENTION_INTERVAL_MS,
      run: async () => void (await eraseExpiredOrders(db(), days().orderPersonalDataDays)),
    },
  ];
}
