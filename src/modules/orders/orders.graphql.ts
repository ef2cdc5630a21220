// The orders' part of the GraphQL schema, over the same services as /v1/orders and with the same access rules:
// an order is seen by its customer, by a guest with its order token (X-Order-Token header or `orderToken`
// argument) or by staff with orders:read; anyone else gets orders.not_found and no data. cancelOrder and
// requestReturn are the buyer's, or staff's with orders:manage: one who may only read the order gets auth.forbidden.
// Customers ask for returns here too (requestReturn, returns); staff decide them over REST.
//
// placeOrder is the checkout of POST /v1/orders. Its key (the `idempotencyKey` argument, or the Idempotency-Key
// header) maps to the checkout attempt, as on REST: a retry with the same key follows the attempt, so an answer
// that asked for customer action later becomes the placed order. The header's generic stored-answer replay is
// therefore released when placeOrder is the only field of its mutation. A document that also changes something
// else keeps the stored answer (a retry must not run that change again): its replay is the first answer, and
// placeOrder alone with the same key then follows the attempt.
import { type Static, Type } from 'typebox';
import { errors } from '../../platform/errors.ts';
import { checkArgs, dropNulls, type GraphqlContext, type GraphqlPiece } from '../../platform/graphql/piece.ts';
import { idempotencyKeySchema } from '../../platform/http/idempotency-key.ts';
import type { CheckoutService } from './checkout/checkout.service.ts';
import type { OrderView } from './contract.ts';
import type { OrdersService } from './lifecycle/orders.service.ts';
import { CancelBody, OrderQuery, PlaceOrderBody, ReturnBody } from './orders.schemas.ts';
import type { ReturnsService } from './returns/returns.service.ts';

export const ORDERS_SDL = `
type OrderItem {
  variantId: ID!
  productId: ID!
  sku: String!
  name: String!
  quantity: Int!
  "Units recorded in shipments so far."
  shippedQuantity: Int!
  "Units claimed by open and received returns."
  returnedQuantity: Int!
  unitPrice: Money!
  lineTotal: Money!
  discount: Money!
  tax: Money!
}
type OrderTotals { subtotal: Money! discount: Money! shipping: Money! tax: Money! total: Money! }
type OrderPayment { status: String! }
type Order {
  id: ID!
  "Sequential and human-readable, e.g. 1000."
  number: String!
  "pending, paid, partially_shipped, shipped, delivered, cancelled, partially_refunded, refunded, returned"
  status: String!
  email: String
  userId: ID
  items: [OrderItem!]!
  totals: OrderTotals!
  "Null once the customer was erased (customerErased)."
  shippingAddress: Address
  "The customer's personal data was erased (on request or at the end of its retention); the financial record stays."
  customerErased: Boolean!
  payment: OrderPayment!
  createdAt: String!
  "Guests only, returned once by placeOrder: read the order later with it (X-Order-Token header or argument)."
  orderToken: String
}
type OrderPage { items: [Order!]! nextCursor: String }
type NextAction { "redirect or wait" type: String! url: String }
"""
What placeOrder did: status placed (order set; REST 201), or requires_action (the payment needs the customer:
follow nextAction, then call placeOrder again with the same key to get the order; REST 202).
"""
type PlaceOrderResult {
  status: String!
  order: Order
  "The checkout attempt (it becomes the order's id)."
  attemptId: ID!
  nextAction: NextAction
}
"provider: sandbox or stripe, the one this server is configured with (another: payments.unknown_provider); token: the provider's payment token (sandbox: tok_visa, tok_threeDSecureRequired, …)."
input PaymentInput { provider: String! token: String! }

type ReturnItem { variantId: ID! quantity: Int! refund: Money! }
type Return {
  id: ID!
  orderId: ID!
  "requested, received or rejected"
  status: String!
  items: [ReturnItem!]!
  "Received: what was refunded. Requested: the estimate (what was paid for the units; shipping excluded)."
  refund: Money!
  reason: String
  restock: Boolean
  note: String
  createdAt: String!
  decidedAt: String
}
input ReturnItemInput { variantId: ID! quantity: Int! }

extend type Query {
  "An order you may see; otherwise null with orders.not_found."
  order(id: ID!, orderToken: String): Order
  "The returns of an order you may see, oldest first (GET /v1/orders/{id}/returns)."
  returns(orderId: ID!, orderToken: String): [Return!]
  "Your orders, newest first (customers: their own; staff with orders:read: any, filtered by userId and status)."
  orders(userId: ID, status: String, cursor: String, limit: Int): OrderPage
}

extend type Mutation {
  """
  Places an order from a cart (POST /v1/orders). The key is required (idempotencyKey argument or Idempotency-Key
  header; 1 to 255 printable ASCII characters without spaces) and scoped to the cart: the same key with the same
  cart and payment returns the same order and never charges twice; after requires_action, the same call with the
  same key returns the order once the customer has acted. The same key for the same cart with another payment →
  idempotency.key_reused (422), nothing written; for another cart it is that cart's own checkout.
  Errors (extensions.code): orders.cart_incomplete, inventory.insufficient_stock, promotions.limit_reached,
  payments.declined, payments.unavailable (retry with the same key), orders.checkout_in_progress,
  idempotency.key_reused, request.validation_failed (a malformed key).
  """
  placeOrder(cartId: ID!, payment: PaymentInput!, idempotencyKey: String): PlaceOrderResult
  "Cancels an order (customer before shipment; staff with orders:manage any time, refunding what was captured)."
  cancelOrder(id: ID!, orderToken: String, reason: String): Order
  "Asks to return shipped units (POST /v1/orders/{id}/returns); staff receive or reject it over REST."
  requestReturn(orderId: ID!, items: [ReturnItemInput!]!, reason: String, orderToken: String): Return
}
`;

