// /admin as the server serves it (src/platform/http/admin-static.ts), over a real HTTP server built by the platform's
// factory on a fixture build: the page with its CSP and no-cache, client routes answered with the page, hashed
// assets cached for good, nothing of it in /openapi.json; and without a build, a problem that says how to make one.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/platform/config.ts';
import { ADMIN_CSP } from '../../src/platform/http/admin-static.ts';
import { type App, createHttpServer } from '../../src/platform/http/server.ts';
import { createLogger } from '../../src/platform/observability/logger.ts';
import { createMetrics } from '../../src/platform/observability/metrics.ts';
import { listen } from '../support/listen.ts';

const PAGE =
  '<!doctype html><html lang="en"><head><title>Emporium admin</title></head><body><div id="root"></div></body></html>';

async function server(adminDir: string): Promise<{ app: App; base: string }> {
  const app = await createHttpServer({
    config: loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' }),
    logger: createLogger('silent'),
    metrics: createMetrics({ defaultMetrics: false }),
    redis: undefined,
    adminDir,
  });
  app.get('/v1/ping', async () => ({ ok: true }));
  return { app, base: await listen(app) };
}

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'emporium-admin-static-'));
  mkdirSync(join(root, 'built', 'assets'), { recursive: true });
  writeFileSync(join(root, 'built', 'index.html'), PAGE);
  writeFileSync(join(root, 'built', 'assets', 'index-AbC123.js'), 'console.log("admin");');
  mkdirSync(join(root, 'empty'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('the built dashboard at /admin [REQ-ADM-001]', () => {
  let s: { app: App; base: string };
  beforeAll(async () => {
    s = await server(join(root, 'built'));
  });
  afterAll(async () => s.app.close());

  it('[REQ-ADM-001] /admin and every client route answer the page, revalidated on each load, under a strict CSP', async () => {
    for (const path of ['/admin', '/admin/', '/admin/orders/ord_123', '/admin/products/new?x=1']) {
      const res = await fetch(`${s.base}${path}`);
      expect([path, res.status]).toEqual([path, 200]);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(res.headers.get('cache-control')).toBe('no-cache');
      expect(res.headers.get('content-security-policy')).toBe(ADMIN_CSP);
      expect(await res.text()).toBe(PAGE);
    }
    expect(ADMIN_CSP).toContain("script-src 'self'");
    expect(ADMIN_CSP).not.toContain('unsafe-inline');
  });

  it('[REQ-ADM-001] hashed assets are cached for a year as immutable; a missing asset is a problem+json 404', async () => {
    const res = await fetch(`${s.base}/admin/assets/index-AbC123.js`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(res.headers.get('content-type')).toContain('javascript');
    expect(await res.text()).toBe('console.log("admin");');
    const missing = await fetch(`${s.base}/admin/assets/nope-123.js`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toContain('application/problem+json');
    const dots = await fetch(`${s.base}/admin/assets/..%2f..%2findex.html`);
    expect(dots.status).toBe(404);
  });

  it('[REQ-ADM-001] the API keeps its own headers (no page CSP) and /openapi.json lists no /admin route', async () => {
    const api = await fetch(`${s.base}/v1/ping`);
    expect(api.status).toBe(200);
    expect(api.headers.get('content-security-policy')).toBeNull();
    expect(api.headers.get('x-content-type-options')).toBe('nosniff');
    expect(api.headers.get('cross-origin-resource-policy')).toBe('same-site');
    const doc = (await (await fetch(`${s.base}/openapi.json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths).filter((p) => p.startsWith('/admin'))).toEqual([]);
    expect(Object.keys(doc.paths)).toContain('/v1/ping');
  });
});

describe('no build [REQ-ADM-002]', () => {
  let s: { app: App; base: string };
  beforeAll(async () => {
    s = await server(join(root, 'empty'));
  });
  afterAll(async () => s.app.close());

  it('[REQ-ADM-002] /admin answers 503 problem+json saying how to build it, and the API is unaffected', async () => {
    for (const path of ['/admin', '/admin/orders']) {
      const res = await fetch(`${s.base}${path}`);
      expect(res.status).toBe(503);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      const body = (await res.json()) as { code: string; detail: string };
      expect(body.code).toBe('admin.not_built');
      expect(body.detail).toContain('npm run build:admin');
    }
    expect((await fetch(`${s.base}/v1/ping`)).status).toBe(200);
  });
});
