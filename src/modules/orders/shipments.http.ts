// Staff API: record shipments against an order (capturing an open authorization first) and list them.
import { access } from '../../platform/http/auth.ts';
import { problemResponse } from '../../platform/http/problem.ts';
import type { App } from '../../platform/http/server.ts';
import { OrderParams, ShipmentBody, ShipmentListSchema, ShipmentSchema } from './orders.schemas.ts';
import type { ShipmentsService } from './shipments.service.ts';

const tags = ['orders'];

export function registerShipmentRoutes(http: App, shipments: ShipmentsService): void {
  http.post(
    '/v1/admin/orders/:id/shipments',
    {
      config: { access: access.permission('orders:manage'), idempotency: true },
      schema: {
        tags,
        summary: 'Record a shipment (captures the payment first when PAYMENT_CAPTURE=shipment)',
        description:
          'Ships the listed units, or every unit not shipped yet. The order becomes partially_shipped or shipped. ' +
          'Send an Idempotency-Key to make a retry safe.',
        params: OrderParams,
        body: ShipmentBody,
        response: {
          201: ShipmentSchema,
          404: problemResponse('orders.not_found'),
          409: problemResponse(
            'orders.invalid_transition (cancelled, refunded …), orders.over_shipment, orders.nothing_to_ship, orders.not_paid',
          ),
          422: problemResponse('orders.unknown_item: a variant not in the order'),
          503: problemResponse('payments.unavailable: the capture did not go through; nothing shipped'),
        },
      },
    },
    async (req, reply) => reply.code(201).send(await shipments.ship(req.ctx, req.params.id, req.body ?? {})),
  );

  http.get(
    '/v1/admin/orders/:id/shipments',
    {
      config: { access: access.permission('orders:read') },
      schema: {
        tags,
        summary: "An order's shipments, oldest first",
        params: OrderParams,
        response: { 200: ShipmentListSchema, 404: problemResponse('orders.not_found') },
      },
    },
    async (req) => ({ items: await shipments.list(req.params.id) }),
  );
}
