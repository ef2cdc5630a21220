// Cart API (docs/requirements/cart.md). Guests and customers alike (the merge: customers only): a guest proves access
// with X-Cart-Token, a customer with their Bearer token (optional, but an invalid one → 401); anyone else gets 404
// cart.not_found.

import type { Db } from '../../platform/db/db.ts';
import { access } from '../../platform/http/auth.ts';
import { problemResponse } from '../../platform/http/problem.ts';
import type { App } from '../../platform/http/server.ts';
import { mergeGuestCart } from './cart.merge.ts';
import {
  AddItemBody,
  CartParams,
  CartSchema,
  CartTokenHeaders,
  CreateCartBody,
  ItemParams,
  PatchCartBody,
  QuantityBody,
  ShippingOptionsSchema,
} from './cart.schemas.ts';
import type { CartService } from './cart.service.ts';

const tags = ['cart'];
const pub = { access: access.optionalCustomer };
const p404 = { 404: problemResponse('No such cart, or not yours (cart.not_found)') };
const p409 = {
  409: problemResponse(
    'Cart completed (cart.completed), being checked out (cart.checkout_in_progress) or not enough stock (cart.insufficient_stock)',
  ),
};
const p4xx = {
  400: problemResponse('Invalid request'),
  ...p404,
  ...p409,
  422: problemResponse('Unavailable variant, limits'),
};

// POST /v1/carts's answers: the cart either way, with the headers each comes with (declared in OpenAPI).
const CART_TOKEN_HEADER = {
  'X-Cart-Token': { type: 'string', maxLength: 200, description: "The cart's guest credential (its `token`)" },
};
const createdCart = {
  ...CartSchema,
  description: 'A new cart',
  headers: {
    Location: { type: 'string', maxLength: 200, description: 'The new cart: /v1/carts/{id}' },
    ...CART_TOKEN_HEADER,
  },
};
const existingCart = {
  ...CartSchema,
  description: "The signed-in customer's active cart, with the currency and country sent applied",
  headers: CART_TOKEN_HEADER,
};

export function registerCartRoutes(http: App, carts: CartService, db: Db): void {
  http.post(
    '/v1/carts',
    {
      config: { ...pub, idempotency: true },
      schema: {
        tags,
        summary:
          "Create a cart (201), or get the signed-in customer's active cart with the currency and country sent (200)",
        description:
          'A guest always gets a new cart (201, Location and X-Cart-Token). A signed-in customer has one active cart: ' +
          'the first create makes it (201); later ones answer it with its lines (200), applying what the body sends ' +
          "(an omitted field leaves the cart's as it is). A new country is applied to any active cart (it is the tax " +
          'and shipping region until a shipping address is set); a new currency only to a cart without lines. A new ' +
          "currency on a cart with lines is refused with 409 cart.currency_mismatch (the problem names the cart's " +
          '`cartId` and `currency`: check it out, empty it or change it first), and any change while a checkout holds ' +
          "the cart with 409 cart.checkout_in_progress; a refusal writes nothing. A change bumps the cart's version.",
        body: CreateCartBody,
        response: {
          201: createdCart,
          200: existingCart,
          400: problemResponse('Invalid request'),
          409: problemResponse(
            'cart.currency_mismatch: the active cart holds lines in another currency; cart.checkout_in_progress: a checkout holds it (nothing written)',
          ),
        },
      },
    },
    async (req, reply) => {
      const { view: cart, created } = await carts.create(req.ctx, req.body ?? {});
      reply.header('x-cart-token', cart.token);
      if (!created) return reply.code(200).send(cart);
      return reply.code(201).header('location', `/v1/carts/${cart.id}`).send(cart);
    },
  );
  http.get(
    '/v1/carts/:cartId',
    {
      config: pub,
      schema: {
        tags,
        summary: 'Read a cart with current totals',
        params: CartParams,
        headers: CartTokenHeaders,
        response: { 200: CartSchema, ...p404 },
      },
    },
    async (req) => carts.get(req.ctx, req.params.cartId, req.headers['x-cart-token']),
  );
  http.post(
    '/v1/carts/:cartId/items',
    {
      config: { ...pub, idempotency: true },
      schema: {
        tags,
        summary: 'Add a variant (quantities of the same variant add up)',
        params: CartParams,
        headers: CartTokenHeaders,
        body: AddItemBody,
        response: { 200: CartSchema, ...p4xx },
      },
    },
    async (req) => carts.addItem(req.ctx, req.params.cartId, req.headers['x-cart-token'], req.body),
  );
  http.patch(
    '/v1/carts/:cartId/items/:itemId',
    {
      config: pub,
      schema: {
        tags,
        summary: 'Set the quantity of a line',
        params: ItemParams,
        headers: CartTokenHeaders,
        body: QuantityBody,
        response: { 200: CartSchema, ...p4xx },
      },
    },
    async (req) =>
      carts.setQuantity(req.ctx, req.params.cartId, req.headers['x-cart-token'], req.params.itemId, req.body.quantity),
  );
  http.delete(
    '/v1/carts/:cartId/items/:itemId',
    {
      config: pub,
      schema: {
        tags,
        summary: 'Remove a line',
        params: ItemParams,
        headers: CartTokenHeaders,
        response: { 200: CartSchema, ...p404, ...p409 },
      },
    },
    async (req) => carts.removeItem(req.ctx, req.params.cartId, req.headers['x-cart-token'], req.params.itemId),
  );
  http.patch(
    '/v1/carts/:cartId',
    {
      config: pub,
      schema: {
        tags,
        summary: 'Set email, addresses, shipping method or add a coupon (tax and shipping recomputed)',
        params: CartParams,
        headers: CartTokenHeaders,
        body: PatchCartBody,
        response: { 200: CartSchema, ...p4xx },
      },
    },
    async (req) => carts.update(req.ctx, req.params.cartId, req.headers['x-cart-token'], req.body),
  );
  http.get(
    '/v1/carts/:cartId/shipping-options',
    {
      config: pub,
      schema: {
        tags,
        summary: "Shipping methods the cart's address qualifies for",
        params: CartParams,
        headers: CartTokenHeaders,
        response: { 200: ShippingOptionsSchema, ...p404 },
      },
    },
    async (req) => ({ items: await carts.shippingOptions(req.ctx, req.params.cartId, req.headers['x-cart-token']) }),
  );
  http.post(
    '/v1/carts/:cartId/merge',
    {
      config: { access: access.customer },
      schema: {
        tags,
        summary: "Merge a guest cart (its X-Cart-Token) into the signed-in customer's active cart; idempotent",
        params: CartParams,
        headers: CartTokenHeaders,
        response: { 200: CartSchema, 401: problemResponse('Not signed in'), ...p404, ...p409 },
      },
    },
    async (req) => {
      const id = await mergeGuestCart(db, carts.pii, req.ctx, req.params.cartId, req.headers['x-cart-token']);
      return carts.get(req.ctx, id, undefined);
    },
  );
}
