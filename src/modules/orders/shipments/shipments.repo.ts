// SQL for an order's shipments: the units shipped per line (guarded so they never pass the line's quantity) and the
// shipment records. Called under the order's row lock (ordersRepo.lockStatus).
import { sql } from 'kysely';
import type { Tx } from '../../../platform/db/db.ts';
import type { Row } from '../../../platform/db/typed.ts';
import type { ShipmentStatus } from '../contract.ts';
import type { OrdersShipments } from '../db.generated.ts';
import { ordersTables, parse, type Q } from '../lifecycle/orders.repo.ts';

export interface ShipmentItem {
  variantId: string;
  quantity: number;
}

export type ShipmentRow = Row<OrdersShipments, { items: ShipmentItem[]; status: ShipmentStatus }>;

export const shipmentsRepo = {
  /** Adds shipped units to the order's line of a variant, never beyond its quantity; false when that would. */
  async addShipped(tx: Tx, orderId: string, variantId: string, quantity: number): Promise<boolean> {
    const r = await ordersTables(tx)
      .updateTable('orders.order_lines')
      .set((eb) => ({ shipped_quantity: eb('shipped_quantity', '+', quantity) }))
      .where('order_id', '=', orderId)
      .where('variant_id', '=', variantId)
      .where((eb) => eb(eb('shipped_quantity', '+', quantity), '<=', eb.ref('quantity')))
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  },
  async fullyShipped(tx: Tx, orderId: string): Promise<boolean> {
    const r = await sql<{ done: boolean }>`select bool_and(shipped_quantity = quantity) as done
      from orders.order_lines where order_id = ${orderId}`.execute(tx);
    return r.rows[0]?.done === true;
  },
  async insertShipment(
    tx: Tx,
    s: {
      id: string;
      orderId: string;
      items: ShipmentItem[];
      carrier: string | null;
      tracking: string | null;
      by: string;
    },
  ): Promise<Date> {
    const r = await sql<Pick<ShipmentRow, 'created_at'>>`insert into orders.shipments
        (id, order_id, items, carrier, tracking_number, created_by)
      values (${s.id}, ${s.orderId}, ${JSON.stringify(s.items)}, ${s.carrier}, ${s.tracking}, ${s.by})
      returning created_at`.execute(tx);
    return new Date((r.rows[0] as Pick<ShipmentRow, 'created_at'>).created_at);
  },
  async shipments(q: Q, orderId: string): Promise<ShipmentRow[]> {
    const r = await sql<ShipmentRow>`select * from orders.shipments
      where order_id = ${orderId} order by created_at, id`.execute(q);
    return r.rows.map((row) => ({ ...row, items: parse<ShipmentItem[]>(row.items) }));
  },
  async shipment(q: Q, id: string): Promise<ShipmentRow | undefined> {
    const r = await sql<ShipmentRow>`select * from orders.shipments where id = ${id}`.execute(q);
    const row = r.rows[0];
    return row ? { ...row, items: parse<ShipmentItem[]>(row.items) } : undefined;
  },
  /**
   * Changes a shipment's tracking; the status only moves forward (`from` lists the statuses it may come from).
   * Undefined when the shipment is not in one of them (nothing written).
   */
  async updateShipment(
    tx: Tx,
    id: string,
    change: { status?: ShipmentStatus | undefined; carrier?: string | undefined; trackingNumber?: string | undefined },
    from: readonly ShipmentStatus[],
  ): Promise<ShipmentRow | undefined> {
    const r = await sql<ShipmentRow>`update orders.shipments set
        status = coalesce(${change.status ?? null}, status),
        delivered_at = case when status <> 'delivered' and ${change.status ?? null} = 'delivered' then now()
          else delivered_at end,
        carrier = coalesce(${change.carrier ?? null}, carrier),
        tracking_number = coalesce(${change.trackingNumber ?? null}, tracking_number),
        updated_at = now()
      where id = ${id} and status = any(${[...from]}::text[])
      returning *`.execute(tx);
    const row = r.rows[0];
    return row ? { ...row, items: parse<ShipmentItem[]>(row.items) } : undefined;
  },
  /** True when the order has shipments and every one of them is delivered. */
  async allDelivered(tx: Tx, orderId: string): Promise<boolean> {
    const r = await sql<{ done: boolean | null }>`select bool_and(status = 'delivered') as done
      from orders.shipments where order_id = ${orderId}`.execute(tx);
    return r.rows[0]?.done === true;
  },
};
