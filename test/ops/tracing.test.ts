// Tracing end to end with a local OTLP receiver (docs/tracing.md): a checkout sent with a traceparent arrives as one
// trace of HTTP, SQL and consumer spans, SQL spans carry statement text without values, and an event's consumer span
// continues the trace of the request that appended it. PGlite by default, PostgreSQL with TEST_DATABASE_URL.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStaff, type TestIdentity, uniqueEmail } from '../support/auth.ts';
import { address, createVariant, type TestVariant } from '../support/cart.ts';
import { createTestApp, type TestApp } from '../support/create-test-app.ts';
import { type OtlpReceiver, type ReceivedSpan, spanTree, startOtlpReceiver } from '../support/otlp-receiver.ts';

const SERVER = 2;
const CLIENT = 3;
const CONSUMER = 5;
const hex = (bytes: number) =>
  randomUUID()
    .replaceAll('-', '')
    .slice(0, bytes * 2);

let receiver: OtlpReceiver;
/** An integrator's webhook endpoint: the headers of every delivery it received. */
let hookServer: Server;
const hookHeaders: IncomingHttpHeaders[] = [];
let t: TestApp;
let staff: TestIdentity;
let mug: TestVariant;
const logs: Record<string, unknown>[] = [];

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  hookServer = createServer((req, res) => {
    hookHeaders.push(req.headers);
    req.resume();
    req.on('end', () => res.writeHead(204).end());
  });
  await new Promise<void>((r) => hookServer.listen(0, '127.0.0.1', r));
  t = await createTestApp({
    env: {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_BSP_SCHEDULE_DELAY: '50',
      OTEL_SERVICE_NAME: 'emporium-test',
      WEBHOOKS_ALLOW_PRIVATE_TARGETS: 'true',
    },
    logStream: { write: (line: string) => void logs.push(JSON.parse(line)) },
  });
  staff = await createStaff(t, 'admin');
  mug = await createVariant(t, staff, { price: 1500, stock: 1000 });
  const endpoint = await t.http.inject({
    method: 'POST',
    url: '/v1/admin/webhooks',
    headers: staff.headers,
    payload: {
      url: `http://127.0.0.1:${(hookServer.address() as AddressInfo).port}/hooks`,
      events: ['orders.order.paid'],
    },
  });
  expect(endpoint.statusCode, endpoint.body).toBe(201);
}, 60_000);
afterAll(async () => {
  await t?.close();
  await receiver?.close();
  hookServer?.closeAllConnections();
  await new Promise((r) => hookServer?.close(r));
});

/** Ancestors of a span inside its trace, nearest first. */
function ancestors(spans: ReceivedSpan[], span: ReceivedSpan): ReceivedSpan[] {
  const byId = new Map(spans.filter((s) => s.traceId === span.traceId).map((s) => [s.spanId, s]));
  const out: ReceivedSpan[] = [];
  for (let p = span.parentSpanId ? byId.get(span.parentSpanId) : undefined; p; ) {
    out.push(p);
    p = p.parentSpanId ? byId.get(p.parentSpanId) : undefined;
  }
  return out;
}

