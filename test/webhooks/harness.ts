// Shared setup of the webhook tests: an app with private targets allowed and a fast retry schedule, an admin, and
// helpers to subscribe an endpoint and to trigger catalog events over HTTP.
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { createStaff, type TestIdentity } from '../support/auth.ts';
import { createTestApp, type TestApp } from '../support/create-test-app.ts';

export const FAST_ENV = {
  WEBHOOKS_ALLOW_PRIVATE_TARGETS: 'true',
  WEBHOOKS_RETRY_SCHEDULE: '50ms,100ms,100ms',
  WEBHOOKS_TIMEOUT_MS: '400',
};

export interface Harness {
  t: TestApp;
  admin: TestIdentity;
}

export async function startHarness(env: Record<string, string> = {}): Promise<Harness> {
  const t = await createTestApp({ env: { ...FAST_ENV, ...env } });
  const admin = await createStaff(t, 'admin');
  return { t, admin };
}

export interface Subscription {
  id: string;
  secret: string;
  url: string;
  events: string[];
  enabled: boolean;
}

export async function subscribe(h: Harness, url: string, events: string[]): Promise<Subscription> {
  const res = await h.t.http.inject({
    method: 'POST',
    url: '/v1/admin/webhooks',
    headers: h.admin.headers,
    payload: { url, events, description: 'test receiver' },
  });
  if (res.statusCode !== 201) throw new Error(`subscribe failed: ${res.statusCode} ${res.body}`);
  return res.json() as Subscription;
}

/** Creates a product as admin (appends catalog.product.created); answers its id. */
export async function createProduct(h: Harness): Promise<string> {
  const slug = `p-${randomBytes(5).toString('hex')}`;
  const res = await h.t.http.inject({
    method: 'POST',
    url: '/v1/products',
    headers: h.admin.headers,
    payload: { slug, name: `Product ${slug}` },
  });
  if (res.statusCode !== 201) throw new Error(`create product failed: ${res.statusCode} ${res.body}`);
  return (res.json() as { id: string }).id;
}

export async function countRows(h: Harness, query: ReturnType<typeof sql<{ n: number }>>): Promise<number> {
  const r = await query.execute(h.t.kernel.db.k);
  return r.rows[0]?.n ?? 0;
}

export const deliveriesOf = (h: Harness, endpointId: string) =>
  countRows(
    h,
    sql<{ n: number }>`select count(*)::int as n from webhooks.deliveries where endpoint_id = ${endpointId}`,
  );
