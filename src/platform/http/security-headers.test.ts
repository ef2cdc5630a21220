import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import helmet, { type HelmetOptions } from 'helmet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { helmetHeaders, installSecurityHeaders } from './security-headers.ts';

// The server's options (server.ts).
const OPTIONS: HelmetOptions = { contentSecurityPolicy: false, crossOriginResourcePolicy: { policy: 'same-site' } };

/** What Helmet itself sets on a real node:http response, run per request as its middleware. */
let plain: Server;
let plainUrl: string;
beforeAll(async () => {
  const middleware = helmet(OPTIONS);
  plain = createServer((req, res) => {
    res.setHeader('x-powered-by', 'something');
    middleware(req, res, () => res.end('ok'));
  });
  await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve));
  plainUrl = `http://127.0.0.1:${(plain.address() as AddressInfo).port}/`;
});
afterAll(async () => {
  await new Promise((resolve) => plain.close(resolve));
});

const HTTP_OWN = new Set(['date', 'connection', 'keep-alive', 'content-length', 'content-type', 'transfer-encoding']);

async function helmetOnPlainServer(): Promise<Record<string, string>> {
  const res = await fetch(plainUrl);
  await res.text();
  return Object.fromEntries([...res.headers].filter(([k]) => !HTTP_OWN.has(k)));
}

describe('[REQ-KER-015] security headers decided once', () => {
  it('[REQ-KER-015] helmetHeaders records exactly what Helmet sets on a real response (x-powered-by removed)', async () => {
    const recorded = helmetHeaders(OPTIONS);
    expect(recorded).toEqual(await helmetOnPlainServer());
    expect(recorded['x-content-type-options']).toBe('nosniff');
    expect(recorded['cross-origin-resource-policy']).toBe('same-site');
    expect(recorded['content-security-policy']).toBeUndefined();
    expect(Object.keys(recorded).length).toBeGreaterThanOrEqual(10);
  });

  it('[REQ-KER-015] every reply carries them: a route, a 404, an error; a route can still override one', async () => {
    const app = Fastify();
    installSecurityHeaders(app, OPTIONS);
    app.get('/ok', async () => ({ ok: true }));
    app.get('/boom', async () => {
      throw new Error('boom');
    });
    app.get('/framed', async (_req, reply) => reply.header('x-frame-options', 'DENY').send('framed'));
    const expected = await helmetOnPlainServer();
    try {
      for (const [url, status] of [
        ['/ok', 200],
        ['/nowhere', 404],
        ['/boom', 500],
      ] as const) {
        const res = await app.inject({ method: 'GET', url });
        expect(res.statusCode).toBe(status);
        for (const [name, value] of Object.entries(expected)) expect(res.headers[name], `${url} ${name}`).toBe(value);
        expect(res.headers['x-powered-by']).toBeUndefined();
      }
      const framed = await app.inject({ method: 'GET', url: '/framed' });
      expect(framed.headers['x-frame-options']).toBe('DENY');
      expect(framed.headers['x-content-type-options']).toBe('nosniff');
    } finally {
      await app.close();
    }
  });
});
