// Order reads, cancellation and status transitions (each one logged and, where consumers care, published).
import { actorLabel, type Ctx } from '../../../platform/context.ts';
import { type Db, retryingStatement } from '../../../platform/db/db.ts';
import { errors } from '../../../platform/errors.ts';
import { eventsInStatement } from '../../../platform/events/outbox.ts';
import { notifyOutboxAppended } from '../../../platform/events/wake.ts';
import { hasPermission } from '../../../platform/http/auth.ts';
import { type NotifiableOrder, ORDER_ERRORS, type OrderStatus, type OrderView } from '../contract.ts';
import { ORDER_EVENTS } from '../events.ts';
import {
  FIELDS,
  type OrdersPrivacy,
  openOrderPersonal,
  openText,
  orderSubject,
  sealedOf,
  sealText,
} from '../personal.ts';
import { hashToken } from './order-keys.ts';
import { type OrderRow, ordersRepo, toView } from './orders.repo.ts';
import { CUSTOMER_CANCELLABLE, sourcesOf } from './state.ts';

const notFound = (id: string) => errors.notFound(ORDER_ERRORS.notFound, `No order ${id}.`);

/**
 * Whether the caller holds the order as its buyer: the customer who placed it, signed in, or whoever presents its
 * order token. A staff or API-key caller is never the buyer through its permissions (only through the token).
 */
function isBuyer(ctx: Ctx, o: OrderRow, orderToken: string | undefined): boolean {
  if (ctx.actor.kind === 'customer' && o.user_id === ctx.actor.userId) return true;
  return !!orderToken && !!o.order_token_hash && hashToken(orderToken) === o.order_token_hash;
}

function canSee(ctx: Ctx, o: OrderRow, orderToken: string | undefined): boolean {
  return hasPermission(ctx.actor, 'orders:read') || isBuyer(ctx, o, orderToken);
}

/** On whose behalf a caller changes an order (cancels it, asks for a return). */
type OrderChangeRight = 'staff' | 'buyer';

/**
 * Who may change an order: staff or an API key holding `orders:manage` (any time the state machine allows), else its
 * buyer (the customer's rules). A caller who may only read it (`orders:read`) gets 403 `auth.forbidden`, anyone else
 * 404: reading an order never grants a buyer's rights.
 */
function changeRightOf(ctx: Ctx, o: OrderRow, orderToken: string | undefined): OrderChangeRight {
  if (hasPermission(ctx.actor, 'orders:manage')) return 'staff';
  if (isBuyer(ctx, o, orderToken)) return 'buyer';
  if (hasPermission(ctx.actor, 'orders:read')) {
    throw errors.forbidden('Changing an order needs the permission orders:manage.');
  }
  throw notFound(o.id);
}

/**
 * The data key subject an order's personal data is sealed under (rows older than sealing: derived from their fields).
 * Once the customer was erased, text written about the order later is sealed under the order's own subject.
 */
export const subjectOfRow = (p: OrdersPrivacy, o: OrderRow): string =>
  o.customer_erased_at
    ? `order:${o.id}`
    : (o.data_subject ?? orderSubject(p, { userId: o.user_id, email: o.email }, o.id));

