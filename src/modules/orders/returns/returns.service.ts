// Returns: a customer (or a guest with the order token, or staff with orders:manage) asks to send shipped units
// back; staff receive them — the refund is computed exactly (return-refund.ts) and, with the restock flag, the units
// go back on hand — or reject the request. The units a line's open and received returns claim never exceed what
// shipped (one guarded update per line, under the order row's lock: the lock order of shipping). The refund and the
// restock happen after the commit, in the `orders.settle_return` subscriber (retried until done; both idempotent per
// return), so no transaction is open across the payment provider.
import type { Ctx } from '../../../platform/context.ts';
import { actorLabel } from '../../../platform/context.ts';
import type { Db } from '../../../platform/db/db.ts';
import { errors } from '../../../platform/errors.ts';
import { appendEvents } from '../../../platform/events/outbox.ts';
import { newId } from '../../../platform/ids.ts';
import type { Money } from '../../../platform/money.ts';
import { ORDER_ERRORS, type OrderStatus, type OrderView, type ReturnStatus } from '../contract.ts';
import { ORDER_EVENTS } from '../events.ts';
import { type LineRow, ordersRepo } from '../lifecycle/orders.repo.ts';
import { type OrdersService, subjectOfRow } from '../lifecycle/orders.service.ts';
import { FIELDS, type OrdersPrivacy, openText, sealText } from '../personal.ts';
import type { ShipmentItem } from '../shipments/shipments.repo.ts';
import { type RefundableLine, returnRefund } from './return-refund.ts';
import { type ReturnRow, returnsRepo } from './returns.repo.ts';

/** Orders whose shipped units may be returned. */
export const RETURNABLE: readonly OrderStatus[] = ['partially_shipped', 'shipped', 'delivered', 'partially_refunded'];

export interface ReturnView {
  id: string;
  orderId: string;
  status: ReturnStatus;
  items: { variantId: string; quantity: number; refund: Money }[];
  /** Received: what was refunded. Requested: the estimate (exact unless another return is received first). */
  refund: Money;
  reason: string | null;
  restock: boolean | null;
  note: string | null;
  createdAt: string;
  decidedAt: string | null;
}

/** Filled by the service: the data key subject of the personal data in the answer (the idempotent routes seal their
 * stored answer under it). */
export interface SubjectOut {
  subject?: string;
}

export interface ReturnRequest {
  items: ShipmentItem[];
  reason?: string | undefined;
}

export interface ReturnReceivedPayload {
  returnId: string;
  orderId: string;
  items: ShipmentItem[];
  refundAmount: number;
  currency: string;
  restock: boolean;
}

const refundable = (l: LineRow): RefundableLine => ({
  variantId: l.variant_id,
  quantity: Number(l.quantity),
  lineTotal: Number(l.line_total),
  discount: Number(l.discount),
  tax: Number(l.tax),
  received: Number(l.return_received_quantity ?? 0),
});
const iso = (d: Date | string | null) => (d ? new Date(d).toISOString() : null);

const refundFor = (lines: LineRow[], items: ShipmentItem[]) =>
  returnRefund(new Map(lines.map((l) => [l.variant_id, refundable(l)])), items);

function toReturnView(r: ReturnRow, currency: string, lines: LineRow[]): ReturnView {
  const m = (amount: number) => ({ amount, currency });
  // A decided return shows what it refunded; an open one the estimate against the units received so far.
  const items =
    r.status === 'requested'
      ? refundFor(lines, r.items).items
      : r.items.map((it) => ({ variantId: it.variantId, quantity: it.quantity, refund: it.refund ?? 0 }));
  return {
    id: r.id,
    orderId: r.order_id,
    status: r.status,
    items: items.map((it) => ({ variantId: it.variantId, quantity: it.quantity, refund: m(it.refund) })),
    refund: m(r.refund_amount === null ? items.reduce((a, it) => a + it.refund, 0) : Number(r.refund_amount)),
    reason: r.reason,
    restock: r.restock,
    note: r.note,
    createdAt: iso(r.created_at) as string,
    decidedAt: iso(r.decided_at),
  };
}

