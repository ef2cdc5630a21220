// Recording a shipment against an order: the units shipped per line are guarded (never more than ordered), an
// authorization still open (PAYMENT_CAPTURE=shipment) is captured first, and the order moves to partially_shipped
// or shipped. Fulfillment (carriers, labels, tracking updates) will record its shipments through this.
import type { Ctx } from '../../platform/context.ts';
import type { Db } from '../../platform/db/db.ts';
import { errors } from '../../platform/errors.ts';
import { appendEvents } from '../../platform/events/outbox.ts';
import { newId } from '../../platform/ids.ts';
import type { PaymentsApi } from '../payments/index.ts';
import { captureOrder } from './capture.ts';
import { ORDER_ERRORS, type OrderStatus } from './contract.ts';
import { ORDER_EVENTS } from './events.ts';
import { ordersRepo, type ShipmentItem } from './orders.repo.ts';
import { actorName, type OrdersService } from './orders.service.ts';

export interface ShipmentInput {
  /** Absent or empty: every unit not shipped yet. */
  items?: ShipmentItem[] | undefined;
  carrier?: string | undefined;
  trackingNumber?: string | undefined;
}

export interface ShipmentView {
  id: string;
  orderId: string;
  orderStatus: OrderStatus;
  items: ShipmentItem[];
  carrier: string | null;
  trackingNumber: string | null;
  createdAt: string;
}

const SHIPPABLE: readonly OrderStatus[] = ['paid', 'partially_shipped'];

export function createShipmentsService(deps: {
  db: Db;
  payments: Pick<PaymentsApi, 'capture'>;
  orders: OrdersService;
}) {
  const { db } = deps;

  /** Which units this shipment carries: the requested ones (merged by variant), or all that remain. */
  function plan(lines: Awaited<ReturnType<typeof ordersRepo.lines>>, requested: ShipmentItem[]): ShipmentItem[] {
    const remaining = new Map(lines.map((l) => [l.variant_id, l.quantity - Number(l.shipped_quantity ?? 0)]));
    if (requested.length === 0) {
      return [...remaining].filter(([, q]) => q > 0).map(([variantId, quantity]) => ({ variantId, quantity }));
    }
    const merged = new Map<string, number>();
    requested.forEach((it, i) => {
      if (!remaining.has(it.variantId)) {
        throw errors.unprocessable(ORDER_ERRORS.unknownItem, `The order has no line for ${it.variantId}.`, [
          { field: `/items/${i}/variantId`, message: 'Not in this order.' },
        ]);
      }
      merged.set(it.variantId, (merged.get(it.variantId) ?? 0) + it.quantity);
    });
    return [...merged].map(([variantId, quantity]) => ({ variantId, quantity }));
  }

  async function ship(ctx: Ctx, orderId: string, input: ShipmentInput): Promise<ShipmentView> {
    const order = await deps.orders.row(orderId);
    if (!order) throw errors.notFound(ORDER_ERRORS.notFound, `No order ${orderId}.`);
    if (order.status !== 'pending' && !SHIPPABLE.includes(order.status)) {
      throw errors.conflict(ORDER_ERRORS.invalidTransition, `Order ${orderId} is ${order.status} and cannot ship.`);
    }
    const items = plan(await ordersRepo.lines(db.k, orderId), input.items ?? []);
    if (items.length === 0) throw errors.conflict(ORDER_ERRORS.nothingToShip, 'Every unit has shipped already.');
    if (order.status === 'pending') {
      if (order.payment_status !== 'authorized') {
        throw errors.conflict(ORDER_ERRORS.notPaid, `The payment is ${order.payment_status}; nothing can ship.`);
      }
      // Capture before anything ships (no transaction is open across the provider call); a failure ships nothing.
      await captureOrder(deps, ctx, orderId);
    }
    const by = actorName(ctx.actor);
    return db.transaction(async (tx) => {
      const from = await ordersRepo.lockStatus(tx, orderId);
      if (!from || !SHIPPABLE.includes(from)) {
        throw errors.conflict(ORDER_ERRORS.invalidTransition, `Order ${orderId} is ${from} and cannot ship.`);
      }
      for (const it of items) {
        if (!(await ordersRepo.addShipped(tx, orderId, it.variantId, it.quantity))) {
          throw errors.conflict(ORDER_ERRORS.overShipment, `More units of ${it.variantId} than remain to ship.`);
        }
      }
      const to: OrderStatus = (await ordersRepo.fullyShipped(tx, orderId)) ? 'shipped' : 'partially_shipped';
      if (to !== from) await ordersRepo.setStatus(tx, orderId, to);
      const id = newId('shp');
      const carrier = input.carrier ?? null;
      const trackingNumber = input.trackingNumber ?? null;
      const createdAt = await ordersRepo.insertShipment(tx, {
        id,
        orderId,
        items,
        carrier,
        tracking: trackingNumber,
        by,
      });
      await ordersRepo.log(tx, orderId, 'shipped', from, to, by, null, { shipmentId: id, items });
      const view: ShipmentView = {
        id,
        orderId,
        orderStatus: to,
        items,
        carrier,
        trackingNumber,
        createdAt: createdAt.toISOString(),
      };
      await appendEvents(tx, ctx, [{ type: ORDER_EVENTS.shipped, aggregateId: orderId, payload: { ...view, from } }]);
      return view;
    });
  }

  async function list(orderId: string): Promise<ShipmentView[]> {
    const order = await deps.orders.row(orderId);
    if (!order) throw errors.notFound(ORDER_ERRORS.notFound, `No order ${orderId}.`);
    return (await ordersRepo.shipments(db.k, orderId)).map((r) => ({
      id: r.id,
      orderId,
      orderStatus: order.status,
      items: r.items,
      carrier: r.carrier,
      trackingNumber: r.tracking_number,
      createdAt: new Date(r.created_at).toISOString(),
    }));
  }

  return { ship, list };
}

export type ShipmentsService = ReturnType<typeof createShipmentsService>;
