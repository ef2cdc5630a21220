// Reservation outcomes (`inventory_reservation_outcomes_total{operation,outcome}`): each reserve, release and commit
// call of the inventory API (checkout, subscribers, gRPC) by what it answered, and reservations the sweeper expired.
import type { Counter } from 'prom-client';
import { isAppError } from '../../platform/errors.ts';
import { INVENTORY_ERRORS as E, type InventoryApi, type Reservation } from './contract.ts';

const REFUSALS: Record<string, string> = {
  [E.insufficientStock]: 'insufficient',
  [E.reservationExpired]: 'expired',
  [E.reservationNotFound]: 'not_found',
  [E.reservationReleased]: 'already_released',
  [E.reservationCommitted]: 'already_committed',
  [E.keyConflict]: 'key_conflict',
  [E.invalidReservation]: 'invalid',
  [E.invalidQuantity]: 'invalid',
};

export function reservationRefusal(e: unknown): string {
  if (!isAppError(e)) return 'error';
  return REFUSALS[e.code] ?? (e.status < 500 ? 'rejected' : 'error');
}

type Outcomes = Counter<'operation' | 'outcome'>;

function measured<A extends unknown[]>(
  outcomes: Outcomes,
  operation: string,
  call: (...args: A) => Promise<Reservation>,
  ok: (r: Reservation) => string,
): (...args: A) => Promise<Reservation> {
  return async (...args) => {
    try {
      const r = await call(...args);
      outcomes.inc({ operation, outcome: ok(r) });
      return r;
    } catch (e) {
      outcomes.inc({ operation, outcome: reservationRefusal(e) });
      throw e;
    }
  };
}

/** The same API, its reserve, release and commit outcomes counted. */
export function measureReservations(api: InventoryApi, outcomes: Outcomes): InventoryApi {
  return {
    ...api,
    // A reserve answers the reservation under its key: `active` when reserved (or already), else its status.
    reserve: measured(outcomes, 'reserve', api.reserve, (r) => (r.status === 'active' ? 'reserved' : r.status)),
    release: measured(outcomes, 'release', api.release, (r) => r.status),
    commit: measured(outcomes, 'commit', api.commit, (r) => r.status),
  };
}
