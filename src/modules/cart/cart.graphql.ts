// The cart's part of the GraphQL schema, over the same CartService as /v1/carts and with the same access rules:
// a guest sends the cart's token as X-Cart-Token, a customer their Bearer token; anyone else gets cart.not_found
// and no data. Arguments are checked with the REST routes' own TypeBox schemas. An item's `product` comes from the
// catalog's public API through a per-request DataLoader (one batch for all lines).
import type { Static } from 'typebox';
import {
  checkArgs,
  dropNulls,
  type GraphqlContext,
  type GraphqlPiece,
  perRequestLoader,
} from '../../platform/graphql/piece.ts';
import type { CatalogApi, Product } from '../catalog/index.ts';
import { AddItemBody, CreateCartBody, PatchCartBody, QuantityBody } from './cart.schemas.ts';
import type { CartService } from './cart.service.ts';
import type { CartItemView, CartView } from './cart.view.ts';

export const CART_SDL = `
type Address { name: String! line1: String! line2: String city: String! region: String postalCode: String! country: String! phone: String }
"country: an assigned ISO 3166-1 alpha-2 code, upper case, e.g. DE."
input AddressInput { name: String! line1: String! line2: String city: String! region: String postalCode: String! country: String! phone: String }
type ShippingMethod { id: ID! name: String! price: Money! }
type CartItem {
  id: ID!
  variantId: ID!
  productId: ID!
  name: String!
  sku: String!
  quantity: Int!
  unitPrice: Money!
  lineTotal: Money!
  discount: Money!
  tax: Money!
  "The catalog price now, when it differs from the price kept when the line was added."
  currentUnitPrice: Money
  priceChanged: Boolean!
  "The storefront product in the cart's currency (null once unpublished); loaded for all lines in one batch."
  product: Product
}
type CartTotals { subtotal: Money! discount: Money! shipping: Money! tax: Money! total: Money! taxIncluded: Money! }
type CartPromotion { promotionId: ID! name: String! code: String amount: Money! }
type RejectedCoupon { code: String! reason: String! }
type Cart {
  id: ID!
  "The guest credential: send it as the X-Cart-Token header."
  token: String!
  status: String!
  userId: ID
  currency: String!
  country: String
  email: String
  shippingAddress: Address
  billingAddress: Address
  shippingMethod: ShippingMethod
  couponCodes: [String!]!
  items: [CartItem!]!
  totals: CartTotals!
  pricesIncludeTax: Boolean!
  promotions: [CartPromotion!]!
  rejectedCoupons: [RejectedCoupon!]!
  version: Int!
  "Shipping methods the cart's address qualifies for (GET /v1/carts/{id}/shipping-options)."
  shippingOptions: [ShippingMethod!]!
}

extend type Query {
  "A cart you may see (X-Cart-Token or your Bearer token); otherwise null with cart.not_found."
  cart(id: ID!): Cart
}

extend type Mutation {
  """
  A new guest cart; a signed-in customer gets their active cart, with the currency and country given applied as on
  POST /v1/carts: a country always, a currency only while the cart has no lines (else cart.currency_mismatch, and
  nothing is written). currency: an ISO 4217 code in current use (default DEFAULT_CURRENCY); country: an assigned
  ISO 3166-1 alpha-2 code. Others: request.validation_failed.
  """
  createCart(currency: String, country: String): Cart
  "Adds a variant; quantities of the same variant add up (1–999 per line)."
  addCartItem(cartId: ID!, variantId: ID!, quantity: Int!): Cart
  updateCartItem(cartId: ID!, itemId: ID!, quantity: Int!): Cart
  removeCartItem(cartId: ID!, itemId: ID!): Cart
  "Sets what is given: null clears email, an address or the shipping method; couponCode adds a code, null or \\"\\" removes all."
  updateCart(
    cartId: ID!
    email: String
    shippingAddress: AddressInput
    billingAddress: AddressInput
    shippingMethodId: String
    couponCode: String
  ): Cart
}
`;

type PatchArgs = { cartId: string } & Record<string, unknown>;
const address = (a: unknown) => (a && typeof a === 'object' ? dropNulls(a) : a);

export function createCartGraphql(carts: CartService, catalog: Pick<CatalogApi, 'getProducts'>): GraphqlPiece {
  const products = perRequestLoader<{ id: string; currency: string }, Product | null>(
    'cart.products',
    async (context, keys) => {
      const found = new Map<string, Product>();
      for (const currency of new Set(keys.map((k) => k.currency))) {
        const ids = [...new Set(keys.filter((k) => k.currency === currency).map((k) => k.id))];
        for (const p of await catalog.getProducts(context.ctx, ids, currency)) found.set(`${currency}:${p.id}`, p);
      }
      return keys.map((k) => found.get(`${k.currency}:${k.id}`) ?? null);
    },
    { cacheKey: (k) => `${k.currency}:${k.id}` },
  );

  return {
    typeDefs: CART_SDL,
    resolvers: {
      Query: {
        cart: (_p, args: { id: string }, c: GraphqlContext) => carts.get(c.ctx, args.id, c.cartToken),
      },
      Mutation: {
        createCart: async (_p, args: Record<string, unknown>, c: GraphqlContext) =>
          (await carts.create(c.ctx, checkArgs<Static<typeof CreateCartBody>>(CreateCartBody, dropNulls(args)))).view,
        addCartItem: (_p, { cartId, ...body }: PatchArgs, c: GraphqlContext) =>
          carts.addItem(c.ctx, cartId, c.cartToken, checkArgs<Static<typeof AddItemBody>>(AddItemBody, body)),
        updateCartItem: (_p, { cartId, itemId, ...body }: PatchArgs & { itemId: string }, c: GraphqlContext) => {
          const { quantity } = checkArgs<Static<typeof QuantityBody>>(QuantityBody, body);
          return carts.setQuantity(c.ctx, cartId, c.cartToken, itemId, quantity);
        },
        removeCartItem: (_p, args: { cartId: string; itemId: string }, c: GraphqlContext) =>
          carts.removeItem(c.ctx, args.cartId, c.cartToken, args.itemId),
        updateCart: (_p, { cartId, ...patch }: PatchArgs, c: GraphqlContext) => {
          const body = {
            ...patch,
            ...('shippingAddress' in patch ? { shippingAddress: address(patch.shippingAddress) } : {}),
            ...('billingAddress' in patch ? { billingAddress: address(patch.billingAddress) } : {}),
          };
          return carts.update(c.ctx, cartId, c.cartToken, checkArgs(PatchCartBody, body));
        },
      },
      Cart: {
        // The parent was read with the caller's credentials; its own token re-proves access for this field.
        shippingOptions: (cart: CartView, _args, c: GraphqlContext) =>
          carts.shippingOptions(c.ctx, cart.id, cart.token),
      },
      CartItem: {
        product: (item: CartItemView, _args, c: GraphqlContext) =>
          products(c).load({ id: item.productId, currency: item.unitPrice.currency }),
      },
    },
  };
}
