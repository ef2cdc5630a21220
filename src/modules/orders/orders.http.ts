// Orders API: place an order from a cart (the checkout saga), read, list and cancel orders.
import type { FastifyRequest } from 'fastify';
import { errors } from '../../platform/errors.ts';
import { access } from '../../platform/http/auth.ts';
import { idCursor } from '../../platform/http/cursor.ts';
import { problemResponse } from '../../platform/http/problem.ts';
import type { App } from '../../platform/http/server.ts';
import type { CheckoutService } from './checkout/checkout.service.ts';
import { ORDER_ERRORS } from './contract.ts';
import type { OrdersService } from './lifecycle/orders.service.ts';
import {
  ActionRequiredSchema,
  CancelBody,
  OrderEventPageSchema,
  OrderEventQuery,
  OrderListSchema,
  OrderParams,
  OrderQuery,
  OrderSchema,
  OrderTokenHeaders,
  PlaceOrderBody,
  PlaceOrderHeaders,
} from './orders.schemas.ts';

const tags = ['orders'];
const header = (req: FastifyRequest, name: string) => {
  const v = req.headers[name];
  return typeof v === 'string' && v ? v : undefined;
};

export function registerOrdersRoutes(http: App, s: { checkout: CheckoutService; orders: OrdersService }): void {
  http.post(
    '/v1/orders',
    {
      // The Idempotency-Key is required and maps to the checkout attempt (not to the generic stored-response
      // middleware): a replay follows the attempt, so a 202 later becomes the 201 of the order it placed.
      config: { access: access.optionalCustomer },
      schema: {
        tags,
        summary: 'Place an order from a cart (Idempotency-Key required; guests send X-Cart-Token)',
        description:
          'The Idempotency-Key is scoped to the cart. The same key for the same cart with the same request (cartId, ' +
          'payment provider and token) follows the first checkout: it answers the order as it is now, the 202 while ' +
          'the payment waits for the customer, or the same problem. The same key for the same cart with another ' +
          'request → 422 idempotency.key_reused, nothing written (the cart stays as it was, free for a checkout with ' +
          "a new key). The same key for another cart is not a reuse: it is that cart's own checkout. A key that is " +
          'not 1 to 255 printable ASCII characters without spaces → 400 request.validation_failed.',
        headers: PlaceOrderHeaders,
        body: PlaceOrderBody,
        response: {
          201: OrderSchema,
          202: ActionRequiredSchema,
          402: problemResponse('payments.declined: the payment was declined; stock and coupons were released'),
          400: problemResponse(
            'idempotency.key_required: no Idempotency-Key; request.validation_failed: a malformed key or body',
          ),
          404: problemResponse('cart.not_found'),
          409: problemResponse(
            'inventory.insufficient_stock, promotions.limit_reached or promotions.not_active (nothing charged), a checkout in progress (Retry-After), ' +
              'or orders.cart_changed: the payment settled past the deadline after the cart changed (voided, nothing charged)',
          ),
          422: problemResponse(
            'idempotency.key_reused: this key was used for this cart with another request (nothing written); ' +
              'orders.cart_incomplete: empty cart, missing email, address or shipping method; payments.unknown_provider: ' +
              'a provider this server is not configured with (nothing written); payments.invalid_token: the provider ' +
              'does not know the token (stock released, nothing charged)',
          ),
          503: problemResponse('payments.unavailable: safe to retry with the same Idempotency-Key'),
        },
      },
    },
    async (req, reply) => {
      const ctx = { ...req.ctx, idempotencyKey: header(req, 'idempotency-key') };
      const r = await s.checkout.checkout(ctx, {
        cartId: req.body.cartId,
        cartToken: header(req, 'x-cart-token'),
        payment: req.body.payment,
      });
      // The answer holds the customer's data: any stored copy of it is sealed under the order's subject.
      if (r.subject) req.privacySubject = r.subject;
      if (r.kind === 'placed') {
        reply.header('location', `/v1/orders/${r.order.id}`);
        return reply.code(201).send(r.order);
      }
      return reply.code(202).send({ id: r.attemptId, status: 'requires_action' as const, nextAction: r.nextAction });
    },
  );

  http.get(
    '/v1/orders/:id',
    {
      config: { access: access.optionalCustomerOr('orders:read') },
      schema: {
        tags,
        summary: 'An order (its owner, a guest with X-Order-Token, or staff with orders:read)',
        params: OrderParams,
        headers: OrderTokenHeaders,
        response: { 200: OrderSchema, 404: problemResponse('orders.not_found') },
      },
    },
    async (req) => s.orders.get(req.ctx, req.params.id, header(req, 'x-order-token')),
  );

  http.get(
    '/v1/orders',
    {
      config: { access: access.authenticated },
      schema: {
        tags,
        summary: 'List orders (customers: their own; staff with orders:read: any, filtered)',
        description:
          'Newest first. placedFrom (inclusive) and placedBefore (exclusive) filter by the time the order was ' +
          'placed; placedFrom not before placedBefore is a 400 orders.invalid_range.',
        querystring: OrderQuery,
        response: {
          200: OrderListSchema,
          400: problemResponse('orders.invalid_range, orders.invalid_cursor or request.validation_failed'),
          401: problemResponse('Not authenticated'),
          403: problemResponse('Not a customer or staff'),
        },
      },
    },
    async (req) =>
      s.orders.list(req.ctx, { ...req.query, cursor: idCursor(req.query.cursor, 'ord', ORDER_ERRORS.invalidCursor) }),
  );

  http.get(
    '/v1/admin/orders/:id/events',
    {
      config: { access: access.permission('orders:read') },
      schema: {
        tags,
        summary: "An order's event log (every status change, who made it and why), oldest first",
        params: OrderParams,
        querystring: OrderEventQuery,
        response: {
          200: OrderEventPageSchema,
          400: problemResponse('request.validation_failed'),
          401: problemResponse('Not authenticated'),
          403: problemResponse('Missing permission'),
          404: problemResponse('orders.not_found'),
        },
      },
    },
    async (req) => {
      const { id } = req.params;
      if (!(await s.orders.row(id))) throw errors.notFound(ORDER_ERRORS.notFound, `No order ${id}.`);
      const limit = req.query.limit ?? 100;
      const rows = await s.orders.events(id, { after: req.query.cursor ?? null, limit: limit + 1 });
      const items = rows.slice(0, limit).map((e) => ({
        seq: String(e.seq),
        type: e.type,
        fromStatus: e.from_status,
        toStatus: e.to_status,
        actor: e.actor,
        reason: e.reason,
        createdAt: new Date(e.created_at).toISOString(),
      }));
      return { items, nextCursor: rows.length > limit ? (items.at(-1)?.seq ?? null) : null };
    },
  );

  http.post(
    '/v1/orders/:id/cancel',
    {
      config: { access: access.optionalCustomerOr('orders:manage') },
      schema: {
        tags,
        summary: 'Cancel an order (customer before shipment; staff with orders:manage any time)',
        description:
          'The buyer (the customer signed in, or a guest with X-Order-Token) may cancel a pending or paid order; staff ' +
          'or an API key holding orders:manage any order the state machine lets go to cancelled. A caller who may ' +
          'only read the order (orders:read) gets 403 auth.forbidden and nothing changes. The refund (or void) of the ' +
          'payment follows the answer: the 200 shows the payment as it was, a later read `refunded` or `voided`.',
        params: OrderParams,
        headers: OrderTokenHeaders,
        body: CancelBody,
        response: {
          200: OrderSchema,
          403: problemResponse('auth.forbidden: staff or an API key without orders:manage'),
          404: problemResponse('orders.not_found'),
          409: problemResponse('orders.invalid_transition'),
        },
      },
    },
    async (req) =>
      s.orders.cancel(req.ctx, req.params.id, header(req, 'x-order-token'), req.body?.reason ?? 'requested'),
  );
}