export function createOrdersService(deps: { db: Db; privacy: OrdersPrivacy }) {
  const { db, privacy } = deps;
  const view = async (o: OrderRow, lines: Parameters<typeof toView>[1]) =>
    toView(o, lines, await openOrderPersonal(privacy, o));

  /** The order and the data key subject of its personal data (404 for anyone who may not see it). */
  async function getWithSubject(ctx: Ctx, id: string, orderToken: string | undefined) {
    const found = await ordersRepo.withLines(db.k, id);
    if (!found || !canSee(ctx, found.order, orderToken)) throw notFound(id);
    return { view: await view(found.order, found.lines), subject: subjectOfRow(privacy, found.order) };
  }

  async function get(ctx: Ctx, id: string, orderToken: string | undefined): Promise<OrderView> {
    return (await getWithSubject(ctx, id, orderToken)).view;
  }

  /** For other modules (notifications): the order with its emails' language and data key subject. */
  async function forNotification(id: string): Promise<NotifiableOrder | undefined> {
    const found = await ordersRepo.withLines(db.k, id);
    if (!found) return undefined;
    const v = await view(found.order, found.lines);
    return { ...v, locale: found.order.locale, subject: subjectOfRow(privacy, found.order) };
  }

  async function list(
    ctx: Ctx,
    f: {
      userId?: string;
      status?: string;
      cursor?: string;
      limit?: number;
      placedFrom?: string;
      placedBefore?: string;
    },
  ) {
    const limit = Math.min(f.limit ?? 20, 100);
    if (f.placedFrom && f.placedBefore && Date.parse(f.placedFrom) >= Date.parse(f.placedBefore)) {
      throw errors.badRequest(ORDER_ERRORS.invalidRange, 'placedFrom must be before placedBefore.');
    }
    let userId = f.userId;
    if (!hasPermission(ctx.actor, 'orders:read')) {
      if (ctx.actor.kind !== 'customer') throw errors.forbidden();
      userId = ctx.actor.userId; // customers only ever see their own
    }
    const rows = await ordersRepo.list(db.k, {
      userId,
      status: f.status,
      cursor: f.cursor,
      placedFrom: f.placedFrom,
      placedBefore: f.placedBefore,
      limit: limit + 1,
    });
    const page = rows.slice(0, limit);
    const lines = await ordersRepo.linesOf(
      db.k,
      page.map((o) => o.id),
    );
    // The page's data keys in one statement: opening the fields then needs none.
    await privacy.dataKeys.preload(sealedOf(page));
    const items = await Promise.all(page.map((o) => view(o, lines.get(o.id) ?? [])));
    return { items, nextCursor: rows.length > limit ? (page.at(-1)?.id ?? null) : null };
  }

  /**
   * A guarded status change with its log entry (and event), all in one statement; false (nothing written) when the
   * order is not in a source status.
   */
  async function transition(
    ctx: Ctx,
    id: string,
    to: OrderStatus,
    opts: { from?: OrderStatus[]; reason?: string | null; paymentStatus?: string; event?: string } = {},
  ): Promise<boolean> {
    const events = eventsInStatement(
      ctx,
      opts.event ? [{ type: opts.event, aggregateId: id, payload: { orderId: id, to } }] : [],
    );
    const prev = await retryingStatement(() =>
      ordersRepo.transitionLogged(
        db.k,
        id,
        opts.from ?? sourcesOf(to),
        to,
        { paymentStatus: opts.paymentStatus, actor: actorLabel(ctx.actor), reason: opts.reason ?? null },
        events,
      ),
    );
    if (!prev) return false;
    if (opts.event) notifyOutboxAppended();
    return true;
  }

  /** The order, its data key subject and the caller's right to change it (404 or 403 as changeRightOf says). */
  async function forChange(ctx: Ctx, id: string, orderToken: string | undefined) {
    const found = await ordersRepo.withLines(db.k, id);
    if (!found) throw notFound(id);
    const right = changeRightOf(ctx, found.order, orderToken);
    return {
      view: await view(found.order, found.lines),
      subject: subjectOfRow(privacy, found.order),
      right,
    };
  }

  async function cancel(ctx: Ctx, id: string, orderToken: string | undefined, reason: string): Promise<OrderView> {
    const o = await ordersRepo.get(db.k, id);
    if (!o) throw notFound(id);
    const staff = changeRightOf(ctx, o, orderToken) === 'staff';
    const from = staff
      ? sourcesOf('cancelled')
      : CUSTOMER_CANCELLABLE.filter((s) => sourcesOf('cancelled').includes(s));
    // The reason is the caller's own text: sealed under the order's subject.
    const key = await privacy.dataKeys.forSubject(subjectOfRow(privacy, o));
    const sealed = sealText(privacy, key, FIELDS.logReason, reason);
    const ok = await transition(ctx, id, 'cancelled', { from, reason: sealed, event: ORDER_EVENTS.cancelled });
    if (!ok) {
      throw errors.conflict(
        ORDER_ERRORS.invalidTransition,
        `Order ${id} is ${o.status} and cannot be cancelled by you.`,
      );
    }
    // The answer is for whoever may change it (orders:manage alone, without orders:read, included).
    const after = await ordersRepo.withLines(db.k, id);
    if (!after) throw notFound(id);
    return view(after.order, after.lines);
  }

  return {
    get,
    getWithSubject,
    forChange,
    forNotification,
    list,
    cancel,
    transition,
    /** The order's log, oldest first, with its free text opened (null once the customer was erased). */
    events: async (id: string, page?: { after: string | null; limit: number }) =>
      Promise.all(
        (await ordersRepo.events(db.k, id, page)).map(async (e) => ({
          ...e,
          reason: await openText(privacy, FIELDS.logReason, e.reason),
        })),
      ),
    row: (id: string) => ordersRepo.get(db.k, id),
    /** The payment's status alone (the order's status stays): see `ordersRepo.setPaymentStatus`. */
    setPaymentStatus: (id: string, paymentStatus: string) => ordersRepo.setPaymentStatus(db.k, id, paymentStatus),
  };
}

export type OrdersService = ReturnType<typeof createOrdersService>;
