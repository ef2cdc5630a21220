// Reservations: whole-order, all-or-nothing holds on stock with a TTL; release, commit, expiry.
import type { Ctx } from '../../platform/context.ts';
import type { Db, Tx } from '../../platform/db/db.ts';
import { type AppError, errors } from '../../platform/errors.ts';
import type { NewEvent } from '../../platform/events/envelope.ts';
import { newId } from '../../platform/ids.ts';
import { canonicalDemand, planAllocation, requestHash } from './allocation.ts';
import { INVENTORY_ERRORS as E, type Reservation, type ReservationAllocation, type ReserveInput } from './contract.ts';
import { INVENTORY_EVENTS, type ReservationExpiredPayload } from './events.ts';
import * as repo from './inventory.repo.ts';
import { consumeLevels, type LevelChange, reserveLevels } from './level-batch.repo.ts';
import { findMovementByKey, insertMovement, lockLevel, putBackOf, setOnHand } from './movement.repo.ts';
import { onHandOutOfRange } from './stock.service.ts';
import { actorLabel, appendStockEvents } from './stock-events.ts';

export interface ReservationServiceDeps {
  db: Db;
  /** Default time to live of a reservation (RESERVATION_TTL_SECONDS). */
  ttlSeconds: number;
}

const MAX_LINES = 200;
const MAX_QUANTITY = 1_000_000;
// A stale plan means another reservation made progress; a fresh snapshot that still shows the stock replans.
const PLAN_ATTEMPTS = 20;

export function insufficientStock(variants: string[]): AppError {
  return errors.conflict(E.insufficientStock, `Not enough stock for: ${variants.join(', ')}.`, { variants });
}

function reservationExpired(key: string): AppError {
  return errors.conflict(E.reservationExpired, `Reservation ${key} has expired; reserve again.`);
}

/** A conditional update found less stock than the snapshot promised: roll back and plan again. */
class StalePlan extends Error {
  readonly variantId: string;
  readonly replannable: boolean;
  constructor(variantId: string, replannable: boolean) {
    super('stale allocation plan');
    this.variantId = variantId;
    this.replannable = replannable;
  }
}

function validate(input: ReserveInput, now: Date): void {
  const fieldErrors: { field: string; message: string }[] = [];
  if (typeof input.key !== 'string' || input.key.length < 1 || input.key.length > 200) {
    fieldErrors.push({ field: 'key', message: 'must be 1 to 200 characters' });
  }
  if (!Array.isArray(input.lines) || input.lines.length < 1 || input.lines.length > MAX_LINES) {
    fieldErrors.push({ field: 'lines', message: `must hold 1 to ${MAX_LINES} lines` });
  } else {
    input.lines.forEach((l, i) => {
      if (typeof l.variantId !== 'string' || l.variantId.length < 1 || l.variantId.length > 100) {
        fieldErrors.push({ field: `lines/${i}/variantId`, message: 'must be 1 to 100 characters' });
      }
      if (!Number.isInteger(l.quantity) || l.quantity < 1 || l.quantity > MAX_QUANTITY) {
        fieldErrors.push({ field: `lines/${i}/quantity`, message: `must be an integer from 1 to ${MAX_QUANTITY}` });
      }
    });
  }
  if (input.expiresAt !== undefined && !(input.expiresAt.getTime() > now.getTime())) {
    fieldErrors.push({ field: 'expiresAt', message: 'must be in the future' });
  }
  if (fieldErrors.length) {
    throw errors.unprocessable(E.invalidReservation, 'The reservation request is not valid.', fieldErrors);
  }
}

function toReservation(
  row: { id: string; key: string; status: Reservation['status']; expiresAt: Date },
  lines: ReservationAllocation[],
): Reservation {
  return {
    id: row.id,
    key: row.key,
    status: row.status,
    expiresAt: row.expiresAt,
    allocations: lines.map((l) => ({ variantId: l.variantId, warehouseId: l.warehouseId, quantity: l.quantity })),
  };
}