const KeyArg = idempotencyKeySchema('The checkout key');
const IdArg = Type.String({ minLength: 1, maxLength: 100 });
const TokenArg = Type.String({ maxLength: 200 });

interface PlaceOrderArgs {
  cartId: string;
  payment: { provider: string; token: string };
  idempotencyKey?: string | null;
}

export function createOrdersGraphql(s: {
  checkout: Pick<CheckoutService, 'checkout'>;
  orders: Pick<OrdersService, 'get' | 'list' | 'cancel'>;
  returns: Pick<ReturnsService, 'request' | 'list'>;
}): GraphqlPiece {
  const orderToken = (arg: string | null | undefined, c: GraphqlContext) =>
    arg == null ? c.orderToken : checkArgs<string>(TokenArg, arg, 'args/orderToken');

  return {
    typeDefs: ORDERS_SDL,
    resolvers: {
      Query: {
        order: (_p, args: { id: string; orderToken?: string | null }, c: GraphqlContext) =>
          s.orders.get(c.ctx, checkArgs<string>(IdArg, args.id, 'args/id'), orderToken(args.orderToken, c)),
        returns: (_p, args: { orderId: string; orderToken?: string | null }, c: GraphqlContext) =>
          s.returns.list(c.ctx, checkArgs<string>(IdArg, args.orderId, 'args/orderId'), orderToken(args.orderToken, c)),
        orders: (_p, args: Record<string, unknown>, c: GraphqlContext) => {
          if (c.ctx.actor.kind === 'anonymous') throw errors.unauthorized();
          return s.orders.list(c.ctx, checkArgs(OrderQuery, dropNulls(args)));
        },
      },
      Mutation: {
        placeOrder: async (_p, args: PlaceOrderArgs, c: GraphqlContext, info) => {
          if (info.operation.selectionSet.selections.length === 1) c.releaseIdempotencyKey();
          const key = args.idempotencyKey ?? c.idempotencyKey;
          if (key === undefined) {
            throw errors.badRequest(
              'idempotency.key_required',
              'placeOrder requires a key: the idempotencyKey argument or the Idempotency-Key header (e.g. a UUID).',
            );
          }
          checkArgs(KeyArg, key, 'args/idempotencyKey');
          const body = checkArgs<typeof args>(PlaceOrderBody, { cartId: args.cartId, payment: args.payment });
          const r = await s.checkout.checkout(
            { ...c.ctx, idempotencyKey: key },
            { cartId: body.cartId, cartToken: c.cartToken, payment: body.payment },
          );
          if (r.subject) c.setPrivacySubject(r.subject);
          if (r.kind === 'placed') return { status: 'placed', order: r.order, attemptId: r.order.id, nextAction: null };
          return { status: 'requires_action', order: null, attemptId: r.attemptId, nextAction: r.nextAction };
        },
        requestReturn: async (
          _p,
          args: { orderId: string; items: unknown; reason?: string | null; orderToken?: string | null },
          c: GraphqlContext,
        ) => {
          const out: { subject?: string } = {};
          const view = await s.returns.request(
            c.ctx,
            checkArgs<string>(IdArg, args.orderId, 'args/orderId'),
            orderToken(args.orderToken, c),
            checkArgs<Static<typeof ReturnBody>>(ReturnBody, dropNulls({ items: args.items, reason: args.reason })),
            out,
          );
          if (out.subject) c.setPrivacySubject(out.subject);
          return view;
        },
        cancelOrder: (
          _p,
          args: { id: string; orderToken?: string | null; reason?: string | null },
          c: GraphqlContext,
        ) => {
          const { reason } = checkArgs<{ reason?: string }>(CancelBody, dropNulls({ reason: args.reason }));
          return s.orders.cancel(
            c.ctx,
            checkArgs<string>(IdArg, args.id, 'args/id'),
            orderToken(args.orderToken, c),
            reason ?? 'requested',
          );
        },
      },
      Order: {
        orderToken: (o: OrderView) => o.orderToken ?? null,
      },
    },
  };
}
