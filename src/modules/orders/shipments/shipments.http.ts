// Staff API: record shipments against an order (capturing an open authorization first), list them, and update their
// tracking (staff or carrier integrations).
import { access } from '../../../platform/http/auth.ts';
import { problemResponse } from '../../../platform/http/problem.ts';
import type { App } from '../../../platform/http/server.ts';
import {
  OrderParams,
  ShipmentBody,
  ShipmentListSchema,
  ShipmentParams,
  ShipmentPatchBody,
  ShipmentSchema,
} from '../orders.schemas.ts';
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

  http.patch(
    '/v1/admin/shipments/:id',
    {
      config: { access: access.permission('orders:manage') },
      schema: {
        tags,
        summary: 'Update a shipment: tracking status (in_transit, delivered), carrier, tracking number',
        description:
          'For staff and carrier integrations (an API key with orders:manage). The status only moves forward; the ' +
          'current status again changes nothing, so repeated carrier updates are safe. When every shipment of a ' +
          'shipped order is delivered, the order becomes delivered (orders.order.delivered).',
        params: ShipmentParams,
        body: ShipmentPatchBody,
        response: {
          200: ShipmentSchema,
          404: problemResponse('orders.shipment_not_found'),
          409: problemResponse('orders.shipment_status_backwards: e.g. in_transit after delivered'),
        },
      },
    },
    async (req) => shipments.update(req.ctx, req.params.id, req.body),
  );
}
