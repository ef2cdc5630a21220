// Helpers of the cross-process tests: real HTTP to one process or to haproxy (optionally from another loopback
// source address, i.e. another client), staff sign-in, a stocked product and a ready cart over the API, SQL reads.
import { randomBytes, randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import pg from 'pg';

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The body exactly as sent. */
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: JSON bodies of many shapes.
  body: any;
}

export interface CallOptions {
  body?: unknown;
  headers?: Record<string, string>;
  /** Source address of the connection (127.0.0.2, …): another client on this machine. */
  localAddress?: string;
  timeoutMs?: number;
}

/** One HTTP request on a fresh connection (node:http, so X-Forwarded-For and the source address are ours to set). */
export function call(base: string, method: string, path: string, options: CallOptions = {}): Promise<Answer> {
  const url = new URL(path, base);
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname + url.search,
        method,
        agent: false,
        ...(options.localAddress ? { localAddress: options.localAddress } : {}),
        headers: {
          connection: 'close',
          ...(payload === undefined
            ? {}
            : { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)) }),
          ...options.headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown;
          try {
            body = text ? JSON.parse(text) : undefined;
          } catch {
            body = text;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, body });
        });
        res.on('error', reject);
      },
    );
    req.setTimeout(options.timeoutMs ?? 20_000, () => req.destroy(new Error(`${method} ${path}: timed out`)));
    req.on('error', reject);
    req.end(payload);
  });
}

/** Like call, but any status other than `expected` throws with the answer (setup steps). */
export async function expectCall(
  expected: number,
  base: string,
  method: string,
  path: string,
  options: CallOptions = {},
): Promise<Answer> {
  const r = await call(base, method, path, options);
  if (r.status !== expected) throw new Error(`${method} ${path} on ${base}: ${r.status} ${r.text.slice(0, 500)}`);
  return r;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `probe` every `everyMs` until it returns true; false when `timeoutMs` passed first. */
export async function pollUntil(probe: () => Promise<boolean>, timeoutMs: number, everyMs = 50): Promise<boolean> {
  const until = performance.now() + timeoutMs;
  for (;;) {
    if (await probe()) return true;
    if (performance.now() >= until) return false;
    await sleep(everyMs);
  }
}

/** Signs in and returns the Authorization header. */
export async function signIn(base: string, who: { email: string; password: string }): Promise<Record<string, string>> {
  const r = await expectCall(200, base, 'POST', '/v1/auth/login', { body: who });
  return { authorization: `Bearer ${r.body.accessToken as string}` };
}

export interface StockedVariant {
  productId: string;
  variantId: string;
  warehouseId: string;
}

/** A published product with one variant priced `price` EUR and `stock` units on hand in a new warehouse. */
export async function createStockedVariant(
  base: string,
  staff: Record<string, string>,
  opts: { price: number; stock: number },
): Promise<StockedVariant> {
  const tag = randomBytes(4).toString('hex');
  const product = await expectCall(201, base, 'POST', '/v1/products', {
    headers: staff,
    body: {
      slug: `cluster-${tag}`,
      name: `Cluster product ${tag}`,
      status: 'published',
      variants: [{ sku: `CLU-${tag}`, weightGrams: 500, prices: [{ currency: 'EUR', amount: opts.price }] }],
    },
  });
  const variantId = product.body.variants[0].id as string;
  const wh = await expectCall(201, base, 'POST', '/v1/admin/warehouses', {
    headers: staff,
    body: { name: `WH ${tag}`, country: 'DE' },
  });
  const warehouseId = wh.body.id as string;
  await expectCall(201, base, 'POST', '/v1/admin/inventory/adjustments', {
    headers: staff,
    body: { variantId, warehouseId, quantity: opts.stock, reason: 'receipt', kind: 'receive' },
  });
  return { productId: product.body.id as string, variantId, warehouseId };
}

export interface ReadyCart {
  id: string;
  token: string;
}

/** A guest cart ready for checkout over REST: the variant, an email, a German address and a shipping method. */
export async function readyCart(base: string, variantId: string, quantity = 1): Promise<ReadyCart> {
  const created = await expectCall(201, base, 'POST', '/v1/carts', { body: { currency: 'EUR', country: 'DE' } });
  const cart = { id: created.body.id as string, token: created.body.token as string };
  const headers = { 'x-cart-token': cart.token };
  const added = await call(base, 'POST', `/v1/carts/${cart.id}/items`, { headers, body: { variantId, quantity } });
  if (added.status !== 200 && added.status !== 201) throw new Error(`add item: ${added.status} ${added.text}`);
  await expectCall(200, base, 'PATCH', `/v1/carts/${cart.id}`, {
    headers,
    body: {
      email: 'cluster@example.com',
      shippingAddress: { name: 'Ada Lovelace', line1: 'Main St 1', city: 'Berlin', postalCode: '10115', country: 'DE' },
    },
  });
  const options = await expectCall(200, base, 'GET', `/v1/carts/${cart.id}/shipping-options`, { headers });
  await expectCall(200, base, 'PATCH', `/v1/carts/${cart.id}`, {
    headers,
    body: { shippingMethodId: options.body.items[0].id as string },
  });
  return cart;
}

/** POST /v1/orders for a guest cart, paying with the sandbox's always-approved token. */
export function placeOrder(base: string, cart: ReadyCart, key: string = randomUUID()): Promise<Answer> {
  return call(base, 'POST', '/v1/orders', {
    headers: { 'x-cart-token': cart.token, 'idempotency-key': key },
    body: { cartId: cart.id, payment: { provider: 'sandbox', token: 'tok_visa' } },
  });
}

/** The storefront's view of one variant: its EUR price and availability (a read of that process's catalog). */
export async function storefrontVariant(
  base: string,
  productId: string,
  variantId: string,
): Promise<{ price: number | null; available: number }> {
  const r = await expectCall(200, base, 'GET', `/v1/products/${productId}`);
  const v = (r.body.variants as { id: string; price: { amount: number } | null; available: number }[]).find(
    (x) => x.id === variantId,
  );
  if (!v) throw new Error(`variant ${variantId} missing from product ${productId}`);
  return { price: v.price?.amount ?? null, available: v.available };
}

/** A small pool on the cluster's database, for the assertions (the test reads; the processes write). */
export function openSql(databaseUrl: string) {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 3, connectionTimeoutMillis: 5000 });
  pool.on('error', () => {});
  return {
    async rows<T = Record<string, unknown>>(text: string, values: unknown[] = []): Promise<T[]> {
      return (await pool.query(text, values)).rows as T[];
    },
    async count(text: string, values: unknown[] = []): Promise<number> {
      const r = await pool.query(text, values);
      return Number(Object.values(r.rows[0] ?? { n: Number.NaN })[0]);
    },
    close: () => pool.end(),
  };
}
export type Sql = ReturnType<typeof openSql>;

/** Sum of one Prometheus counter's samples whose labels contain `labelFilter`, from one process's /metrics. */
export async function counterValue(base: string, name: string, labelFilter: string): Promise<number> {
  const r = await expectCall(200, base, 'GET', '/metrics');
  let sum = 0;
  for (const line of (r.text as string).split('\n')) {
    if (line.startsWith(`${name}{`) && line.includes(labelFilter)) sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}
