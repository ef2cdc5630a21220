// Add-to-cart scenarios: POST /v1/carts/{id}/items {variantId, quantity: 1} on PostgreSQL or PGlite.
// Set-up (through the API, as staff): products with one EUR-priced variant each and 1,000,000 units of tracked stock
// (so the soft availability check runs and never refuses), then the carts. Each request adds one unit of the next
// variant of its list, so lines stay far below the 999 cap and the cart's line count is fixed:
//   cart-add-many  every autocannon connection on its own cart (8 variants → carts of 8 lines)
//   cart-add-hot   every connection on one cart (32 variants → one cart of 32 lines): writes serialise on its row lock
import type { BenchRequest, Scenario, ScenarioOptions } from './scenarios.ts';

/** Staff credentials the bench server is started with (ADMIN_EMAIL / ADMIN_PASSWORD), for scenario set-up. */
export const BENCH_ADMIN = { email: 'bench-admin@example.com', password: 'bench-admin-passphrase-42' };

async function call(base: string, method: string, path: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(base + path, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const json = (await res.json()) as Record<string, unknown>;
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

async function stockedVariants(base: string, n: number): Promise<string[]> {
  const login = await call(base, 'POST', '/v1/auth/login', BENCH_ADMIN);
  const auth = { authorization: `Bearer ${login.accessToken as string}` };
  const tag = Date.now().toString(36);
  const wh = await call(base, 'POST', '/v1/admin/warehouses', { name: `Bench ${tag}`, country: 'DE' }, auth);
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const p = await call(
      base,
      'POST',
      '/v1/products',
      {
        slug: `bench-cart-${tag}-${i}`,
        name: `Bench cart product ${i}`,
        status: 'published',
        variants: [
          { sku: `BENCH-${tag}-${i}`, weightGrams: 300, prices: [{ currency: 'EUR', amount: 1000 + 137 * i }] },
        ],
      },
      auth,
    );
    const variantId = (p.variants as { id: string }[])[0]?.id ?? '';
    await call(
      base,
      'POST',
      '/v1/admin/inventory/adjustments',
      { variantId, warehouseId: wh.id, quantity: 1_000_000, reason: 'receipt' },
      auth,
    );
    out.push(variantId);
  }
  return out;
}

async function cart(base: string): Promise<{ id: string; token: string }> {
  const c = await call(base, 'POST', '/v1/carts', { currency: 'EUR', country: 'DE' });
  return { id: c.id as string, token: c.token as string };
}

const adds = (c: { id: string; token: string }, variants: string[]): Omit<BenchRequest, 'perConnection'>[] =>
  variants.map((variantId) => ({
    method: 'POST',
    path: `/v1/carts/${c.id}/items`,
    headers: { 'x-cart-token': c.token },
    body: JSON.stringify({ variantId, quantity: 1 }),
  }));

export const CART_SCENARIOS: Scenario[] = [
  {
    name: 'cart-add-many',
    description: 'POST /v1/carts/{id}/items: add-to-cart, each connection on its own cart (8 lines)',
    setup: async (base: string, { connections }: ScenarioOptions) => {
      const variants = await stockedVariants(base, 8);
      const carts: { id: string; token: string }[] = [];
      for (let i = 0; i < connections; i++) carts.push(await cart(base));
      const first = adds(carts[0] ?? (await cart(base)), variants)[0];
      if (!first) throw new Error('no variants');
      return {
        ...first,
        // rotate the variant order per connection so the carts do not all touch the same line at once
        perConnection: (k) => {
          const c = carts[k % carts.length] ?? carts[0];
          if (!c) throw new Error('no carts');
          return adds(c, [...variants.slice(k % 8), ...variants.slice(0, k % 8)]);
        },
      };
    },
  },
  {
    name: 'cart-add-hot',
    description: 'POST /v1/carts/{id}/items: add-to-cart, every connection on one hot cart (32 lines)',
    setup: async (base: string) => {
      const variants = await stockedVariants(base, 32);
      const hot = await cart(base);
      const requests = adds(hot, variants);
      const first = requests[0];
      if (!first) throw new Error('no variants');
      return { ...first, perConnection: (k) => [...requests.slice(k % 32), ...requests.slice(0, k % 32)] };
    },
  },
];