describe('tracing on (OTLP/HTTP to a local receiver)', () => {
  it('[REQ-TRC-001] [REQ-TRC-002] [REQ-TRC-003] a checkout sent with a traceparent is one trace of HTTP and SQL spans without values', async () => {
    const traceId = hex(16);
    const callerSpan = hex(8);
    const headers = { traceparent: `00-${traceId}-${callerSpan}-01`, tracestate: 'vendor=1' };
    const email = uniqueEmail('traced');
    const created = await t.http.inject({
      method: 'POST',
      url: '/v1/carts',
      headers,
      payload: { currency: 'EUR', country: 'DE' },
    });
    const cart = created.json() as { id: string; token: string };
    const h = { ...headers, 'x-cart-token': cart.token };
    const call = async (method: 'POST' | 'PATCH' | 'GET', url: string, payload?: object) => {
      const res = await t.http.inject({ method, url, headers: h, ...(payload ? { payload } : {}) });
      expect(res.statusCode, `${method} ${url}: ${res.body}`).toBeLessThan(300);
      return res.json();
    };
    await call('POST', `/v1/carts/${cart.id}/items`, { variantId: mug.variantId, quantity: 2 });
    await call('PATCH', `/v1/carts/${cart.id}`, { email, shippingAddress: address('DE') });
    const options = await call('GET', `/v1/carts/${cart.id}/shipping-options`);
    await call('PATCH', `/v1/carts/${cart.id}`, { shippingMethodId: options.items[0].id });
    const idempotencyKey = randomUUID();
    const checkout = await t.http.inject({
      method: 'POST',
      url: '/v1/orders',
      headers: { ...h, 'idempotency-key': idempotencyKey },
      payload: { cartId: cart.id, payment: { provider: 'sandbox', token: 'tok_visa' } },
    });
    expect(checkout.statusCode, checkout.body).toBe(201);

    const spans = await receiver.waitFor((all) =>
      all.some((s) => s.traceId === traceId && s.kind === SERVER && s.name === 'POST /v1/orders'),
    );
    const own = spans.filter((s) => s.traceId === traceId);
    const server = own.find((s) => s.kind === SERVER && s.name === 'POST /v1/orders') as ReceivedSpan;
    expect(server.parentSpanId).toBe(callerSpan);
    expect(server.traceState).toBe('vendor=1');
    expect(server.service).toBe('emporium-test');
    expect(server.attributes).toMatchObject({
      'http.request.method': 'POST',
      'http.route': '/v1/orders',
      'url.path': '/v1/orders',
      'http.response.status_code': 201,
    });
    // Every request of the flow is a server span of this trace, named by its route pattern.
    expect(own.filter((s) => s.kind === SERVER).map((s) => s.name)).toEqual(
      expect.arrayContaining([
        'POST /v1/carts',
        'POST /v1/carts/:cartId/items',
        'PATCH /v1/carts/:cartId',
        'GET /v1/carts/:cartId/shipping-options',
        'POST /v1/orders',
      ]),
    );
    const sqlUnderCheckout = own.filter(
      (s) => s.attributes['db.query.text'] !== undefined && ancestors(spans, s).includes(server),
    );
    expect(sqlUnderCheckout.length).toBeGreaterThan(5);
    for (const s of own.filter((x) => x.attributes['db.query.text'] !== undefined)) {
      expect(s.kind).toBe(CLIENT);
      expect(s.attributes['db.system']).toBe('postgresql');
      expect(s.attributes['db.system.name']).toBe('postgresql');
      expect(typeof s.attributes['db.operation.name']).toBe('string');
      const text = String(s.attributes['db.query.text']);
      for (const literal of [email, cart.id, cart.token, idempotencyKey, 'tok_visa', 'Main St 1']) {
        expect(text).not.toContain(literal);
      }
    }
    expect(own.some((s) => /\$1\b/.test(String(s.attributes['db.query.text'] ?? '')))).toBe(true);
    // A transaction span parents its statements.
    const tx = own.find((s) => s.name === 'transaction' && ancestors(spans, s).includes(server));
    expect(tx).toBeDefined();
    expect(own.some((s) => s.parentSpanId === tx?.spanId && s.attributes['db.query.text'] !== undefined)).toBe(true);

    // The events the checkout appended are handled in consumer spans of the same trace.
    const consumed = await receiver.waitFor((all) =>
      all.some((s) => s.traceId === traceId && s.kind === CONSUMER && s.name === 'process orders.order.placed'),
    );
    const consumer = consumed.find((s) => s.traceId === traceId && s.name === 'process orders.order.placed');
    expect(consumer?.attributes['messaging.destination.name']).toBe('orders.order.placed');
    expect(ancestors(consumed, consumer as ReceivedSpan)).toContain(server);

    // The order's webhook delivery and its confirmation email are sent later by their dispatchers, in the same trace;
    // the integrator's request carries the attempt span's traceparent.
    const later = await receiver.waitFor(
      (all) =>
        all.some((s) => s.traceId === traceId && s.kind === CLIENT && s.attributes['emporium.webhook.delivery_id']) &&
        all.some((s) => s.traceId === traceId && s.attributes['emporium.mail.kind'] !== undefined),
    );
    const delivery = later.find((s) => s.traceId === traceId && s.attributes['emporium.webhook.delivery_id']);
    expect(delivery?.attributes['http.response.status_code']).toBe(204);
    const sent = hookHeaders.find((h) => String(h.traceparent ?? '').includes(traceId));
    expect(sent?.traceparent).toBe(`00-${traceId}-${delivery?.spanId}-01`);
    await new Promise((r) => setTimeout(r, 300));
    const tree = spanTree(receiver.spans, traceId, callerSpan);
    console.log(`span tree of trace ${traceId}:\n${tree}`);
    expect(tree.split('\n')[0]).toContain('POST /v1/carts [SERVER]');
  }, 60_000);

  it('[REQ-TRC-004] problem+json traceId and log lines carry the trace id; the incoming one when valid', async () => {
    const traceId = hex(16);
    const res = await t.http.inject({
      method: 'GET',
      url: '/v1/no-such-route',
      headers: { traceparent: `00-${traceId}-${hex(8)}-01`, 'x-request-id': 'my-request-1' },
    });
    expect(res.statusCode).toBe(404);
    expect(res.headers['x-request-id']).toBe('my-request-1');
    expect(res.json().traceId).toBe(traceId);

    const fresh = await t.http.inject({ method: 'GET', url: '/v1/no-such-route', headers: { traceparent: 'garbage' } });
    const freshId = fresh.json().traceId as string;
    expect(freshId).toMatch(/^[0-9a-f]{32}$/);
    expect(freshId).not.toBe(traceId);
    // Its server span carries the same trace id as the problem body.
    await receiver.waitFor((all) => all.some((s) => s.traceId === freshId && s.kind === SERVER));
  }, 30_000);
});
