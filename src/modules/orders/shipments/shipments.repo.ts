// SQL for an order's shipments: the units shipped per line (guarded so they never pass the line's quantity) and the
// shipment records. Called under the order's row lock (ordersRepo.lockStatus).
import { sql } from 'kysely';
import type { Db, Tx } from '../../../platform/db/db.ts';
import type { ShipmentStatus } from '../contract.ts';
import { parse } from '../lifecycle/orders.repo.ts';

type Q = Db['k'] | Tx;

export interface ShipmentItem {
  variantId: string;
  quantity: number;
}

export interface ShipmentRow {
  id: string;
  order_id: string;
  items: ShipmentItem[];
  carrier: string | null;
  tracking_number: string | null;
  status: ShipmentStatus;
  delivered_at: Date | string | null;
  created_at: Date | string;
  updated_at: Date | string;
}

export const shipmentsRepo = {
  /** Adds shipped units to the order's line of a variant, never beyond its quantity; false when that would. */
  async addShipped(tx: Tx, orderId: string, variantId: string, quantity: number): Promise<boolean> {
    const r = await sql`update orders.order_lines set shipped_quantity = shipped_quantity + ${quantity}
      where order_id = ${orderId} and variant_id = ${variantId} and shipped_quantity + ${quantity} <= quantity`.execute(
      tx,
    );
    return Number(r.numAffectedRows ?? 0) > 0;
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
    const r = await sql<{ created_at: Date }>`insert into orders.shipments
        (id, order_id, items, carrier, tracking_number, created_by)
      values (${s.id}, ${s.orderId}, ${JSON.stringify(s.items)}, ${s.carrier}, ${s.tracking}, ${s.by})
      returning created_at`.execute(tx);
    return new Date((r.rows[0] as { created_at: Date }).created_at);
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