export function createReturnsService(deps: {
  db: Db;
  privacy: OrdersPrivacy;
  orders: Pick<OrdersService, 'getWithSubject' | 'forChange' | 'row'>;
}) {
  const { db, privacy } = deps;
  // The customer's reason and staff's note are sealed under the order's subject; erased → null.
  const opened = async (r: ReturnRow): Promise<ReturnRow> => ({
    ...r,
    reason: await openText(privacy, FIELDS.returnReason, r.reason),
    note: await openText(privacy, FIELDS.returnNote, r.note),
  });
  const keyOf = (subject: string) => privacy.dataKeys.forSubject(subject);

  /** Merges the requested items by variant and checks each is a line of the order (422 otherwise). */
  function plan(order: OrderView, items: ShipmentItem[]): ShipmentItem[] {
    const merged = new Map<string, number>();
    items.forEach((it, i) => {
      if (!order.items.some((l) => l.variantId === it.variantId)) {
        throw errors.unprocessable(ORDER_ERRORS.unknownItem, `The order has no line for ${it.variantId}.`, [
          { field: `/items/${i}/variantId`, message: 'Not in this order.' },
        ]);
      }
      merged.set(it.variantId, (merged.get(it.variantId) ?? 0) + it.quantity);
    });
    return [...merged].map(([variantId, quantity]) => ({ variantId, quantity }));
  }

  const notReturnable = (id: string, status: OrderStatus) =>
    errors.conflict(ORDER_ERRORS.notReturnable, `Order ${id} is ${status}; only shipped units can be returned.`);

  async function request(
    ctx: Ctx,
    orderId: string,
    orderToken: string | undefined,
    input: ReturnRequest,
    out: SubjectOut = {},
  ) {
    // Its buyer or staff with orders:manage: 403 for a caller who may only read it, 404 for anyone else
    const { view: order, subject } = await deps.orders.forChange(ctx, orderId, orderToken);
    out.subject = subject;
    if (!RETURNABLE.includes(order.status)) throw notReturnable(orderId, order.status);
    const items = plan(order, input.items);
    const by = actorLabel(ctx.actor);
    const key = await keyOf(subject);
    const reason = sealText(privacy, key, FIELDS.returnReason, input.reason);
    const logReason = sealText(privacy, key, FIELDS.logReason, input.reason);
    return db.transaction(async (tx) => {
      const status = await ordersRepo.lockStatus(tx, orderId);
      if (!status || !RETURNABLE.includes(status)) throw notReturnable(orderId, status ?? order.status);
      for (const it of items) {
        if (!(await returnsRepo.claimReturned(tx, orderId, it.variantId, it.quantity))) {
          throw errors.conflict(
            ORDER_ERRORS.overReturn,
            `More units of ${it.variantId} than were shipped and are not being returned already.`,
          );
        }
      }
      const row = await returnsRepo.insertReturn(tx, {
        id: newId('ret'),
        orderId,
        items,
        reason,
        by,
      });
      await ordersRepo.log(tx, orderId, 'return_requested', null, null, by, logReason, {
        returnId: row.id,
        items,
      });
      await appendEvents(tx, ctx, [
        { type: ORDER_EVENTS.returnRequested, aggregateId: orderId, payload: { returnId: row.id, orderId, items } },
      ]);
      return toReturnView(
        { ...row, reason: input.reason ?? null },
        order.totals.total.currency,
        await ordersRepo.lines(tx, orderId),
      );
    });
  }

  async function list(ctx: Ctx, orderId: string, orderToken: string | undefined): Promise<ReturnView[]> {
    const { view: order } = await deps.orders.getWithSubject(ctx, orderId, orderToken);
    const [rows, lines] = await Promise.all([returnsRepo.returnsOf(db.k, orderId), ordersRepo.lines(db.k, orderId)]);
    return Promise.all(rows.map(async (r) => toReturnView(await opened(r), order.totals.total.currency, lines)));
  }

  async function find(id: string) {
    const r = await returnsRepo.returnById(db.k, id);
    if (!r) throw errors.notFound(ORDER_ERRORS.returnNotFound, `No return ${id}.`);
    const order = await deps.orders.row(r.order_id);
    if (!order) throw errors.notFound(ORDER_ERRORS.returnNotFound, `No return ${id}.`);
    return { r, currency: order.currency, subject: subjectOfRow(privacy, order) };
  }

  /** A decided return as its answer shows it: the note just written, the customer's reason opened. */
  const decidedView = async (row: ReturnRow, note: string | null, currency: string, lines: LineRow[]) =>
    toReturnView({ ...(await opened({ ...row, note: null })), note }, currency, lines);

  const decided = (r: ReturnRow | undefined, id: string) =>
    errors.conflict(ORDER_ERRORS.returnDecided, `Return ${id} was ${r?.status ?? 'decided'} already.`);

  /**
   * Staff received the units: the refund is fixed now (against the units received before, under the order lock, so
   * the refunds of a line add up exactly), the order becomes `returned` when every unit has come back, and the
   * settle subscriber refunds and restocks.
   */
  async function receive(
    ctx: Ctx,
    id: string,
    input: { restock?: boolean; note?: string },
    out: SubjectOut = {},
  ): Promise<ReturnView> {
    const { r, currency, subject } = await find(id);
    out.subject = subject;
    const orderId = r.order_id;
    const by = actorLabel(ctx.actor);
    const restock = input.restock ?? true;
    const key = await keyOf(subject);
    const note = sealText(privacy, key, FIELDS.returnNote, input.note);
    const logNote = sealText(privacy, key, FIELDS.logReason, input.note);
    return db
      .transaction(async (tx) => {
        const status = (await ordersRepo.lockStatus(tx, orderId)) as OrderStatus;
        // Every decision locks the order first: under that lock the return's status is settled.
        const open = await returnsRepo.returnById(tx, id);
        if (open?.status !== 'requested') throw decided(open, id);
        const refund = refundFor(await ordersRepo.lines(tx, orderId), r.items);
        const row = await returnsRepo.decideReturn(tx, id, {
          status: 'received',
          items: refund.items,
          refundAmount: refund.total,
          restock,
          note,
          by,
        });
        if (!row) throw decided(await returnsRepo.returnById(tx, id), id);
        for (const it of r.items) await returnsRepo.moveReturned(tx, orderId, it.variantId, it.quantity, 'received');
        await ordersRepo.log(tx, orderId, 'return_received', null, null, by, logNote, {
          returnId: id,
          refundAmount: refund.total,
          restock,
        });
        const payload: ReturnReceivedPayload = {
          returnId: id,
          orderId,
          items: r.items,
          refundAmount: refund.total,
          currency,
          restock,
        };
        const events: { type: string; aggregateId: string; payload: Record<string, unknown> }[] = [
          { type: ORDER_EVENTS.returnReceived, aggregateId: orderId, payload: { ...payload } },
        ];
        if (
          ['shipped', 'delivered', 'partially_refunded'].includes(status) &&
          (await returnsRepo.allReturned(tx, orderId))
        ) {
          await ordersRepo.setStatus(tx, orderId, 'returned');
          await ordersRepo.log(tx, orderId, 'returned', status, 'returned', by, null, { returnId: id });
          events.push({ type: ORDER_EVENTS.returned, aggregateId: orderId, payload: { orderId, from: status } });
        }
        await appendEvents(tx, ctx, events);
        return { row, lines: await ordersRepo.lines(tx, orderId) };
      })
      .then((d) => decidedView(d.row, input.note ?? null, currency, d.lines));
  }

  /** Staff refuse the return: its units may be claimed again; nothing is refunded. */
  async function reject(ctx: Ctx, id: string, input: { note?: string }, out: SubjectOut = {}): Promise<ReturnView> {
    const { r, currency, subject } = await find(id);
    out.subject = subject;
    const orderId = r.order_id;
    const by = actorLabel(ctx.actor);
    const key = await keyOf(subject);
    const note = sealText(privacy, key, FIELDS.returnNote, input.note);
    const logNote = sealText(privacy, key, FIELDS.logReason, input.note);
    return db
      .transaction(async (tx) => {
        await ordersRepo.lockStatus(tx, orderId);
        const row = await returnsRepo.decideReturn(tx, id, {
          status: 'rejected',
          items: r.items.map((it) => ({ variantId: it.variantId, quantity: it.quantity, refund: 0 })),
          refundAmount: 0,
          restock: false,
          note,
          by,
        });
        if (!row) throw decided(await returnsRepo.returnById(tx, id), id);
        for (const it of r.items) await returnsRepo.moveReturned(tx, orderId, it.variantId, it.quantity, 'released');
        await ordersRepo.log(tx, orderId, 'return_rejected', null, null, by, logNote, { returnId: id });
        await appendEvents(tx, ctx, [
          { type: ORDER_EVENTS.returnRejected, aggregateId: orderId, payload: { returnId: id, orderId } },
        ]);
        return { row, lines: await ordersRepo.lines(tx, orderId) };
      })
      .then((d) => decidedView(d.row, input.note ?? null, currency, d.lines));
  }

  /** Staff: returns across orders, newest first, optionally by status. */
  async function listAll(f: { status?: string; cursor?: string; limit?: number }) {
    const limit = Math.min(f.limit ?? 20, 100);
    const rows = await returnsRepo.listReturns(db.k, { status: f.status, cursor: f.cursor, limit: limit + 1 });
    const page = rows.slice(0, limit);
    const orderIds = [...new Set(page.map((r) => r.order_id))];
    const [lines, currencies] = await Promise.all([
      ordersRepo.linesOf(db.k, orderIds),
      ordersRepo.currencies(db.k, orderIds),
      privacy.dataKeys.preload(page.flatMap((r) => [r.reason, r.note])),
    ]);
    const items = await Promise.all(
      page.map(async (r) =>
        toReturnView(await opened(r), currencies.get(r.order_id) ?? '', lines.get(r.order_id) ?? []),
      ),
    );
    return {
      items,
      nextCursor: rows.length > limit ? (page.at(-1)?.id ?? null) : null,
    };
  }

  return { request, list, receive, reject, listAll };
}

export type ReturnsService = ReturnType<typeof createReturnsService>;
