// The orders' part of a person's export and erasure (the privacy registry, platform/privacy). A person's orders are
// their account's and the guest orders placed with their email (its blind index). Erasure keeps the orders — they
// are financial records, kept for the legal retention — but removes their personal fields (email, addresses, the free
// text of returns and of the log), deletes finished checkout attempts and empties live ones; the orchestrator then
// destroys the person's data keys, so any copy left elsewhere (a stored answer, a backup) no longer opens.
import { type Static, Type } from 'typebox';
import type { Ctx } from '../../../platform/context.ts';
import type { Db } from '../../../platform/db/db.ts';
import { CurrencyCode, DateTime, Id, Integer, List, Text } from '../../../platform/http/schema-helpers.ts';
import type { DataSubject, PersonalDataContributor } from '../../../platform/privacy/privacy.ts';
import { toView } from '../lifecycle/orders.repo.ts';
import { FIELDS, type OrdersPrivacy, openOrderPersonal, openText, sealedOf } from '../personal.ts';
import { ordersRotation } from './orders.rotation.ts';
import * as repo from './privacy.repo.ts';

const Money = Type.Object({ amount: Integer({ description: 'minor units' }), currency: CurrencyCode() });
const Address = Type.Object({
  name: Text(),
  line1: Text(),
  line2: Type.Optional(Text()),
  city: Text(),
  region: Type.Optional(Text()),
  postalCode: Text(),
  country: Text(),
  phone: Type.Optional(Text()),
});
const Items = List(Type.Object({ variantId: Id(), quantity: Integer() }));

export const OrdersExportSchema = Type.Object(
  {
    orders: List(
      Type.Object({
        id: Id(),
        number: Text(),
        status: Text(),
        currency: CurrencyCode(),
        email: Type.Union([Text(320), Type.Null()]),
        shippingAddress: Type.Union([Address, Type.Null()]),
        billingAddress: Type.Union([Address, Type.Null()]),
        customerErased: Type.Boolean({ description: 'Personal fields removed (end of their retention)' }),
        lines: List(
          Type.Object({
            variantId: Id(),
            sku: Text(),
            name: Text(),
            quantity: Integer(),
            unitPrice: Money,
            lineTotal: Money,
            discount: Money,
            tax: Money,
          }),
        ),
        totals: Type.Object({ subtotal: Money, discount: Money, shipping: Money, tax: Money, total: Money }),
        shipments: List(
          Type.Object({
            id: Id(),
            carrier: Type.Union([Text(), Type.Null()]),
            trackingNumber: Type.Union([Text(), Type.Null()]),
            status: Text(),
            items: Items,
            createdAt: DateTime(),
          }),
        ),
        returns: List(
          Type.Object({
            id: Id(),
            status: Text(),
            items: Items,
            reason: Type.Union([Text(), Type.Null()]),
            note: Type.Union([Text(), Type.Null()]),
            refund: Type.Union([Money, Type.Null()], { description: 'What was refunded, once received' }),
            createdAt: DateTime(),
          }),
        ),
        createdAt: DateTime(),
      }),
      100_000,
    ),
  },
  { description: "The person's orders: their account's and the guest orders placed with their email" },
);
export type OrdersExport = Static<typeof OrdersExportSchema>;

const iso = (d: Date | string) => new Date(d).toISOString();
const json = <T>(v: unknown): T => (typeof v === 'string' ? (JSON.parse(v) as T) : (v as T));
const items = (v: unknown) =>
  json<{ variantId: string; quantity: number }[]>(v).map((i) => ({ variantId: i.variantId, quantity: i.quantity }));

export function createOrdersContributor(deps: { db: Db; privacy: OrdersPrivacy }): PersonalDataContributor & {
  orderIdsOf(ctx: Ctx, subject: DataSubject): Promise<string[]>;
} {
  const { db, privacy } = deps;
  const orderIdsOf = (_ctx: Ctx, s: DataSubject) => repo.orderIdsOf(db.k, privacy, s);

  /** Every order of the person with its lines, shipments and returns: five statements whatever their number. */
  async function exportFor(ctx: Ctx, s: DataSubject): Promise<OrdersExport> {
    const ids = await orderIdsOf(ctx, s);
    const [rows, lines, shipments, returns] = await Promise.all([
      repo.ordersByIds(db.k, ids),
      repo.linesOf(db.k, ids),
      repo.shipmentsOf(db.k, ids),
      repo.returnsOf(db.k, ids),
    ]);
    await privacy.dataKeys.preload([...sealedOf(rows), ...returns.flatMap((r) => [r.reason, r.note])]);
    const orders = await Promise.all(
      rows.map(async (o) => {
        const m = (amount: string | number) => ({ amount: Number(amount), currency: o.currency });
        const personal = await openOrderPersonal(privacy, o);
        // Lines and totals as every order view shows them (lifecycle/orders.repo.ts), in the export's shape.
        const view = toView(
          o,
          lines.filter((l) => l.order_id === o.id),
          personal,
        );
        return {
          id: o.id,
          number: String(o.number),
          status: o.status,
          currency: o.currency,
          email: personal.email,
          shippingAddress: personal.shippingAddress,
          billingAddress: personal.billingAddress,
          customerErased: personal.erased,
          lines: view.items.map(({ variantId, sku, name, quantity, unitPrice, lineTotal, discount, tax }) => ({
            variantId,
            sku,
            name,
            quantity,
            unitPrice,
            lineTotal,
            discount,
            tax,
          })),
          totals: view.totals,
          shipments: shipments
            .filter((x) => x.order_id === o.id)
            .map((x) => ({
              id: x.id,
              carrier: x.carrier,
              trackingNumber: x.tracking_number,
              status: x.status,
              items: items(x.items),
              createdAt: iso(x.created_at),
            })),
          returns: await Promise.all(
            returns
              .filter((r) => r.order_id === o.id)
              .map(async (r) => ({
                id: r.id,
                status: r.status,
                items: items(r.items),
                reason: await openText(privacy, FIELDS.returnReason, r.reason),
                note: await openText(privacy, FIELDS.returnNote, r.note),
                refund: r.refund_amount === null ? null : m(r.refund_amount),
                createdAt: iso(r.created_at),
              })),
          ),
          createdAt: iso(o.created_at),
        };
      }),
    );
    return { orders };
  }

  /** Idempotent: a second run finds the orders erased already and the attempts gone, and changes nothing. */
  async function eraseFor(ctx: Ctx, s: DataSubject): Promise<number> {
    const ids = await orderIdsOf(ctx, s);
    const orders = await repo.erasePersonalFields(db.k, ids);
    return orders + (await repo.eraseAttempts(db.k, s, ids));
  }

  return {
    name: 'orders',
    exportSchema: OrdersExportSchema,
    exportFor,
    eraseFor,
    rotation: ordersRotation(db, privacy),
    orderIdsOf,
  };
}
