// SQL for an order's returns: the units returned per line (guarded so they never pass what shipped) and the return
// records. Called under the order's row lock (ordersRepo.lockStatus).
import { sql } from 'kysely';
import type { Tx } from '../../../platform/db/db.ts';
import type { Row } from '../../../platform/db/typed.ts';
import type { ReturnStatus } from '../contract.ts';
import type { OrdersReturns } from '../db.generated.ts';
import { ordersTables, parse, type Q } from '../lifecycle/orders.repo.ts';
import type { ShipmentItem } from '../shipments/shipments.repo.ts';

export type ReturnRow = Row<
  OrdersReturns,
  {
    status: ReturnStatus;
    /** `refund` (minor units) is set per item when the return is decided. */
    items: (ShipmentItem & { refund?: number })[];
  }
>;

const returnRow = (row: ReturnRow): ReturnRow => ({ ...row, items: parse<ShipmentItem[]>(row.items) });

export const returnsRepo = {
  /** Claims shipped units of a line for a return, never beyond what shipped and is not claimed yet. */
  async claimReturned(tx: Tx, orderId: string, variantId: string, quantity: number): Promise<boolean> {
    const r = await ordersTables(tx)
      .updateTable('orders.order_lines')
      .set((eb) => ({ returned_quantity: eb('returned_quantity', '+', quantity) }))
      .where('order_id', '=', orderId)
      .where('variant_id', '=', variantId)
      .where((eb) => eb(eb('returned_quantity', '+', quantity), '<=', eb.ref('shipped_quantity')))
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  },
  /** A rejected return's units may be claimed again; received units count towards refunds (sign +1). */
  async moveReturned(
    tx: Tx,
    orderId: string,
    variantId: string,
    quantity: number,
    to: 'received' | 'released',
  ): Promise<void> {
    await ordersTables(tx)
      .updateTable('orders.order_lines')
      .set((eb) =>
        to === 'received'
          ? { return_received_quantity: eb('return_received_quantity', '+', quantity) }
          : { returned_quantity: eb('returned_quantity', '-', quantity) },
      )
      .where('order_id', '=', orderId)
      .where('variant_id', '=', variantId)
      .execute();
  },
  /** True when every unit of every line has come back in a received return. */
  async allReturned(tx: Tx, orderId: string): Promise<boolean> {
    const r = await sql<{ done: boolean | null }>`select bool_and(return_received_quantity = quantity) as done
      from orders.order_lines where order_id = ${orderId}`.execute(tx);
    return r.rows[0]?.done === true;
  },
  async insertReturn(
    tx: Tx,
    r: { id: string; orderId: string; items: ShipmentItem[]; reason: string | null; by: string },
  ): Promise<ReturnRow> {
    const res = await sql<ReturnRow>`insert into orders.returns (id, order_id, status, items, reason, requested_by)
      values (${r.id}, ${r.orderId}, 'requested', ${JSON.stringify(r.items)}, ${r.reason}, ${r.by})
      returning *`.execute(tx);
    return returnRow(res.rows[0] as ReturnRow);
  },
  async returnById(q: Q, id: string): Promise<ReturnRow | undefined> {
    const r = await sql<ReturnRow>`select * from orders.returns where id = ${id}`.execute(q);
    return r.rows[0] ? returnRow(r.rows[0]) : undefined;
  },
  async returnsOf(q: Q, orderId: string): Promise<ReturnRow[]> {
    const r = await sql<ReturnRow>`select * from orders.returns where order_id = ${orderId}
      order by created_at, id`.execute(q);
    return r.rows.map(returnRow);
  },
  async listReturns(q: Q, f: { status?: string | undefined; cursor?: string | undefined; limit: number }) {
    const r = await sql<ReturnRow>`select * from orders.returns
      where (${f.status ?? null}::text is null or status = ${f.status ?? null})
        and (${f.cursor ?? null}::text is null or id < ${f.cursor ?? null})
      order by id desc limit ${f.limit}`.execute(q);
    return r.rows.map(returnRow);
  },
  /** Decides an open return (guarded: only a requested one); undefined when it was decided already. */
  async decideReturn(
    tx: Tx,
    id: string,
    d: {
      status: 'received' | 'rejected';
      items: ReturnRow['items'];
      refundAmount: number;
      restock: boolean;
      note: string | null;
      by: string;
    },
  ): Promise<ReturnRow | undefined> {
    const r = await sql<ReturnRow>`update orders.returns set status = ${d.status}, refund_amount = ${d.refundAmount},
        items = ${JSON.stringify(d.items)},
        restock = ${d.restock}, note = ${d.note}, decided_by = ${d.by}, decided_at = now()
      where id = ${id} and status = 'requested' returning *`.execute(tx);
    return r.rows[0] ? returnRow(r.rows[0]) : undefined;
  },
};
