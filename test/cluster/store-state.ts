// What the store holds, read the way staff and customers read it: the admin inventory API for stock, the order API
// (with each guest's order token) for orders, and SQL for what no API lists (active reservations, open checkouts).
import pg from 'pg';
import type { Flow } from './load.ts';
import { sleep } from './services.ts';

export interface Level {
  onHand: number;
  reserved: number;
  available: number;
}

async function json(res: Response, what: string): Promise<Record<string, unknown>> {
  const text = await res.text();
  if (!res.ok) throw new Error(`${what}: ${res.status} ${text.slice(0, 300)}`);
  return JSON.parse(text) as Record<string, unknown>;
}

/** A staff access token for the cluster's admin. */
export async function staffToken(url: string, admin: { email: string; password: string }): Promise<string> {
  const res = await fetch(`${url}/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(admin),
  });
  return String((await json(res, 'login')).accessToken);
}

/** Variant ids of the first `limit` demo products (one per product), in listing order. */
export async function demoVariants(url: string, limit = 100): Promise<string[]> {
  const body = await json(await fetch(`${url}/v1/products?limit=${limit}&sort=name`), 'products');
  return (body.items as { variants: { id: string }[] }[]).flatMap((p) => (p.variants[0] ? [p.variants[0].id] : []));
}

/** Receives `quantity` units of each variant into the first warehouse (a stock receipt, like a delivery). */
export async function receiveStock(url: string, token: string, variantIds: string[], quantity: number): Promise<void> {
  const auth = { authorization: `Bearer ${token}` };
  const warehouses = await json(await fetch(`${url}/v1/admin/warehouses`, { headers: auth }), 'warehouses');
  const warehouseId = (warehouses.items as { id: string }[])[0]?.id;
  for (const variantId of variantIds) {
    const res = await fetch(`${url}/v1/admin/inventory/adjustments`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ variantId, warehouseId, quantity, kind: 'receive', reason: 'fault suite stock' }),
    });
    await json(res, `receive ${variantId}`);
  }
}

/** Each variant's stock summed over its warehouses. */
export async function stockOf(url: string, token: string, variantIds: string[]): Promise<Map<string, Level>> {
  const out = new Map<string, Level>();
  for (const id of variantIds) {
    const res = await fetch(`${url}/v1/admin/inventory/${id}`, { headers: { authorization: `Bearer ${token}` } });
    const levels = (await json(res, `stock of ${id}`)).levels as Level[];
    out.set(
      id,
      levels.reduce(
        (s, l) => ({
          onHand: s.onHand + l.onHand,
          reserved: s.reserved + l.reserved,
          available: s.available + l.available,
        }),
        {
          onHand: 0,
          reserved: 0,
          available: 0,
        },
      ),
    );
  }
  return out;
}

/** The first column of the first row, on a connection of its own (the database may have restarted meanwhile). */
export async function sqlValue(databaseUrl: string, text: string): Promise<unknown> {
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 5000 });
  client.on('error', () => {});
  await client.connect();
  try {
    const r = await client.query({ text, rowMode: 'array' });
    return (r.rows[0] as unknown[] | undefined)?.[0];
  } finally {
    await client.end().catch(() => {});
  }
}

export const sqlCount = async (databaseUrl: string, text: string) => Number(await sqlValue(databaseUrl, text));

export const ACTIVE_RESERVATIONS = `select count(*) as n from inventory.reservations where status = 'active'`;
export const OPEN_CHECKOUTS = `select count(*) as n from orders.checkout_attempts where status in ('running', 'compensating')`;

/**
 * Waits (bounded) until nothing is in flight: no active reservation, no running or compensating checkout attempt,
 * nothing reserved on `variantIds`. Resolves with what is still open when the time is up.
 */
export async function waitSettled(
  databaseUrl: string,
  read: () => Promise<Map<string, Level>>,
  timeoutMs: number,
): Promise<{ activeReservations: number; openCheckouts: number; reservedUnits: number; waitedMs: number }> {
  const started = Date.now();
  for (;;) {
    const [activeReservations, openCheckouts, stock] = await Promise.all([
      sqlCount(databaseUrl, ACTIVE_RESERVATIONS),
      sqlCount(databaseUrl, OPEN_CHECKOUTS),
      read(),
    ]);
    const reservedUnits = [...stock.values()].reduce((s, l) => s + l.reserved, 0);
    const waitedMs = Date.now() - started;
    if ((activeReservations === 0 && openCheckouts === 0 && reservedUnits === 0) || waitedMs > timeoutMs) {
      return { activeReservations, openCheckouts, reservedUnits, waitedMs };
    }
    await sleep(500);
  }
}

export interface OrderCheck {
  /** Acknowledged (201) orders the API does not return (404 or no answer at the end). */
  lost: string[];
  /** Readable, but not paid within the wait: id → last status. */
  notPaid: Record<string, string>;
}

/** Reads every acknowledged order as its guest would, until each is paid or `timeoutMs` has passed. */
export async function checkAcknowledgedOrders(url: string, flows: Flow[], timeoutMs: number): Promise<OrderCheck> {
  const pending = new Map(flows.flatMap((f) => (f.order ? [[f.order.id, f.order] as const] : [])));
  const lastStatus = new Map<string, string>();
  const until = Date.now() + timeoutMs;
  while (pending.size && Date.now() < until) {
    const batch = [...pending.values()];
    for (let i = 0; i < batch.length; i += 20) {
      await Promise.all(
        batch.slice(i, i + 20).map(async (o) => {
          try {
            const res = await fetch(`${url}/v1/orders/${o.id}`, {
              headers: { 'x-order-token': o.orderToken },
              signal: AbortSignal.timeout(5000),
            });
            const body = (await res.json()) as { status?: string; code?: string };
            lastStatus.set(o.id, res.ok ? String(body.status) : `${res.status} ${body.code}`);
            if (res.ok && body.status === 'paid') pending.delete(o.id);
          } catch (e) {
            lastStatus.set(o.id, `no answer: ${(e as Error).message}`);
          }
        }),
      );
    }
    if (pending.size) await sleep(500);
  }
  const lost: string[] = [];
  const notPaid: Record<string, string> = {};
  for (const id of pending.keys()) {
    const s = lastStatus.get(id) ?? 'unread';
    if (/^(\d{3} |no answer|unread)/.test(s)) lost.push(`${id} (${s})`);
    else notPaid[id] = s;
  }
  return { lost, notPaid };
}

/** Units of each variant in the acknowledged orders. */
export function unitsOrdered(flows: Flow[]): Map<string, number> {
  const units = new Map<string, number>();
  for (const f of flows)
    for (const l of f.order?.items ?? []) units.set(l.variantId, (units.get(l.variantId) ?? 0) + l.quantity);
  return units;
}