/** Per-level sums in lock order (variant id, warehouse id), tracked lines only. */
function byLevel(lines: readonly ReservationAllocation[]): LevelChange[] {
  const sums = new Map<string, LevelChange>();
  for (const l of lines) {
    if (l.warehouseId === null) continue;
    const k = `${l.variantId}\u0000${l.warehouseId}`;
    const cur = sums.get(k) ?? { variantId: l.variantId, warehouseId: l.warehouseId, qty: 0 };
    cur.qty += l.quantity;
    sums.set(k, cur);
  }
  return [...sums.values()].sort((a, b) =>
    a.variantId !== b.variantId ? (a.variantId < b.variantId ? -1 : 1) : a.warehouseId < b.warehouseId ? -1 : 1,
  );
}

function deltas(lines: readonly ReservationAllocation[], sign: number): Map<string, number> {
  const m = new Map<string, number>();
  for (const l of lines) if (l.warehouseId !== null) m.set(l.variantId, (m.get(l.variantId) ?? 0) + sign * l.quantity);
  return m;
}

export function createReservationService(deps: ReservationServiceDeps) {
  const { db } = deps;

  async function attemptReserve(ctx: Ctx, input: ReserveInput, expiresAt: Date): Promise<Reservation> {
    const demand = canonicalDemand(input.lines);
    const hash = requestHash(demand);
    return db.transaction(async (tx) => {
      const id = newId('res');
      const row = { id, key: input.key, requestHash: hash, expiresAt };
      const variantIds = demand.map((d) => d.variantId);
      const { inserted, snapshot } = await repo.insertReservationWithSnapshot(tx, row, variantIds);
      if (!inserted) {
        const existing = await repo.findReservation(tx, input.key);
        if (!existing) throw new Error('reservation vanished after key conflict');
        if (existing.requestHash !== hash) {
          throw errors.conflict(E.keyConflict, `Key ${input.key} was already used for a different reservation.`);
        }
        return toReservation(existing, await repo.linesOf(tx, [existing.id]));
      }
      const { modes, warehouses, levels } = snapshot;
      const plan = planAllocation(demand, modes, warehouses, levels);
      if (!plan.ok) throw insufficientStock(plan.shortVariants);
      // One statement writes the lines and takes every level's units, locking the levels in lock order (variant id,
      // warehouse id), so concurrent reservations never deadlock; the hot level rows stay locked for the events and
      // the commit only.
      const { short, totals } = await reserveLevels(tx, id, plan.lines, byLevel(plan.lines));
      const first = short[0];
      if (first) {
        const levelCount = levels.filter((l) => l.variantId === first.variantId && l.reservable > 0).length;
        throw new StalePlan(first.variantId, levelCount > 1);
      }
      await appendStockEvents(tx, ctx, deltas(plan.lines, -1), 'reserved', [], totals);
      return { id, key: input.key, status: 'active', expiresAt, allocations: plan.lines };
    });
  }

  async function reserve(ctx: Ctx, input: ReserveInput): Promise<Reservation> {
    const now = new Date();
    validate(input, now);
    const expiresAt = input.expiresAt ?? new Date(now.getTime() + deps.ttlSeconds * 1000);
    for (let attempt = 1; ; attempt++) {
      try {
        return await attemptReserve(ctx, input, expiresAt);
      } catch (e) {
        if (!(e instanceof StalePlan)) throw e;
        if (!e.replannable || attempt >= PLAN_ATTEMPTS) throw insufficientStock([e.variantId]);
      }
    }
  }

  async function lockForChange(tx: Tx, key: string) {
    const found = await repo.lockReservationWithLines(tx, key);
    if (!found) throw errors.notFound(E.reservationNotFound, `No reservation with key ${key}.`);
    return found;
  }

  async function release(ctx: Ctx, key: string): Promise<Reservation> {
    return db.transaction(async (tx) => {
      const { row, lines } = await lockForChange(tx, key);
      if (row.status === 'released' || row.status === 'expired') return toReservation(row, lines);
      if (row.status === 'committed') {
        throw errors.conflict(E.reservationCommitted, `Reservation ${key} was committed; it cannot be released.`);
      }
      for (const l of byLevel(lines)) await repo.unreserveLevel(tx, l.variantId, l.warehouseId, l.qty);
      await repo.setStatus(tx, [row.id], 'released');
      await appendStockEvents(tx, ctx, deltas(lines, 1), 'released');
      return toReservation({ ...row, status: 'released' }, lines);
    });
  }

  async function commit(ctx: Ctx, key: string): Promise<Reservation> {
    return db.transaction(async (tx) => {
      // The conditional update is the lock: only an active reservation not past its expiry becomes committed.
      const committed = await repo.commitIfActive(tx, key);
      if (!committed) {
        const { row, lines } = await lockForChange(tx, key);
        if (row.status === 'committed') return toReservation(row, lines);
        if (row.status === 'released') {
          throw errors.conflict(E.reservationReleased, `Reservation ${key} was released; reserve again.`);
        }
        if (row.status === 'expired' || row.expired) throw reservationExpired(key);
        throw new Error(`reservation ${key} is active and current, yet its commit matched nothing`);
      }
      const { row, lines } = committed;
      const movements = lines.flatMap((l) =>
        l.warehouseId === null
          ? []
          : [
              {
                id: newId('mov'),
                variantId: l.variantId,
                warehouseId: l.warehouseId,
                quantity: l.quantity,
                idempotencyKey: `commit:${row.id}:${l.lineNo}`,
              },
            ],
      );
      const totals = await consumeLevels(tx, row.id, byLevel(lines), movements, actorLabel(ctx.actor));
      await appendStockEvents(tx, ctx, deltas(lines, 0), 'committed', [], totals);
      return toReservation(row, lines);
    });
  }

  /** Releases expired reservations in batches; returns how many. Safe to run from several processes. */
  async function releaseExpired(ctx: Ctx, options: { batchSize?: number } = {}): Promise<number> {
    const batchSize = options.batchSize ?? 100;
    let total = 0;
    for (;;) {
      const n = await db.transaction(async (tx) => {
        const rows = await repo.lockExpired(tx, batchSize);
        if (rows.length === 0) return 0;
        const lines = await repo.linesOf(
          tx,
          rows.map((r) => r.id),
        );
        for (const l of byLevel(lines)) await repo.unreserveLevel(tx, l.variantId, l.warehouseId, l.qty);
        await repo.setStatus(
          tx,
          rows.map((r) => r.id),
          'expired',
        );
        const expiredEvents: NewEvent[] = rows.map((r) => {
          const payload: ReservationExpiredPayload = {
            reservationId: r.id,
            key: r.key,
            lines: lines
              .filter((l) => l.reservationId === r.id)
              .map((l) => ({ variantId: l.variantId, warehouseId: l.warehouseId, quantity: l.quantity })),
          };
          return { type: INVENTORY_EVENTS.reservationExpired, aggregateId: r.id, payload, id: `evt_exp_${r.id}` };
        });
        await appendStockEvents(tx, ctx, deltas(lines, 1), 'expired', expiredEvents);
        return rows.length;
      });
      total += n;
      if (n < batchSize) return total;
    }
  }

  /** Locks a committed reservation (only committed stock goes back on hand) with its lines and what is back. */
  async function lockCommitted(tx: Tx, key: string, returnId: string) {
    const { row, lines } = await lockForChange(tx, key);
    if (row.status !== 'committed') {
      throw errors.conflict(
        E.reservationNotCommitted,
        `Reservation ${key} is ${row.status}; only committed stock is restocked.`,
      );
    }
    return { row, lines, back: await putBackOf(tx, row.id, returnId) };
  }

  /** Puts `quantity` units of a reservation line back on hand with one `adjust` ledger row keyed `key`. */
  async function putBack(
    tx: Tx,
    put: { reservationId: string; line: ReservationAllocation & { warehouseId: string }; quantity: number },
    key: string,
    reason: string,
    actor: string,
  ): Promise<ReservationAllocation> {
    const { variantId, warehouseId } = put.line;
    const level = await lockLevel(tx, variantId, warehouseId);
    if (!(await setOnHand(tx, variantId, warehouseId, level.onHand + put.quantity))) throw onHandOutOfRange(variantId);
    await insertMovement(tx, {
      id: newId('mov'),
      variantId,
      warehouseId,
      kind: 'adjust',
      quantity: put.quantity,
      requested: put.quantity,
      reason,
      actor,
      idempotencyKey: key,
      reservationId: put.reservationId,
    });
    return { variantId, warehouseId, quantity: put.quantity };
  }

  /**
   * A cancelled order's committed units go back on hand — less those its returns put back already — one `adjust`
   * ledger row per line, keyed so a retry adds nothing.
   */
  async function restock(ctx: Ctx, key: string): Promise<Reservation> {
    return db.transaction(async (tx) => {
      const { row, lines, back } = await lockCommitted(tx, key, '');
      const added: ReservationAllocation[] = [];
      for (const l of lines) {
        const quantity = l.quantity - (back.returnedByLine.get(l.lineNo) ?? 0);
        const idempotencyKey = `restock:${row.id}:${l.lineNo}`;
        if (l.warehouseId === null || quantity <= 0 || (await findMovementByKey(tx, idempotencyKey))) continue;
        const line = { ...l, warehouseId: l.warehouseId };
        const put = { reservationId: row.id, line, quantity };
        added.push(await putBack(tx, put, idempotencyKey, 'order cancelled: restock', actorLabel(ctx.actor)));
      }
      if (added.length) await appendStockEvents(tx, ctx, deltas(added, 1), 'restocked');
      return toReservation(row, lines);
    });
  }

  /**
   * Puts returned units of a committed reservation back on hand, in the warehouses its lines took them from (a
   * variant split over several: the lines' units not yet returned, in line order); untracked variants have nothing
   * to put back. Idempotent per return (`returnId`): a repeat adds nothing, and after a cancellation's restock
   * nothing is left to add. Asking for more units of a variant than the reservation holds and has not had back is a
   * 409.
   */
  async function restockReturned(
    ctx: Ctx,
    key: string,
    returnId: string,
    items: readonly { variantId: string; quantity: number }[],
  ): Promise<void> {
    await db.transaction(async (tx) => {
      const { row, lines, back } = await lockCommitted(tx, key, returnId);
      // One transaction put all of this return's units back; or the order was cancelled, which put back every unit
      // not returned by then, these included.
      if (back.returnDone || back.cancelled) return;
      const added: ReservationAllocation[] = [];
      for (const item of items) {
        let left = item.quantity;
        for (const l of lines) {
          if (l.variantId !== item.variantId || left === 0) continue;
          const quantity = Math.min(left, l.quantity - (back.returnedByLine.get(l.lineNo) ?? 0));
          if (quantity <= 0) continue;
          left -= quantity;
          if (l.warehouseId === null) continue;
          const line = { ...l, warehouseId: l.warehouseId };
          const put = { reservationId: row.id, line, quantity };
          const reason = `returned (${returnId}): restock`;
          added.push(await putBack(tx, put, `return:${returnId}:${l.lineNo}`, reason, actorLabel(ctx.actor)));
        }
        if (left > 0) {
          throw errors.conflict(
            E.reservationNotCommitted,
            `Reservation ${key} holds fewer units of ${item.variantId}.`,
          );
        }
      }
      if (added.length) await appendStockEvents(tx, ctx, deltas(added, 1), 'restocked');
    });
  }

  return { reserve, release, commit, restock, restockReturned, releaseExpired };
}

export type ReservationService = ReturnType<typeof createReservationService>;
