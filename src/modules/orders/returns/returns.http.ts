// Returns API: customers (or guests with the order token) ask to return shipped units; staff receive (refund, restock)
// or reject them.
import type { FastifyRequest } from 'fastify';
import { access } from '../../../platform/http/auth.ts';
import { idCursor } from '../../../platform/http/cursor.ts';
import { problemResponse } from '../../../platform/http/problem.ts';
import type { App } from '../../../platform/http/server.ts';
import { ORDER_ERRORS } from '../contract.ts';
import {
  OrderParams,
  OrderTokenHeaders,
  ReceiveBody,
  RejectBody,
  ReturnBody,
  ReturnListSchema,
  ReturnPageSchema,
  ReturnParams,
  ReturnQuery,
  ReturnRequestHeaders,
  ReturnSchema,
} from '../orders.schemas.ts';
import type { ReturnsService, SubjectOut } from './returns.service.ts';

const tags = ['orders'];
const orderToken = (req: FastifyRequest) => {
  const v = req.headers['x-order-token'];
  return typeof v === 'string' && v ? v : undefined;
};

export function registerReturnRoutes(http: App, returns: ReturnsService): void {
  http.post(
    '/v1/orders/:id/returns',
    {
      config: { access: access.optionalCustomerOr('orders:manage'), idempotency: true },
      schema: {
        tags,
        summary:
          'Ask to return shipped units (the order owner, a guest with X-Order-Token, or staff with orders:manage)',
        description:
          'Claims the units for this return (never more than shipped and not already being returned). The refund is ' +
          'what was paid for the units (line total − discount + tax, shared exactly over the units; shipping is not ' +
          'refunded) and is made when staff receive them. Send an Idempotency-Key to make a retry safe. A caller who ' +
          'may only read the order (orders:read) gets 403 auth.forbidden and nothing changes.',
        params: OrderParams,
        headers: ReturnRequestHeaders,
        body: ReturnBody,
        response: {
          201: ReturnSchema,
          403: problemResponse('auth.forbidden: staff or an API key without orders:manage'),
          404: problemResponse('orders.not_found'),
          409: problemResponse('orders.not_returnable (nothing shipped, cancelled …), orders.over_return'),
          422: problemResponse('orders.unknown_item: a variant not in the order'),
        },
      },
    },
    async (req, reply) => {
      // The stored answer of an Idempotency-Key is sealed under the order's subject (it holds the reason).
      const out: SubjectOut = {};
      const view = await returns.request(req.ctx, req.params.id, orderToken(req), req.body, out);
      if (out.subject) req.privacySubject = out.subject;
      return reply.code(201).send(view);
    },
  );

  http.get(
    '/v1/orders/:id/returns',
    {
      config: { access: access.optionalCustomerOr('orders:read') },
      schema: {
        tags,
        summary: "An order's returns, oldest first (the order owner, a guest with X-Order-Token, or staff)",
        params: OrderParams,
        headers: OrderTokenHeaders,
        response: { 200: ReturnListSchema, 404: problemResponse('orders.not_found') },
      },
    },
    async (req) => ({ items: await returns.list(req.ctx, req.params.id, orderToken(req)) }),
  );

  http.get(
    '/v1/admin/returns',
    {
      config: { access: access.permission('orders:read') },
      schema: {
        tags,
        summary: 'Returns across orders, newest first (filter by status, e.g. requested: the ones to process)',
        querystring: ReturnQuery,
        response: { 200: ReturnPageSchema, 400: problemResponse('orders.invalid_cursor or request.validation_failed') },
      },
    },
    async (req) =>
      returns.listAll({ ...req.query, cursor: idCursor(req.query.cursor, 'ret', ORDER_ERRORS.invalidCursor) }),
  );

  http.post(
    '/v1/admin/returns/:id/receive',
    {
      config: { access: access.permission('orders:manage'), idempotency: true },
      schema: {
        tags,
        summary: 'Receive a return: refund it and (by default) restock its units',
        description:
          'Fixes the refund, marks the return received and, when every unit of the order has come back, the order ' +
          'returned. The refund and the restock follow at once, retried until done (orders.settle_return).',
        params: ReturnParams,
        body: ReceiveBody,
        response: {
          200: ReturnSchema,
          404: problemResponse('orders.return_not_found'),
          409: problemResponse('orders.return_decided: received or rejected already'),
        },
      },
    },
    async (req) => {
      const out: SubjectOut = {};
      const view = await returns.receive(req.ctx, req.params.id, req.body ?? {}, out);
      if (out.subject) req.privacySubject = out.subject;
      return view;
    },
  );

  http.post(
    '/v1/admin/returns/:id/reject',
    {
      config: { access: access.permission('orders:manage'), idempotency: true },
      schema: {
        tags,
        summary: 'Reject a return: nothing is refunded and its units may be returned again',
        params: ReturnParams,
        body: RejectBody,
        response: {
          200: ReturnSchema,
          404: problemResponse('orders.return_not_found'),
          409: problemResponse('orders.return_decided: received or rejected already'),
        },
      },
    },
    async (req) => {
      const out: SubjectOut = {};
      const view = await returns.reject(req.ctx, req.params.id, req.body ?? {}, out);
      if (out.subject) req.privacySubject = out.subject;
      return view;
    },
  );
}
