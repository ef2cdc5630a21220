// Never run, only typechecked with storefront-client.ts: each `@ts-expect-error` below fails the typecheck
// when the generated contract stops refusing what it must refuse (and all of them fail at once if the
// generated `paths` ever degrades to something untyped).
import type { StorefrontClient } from './storefront-client.ts';

const payment = { provider: 'sandbox', token: 'tok_visa' } as const;

export async function probes(client: StorefrontClient): Promise<void> {
  // POST /v1/orders: Idempotency-Key is a required header.
  // @ts-expect-error
  await client.POST('/v1/orders', { params: { header: {} }, body: { cartId: 'c', payment } });

  // GET /v1/orders/{id}: a header the operation does not declare is not accepted.
  // @ts-expect-error
  await client.GET('/v1/orders/{id}', { params: { path: { id: 'o' }, header: { 'x-order-tokn': 't' } } });

  // POST /v1/orders: the payment provider is a closed list.
  const unknownProvider = { provider: 'paypal', token: 'tok_visa' } as const;
  const key = { 'idempotency-key': 'k' };
  // @ts-expect-error
  await client.POST('/v1/orders', { params: { header: key }, body: { cartId: 'c', payment: unknownProvider } });

  // An order's total is integer minor units (a number), not a string.
  const { data } = await client.GET('/v1/orders/{id}', { params: { path: { id: 'o' } } });
  // @ts-expect-error
  const total: string | undefined = data?.totals.total.amount;
  void total;

  // A path that does not exist.
  // @ts-expect-error
  await client.GET('/v1/order/{id}', {});
}
