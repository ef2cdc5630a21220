// Recording a shipment against an order: the units shipped per line are guarded (never more than ordered), an
// authorization still open (PAYMENT_CAPTURE=shipment) is captured first, and the order moves to partially_shipped
// or shipped. Tracking updates (PATCH /v1/admin/shipments/{id}) move a shipment forward to delivered, and the
// order with it once every shipment is delivered.
import type { Ctx } from '../../../platform/context.ts';
import { actorLabel } from '../../../platform/context.ts';
import type { Db } from '../../../platform/db/db.ts';
import { errors } from '../../../platform/errors.ts';
import { appendEvents } from '../../../platform/events/outbox.ts';
import { newId } from '../../../platform/ids.ts';
import type { PaymentsApi } from '../../payments/index.ts';
import { ORDER_ERRORS, type OrderStatus, SHIPMENT_STATUSES, type ShipmentStatus } from '../contract.ts';
import { ORDER_EVENTS } from '../events.ts';
import { captureOrder } from '../lifecycle/capture.ts';
import { ordersRepo } from '../lifecycle/orders.repo.ts';
import type { OrdersService } from '../lifecycle/orders.service.ts';
import { type ShipmentItem, type ShipmentRow, shipmentsRepo } from './shipments.repo.ts';

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
  status: ShipmentStatus;
  deliveredAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface ShipmentChange {
  status?: ShipmentStatus | undefined;
  carrier?: string | undefined;
  trackingNumber?: string | undefined;
}

const iso = (d: Date | string) => new Date(d).toISOString();
const toShipmentView = (r: ShipmentRow, orderStatus: OrderStatus): ShipmentView => ({
  id: r.id,
  orderId: r.order_id,
  orderStatus,
  items: r.items,
  carrier: r.carrier,
  trackingNumber: r.tracking_number,
  status: r.status,
  deliveredAt: r.delivered_at ? iso(r.delivered_at) : null,
  createdAt: iso(r.created_at),
  updatedAt: iso(r.updated_at),
});

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
    const by = actorLabel(ctx.actor);
    return db.transaction(async (tx) => {
      const from = await ordersRepo.lockStatus(tx, orderId);
      if (!from || !SHIPPABLE.includes(from)) {
        throw errors.conflict(ORDER_ERRORS.invalidTransition, `Order ${orderId} is ${from} and cannot ship.`);
      }
      for (const it of items) {
        if (!(await shipmentsRepo.addShipped(tx, orderId, it.variantId, it.quantity))) {
          throw errors.conflict(ORDER_ERRORS.overShipment, `More units of ${it.variantId} than remain to ship.`);
        }
      }
      const to: OrderStatus = (await shipmentsRepo.fullyShipped(tx, orderId)) ? 'shipped' : 'partially_shipped';
      if (to !== from) await ordersRepo.setStatus(tx, orderId, to);
      const id = newId('shp');
      const carrier = input.carrier ?? null;
      const trackingNumber = input.trackingNumber ?? null;
      const createdAt = await shipmentsRepo.insertShipment(tx, {
        id,
        orderId,
        items,
        carrier,
        tracking: trackingNumber,
        by,
      });
      await ordersRepo.log(tx, orderId, 'shipped', from, to, by, null, { shipmentId: id, items });
      const view = toShipmentView(
        {
          id,
          order_id: orderId,
          items,
          carrier,
          tracking_number: trackingNumber,
          status: 'shipped',
          delivered_at: null,
          created_by: by,
          created_at: createdAt,
          updated_at: createdAt,
        },
        to,
      );
      await appendEvents(tx, ctx, [{ type: ORDER_EVENTS.shipped, aggregateId: orderId, payload: { ...view, from } }]);
      return view;
    });
  }

  async function list(orderId: string): Promise<ShipmentView[]> {
    const order = await deps.orders.row(orderId);
    if (!order) throw errors.notFound(ORDER_ERRORS.notFound, `No order ${orderId}.`);
    return (await shipmentsRepo.shipments(db.k, orderId)).map((r) => toShipmentView(r, order.status));
  }

  /**
   * A tracking update from staff or a carrier integration: the status only moves forward (the same status again is
   * a no-op, so a carrier's repeated update is harmless), carrier and tracking number may be corrected. Delivering
   * the last undelivered shipment of a shipped order delivers the order. The order row is locked first (the lock
   * order of shipping), so two shipments delivered at once cannot both miss that they were the last.
   */
  async function update(ctx: Ctx, id: string, change: ShipmentChange): Promise<ShipmentView> {
    const found = await shipmentsRepo.shipment(db.k, id);
    if (!found) throw errors.notFound(ORDER_ERRORS.shipmentNotFound, `No shipment ${id}.`);
    const orderId = found.order_id;
    const by = actorLabel(ctx.actor);
    return db.transaction(async (tx) => {
      const orderStatus = (await ordersRepo.lockStatus(tx, orderId)) as OrderStatus;
      const to = change.status;
      const from = to ? SHIPMENT_STATUSES.slice(0, SHIPMENT_STATUSES.indexOf(to) + 1) : SHIPMENT_STATUSES;
      const row = await shipmentsRepo.updateShipment(tx, id, change, from);
      if (!row) {
        const now = (await shipmentsRepo.shipment(tx, id))?.status;
        throw errors.conflict(
          ORDER_ERRORS.shipmentBackwards,
          `Shipment ${id} is ${now}; its status only moves forward (${SHIPMENT_STATUSES.join(' → ')}).`,
        );
      }
      const changed =
        found.status !== row.status || found.carrier !== row.carrier || found.tracking_number !== row.tracking_number;
      let status = orderStatus;
      if (changed) {
        const data = { shipmentId: id, status: row.status, carrier: row.carrier, trackingNumber: row.tracking_number };
        await ordersRepo.log(tx, orderId, 'shipment_updated', null, null, by, null, data);
        const events: { type: string; aggregateId: string; payload: Record<string, unknown> }[] = [
          { type: ORDER_EVENTS.shipmentUpdated, aggregateId: orderId, payload: { orderId, ...data } },
        ];
        if (
          row.status === 'delivered' &&
          orderStatus === 'shipped' &&
          (await shipmentsRepo.allDelivered(tx, orderId))
        ) {
          status = 'delivered';
          await ordersRepo.setStatus(tx, orderId, status);
          await ordersRepo.log(tx, orderId, 'delivered', orderStatus, status, by, null, { shipmentId: id });
          events.push({ type: ORDER_EVENTS.delivered, aggregateId: orderId, payload: { orderId, from: orderStatus } });
        }
        await appendEvents(tx, ctx, events);
      }
      return toShipmentView(row, status);
    });
  }

  return { ship, list, update };
}

export type ShipmentsService = ReturnType<typeof createShipmentsService>;
