// TRUST_PROXY: which X-Forwarded-For entries name the client. Behind one proxy that appends the address it saw
// (haproxy `option forwardfor`), only the rightmost entry is trustworthy: everything left of it is the client's own.
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/platform/config.ts';
import { access } from '../../src/platform/http/auth.ts';
import { createTestApp, type TestApp } from '../support/create-test-app.ts';

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const whoami = (http: TestApp['http']) =>
  http.get('/test/ip', { config: { access: access.public } }, async (req) => ({ ip: req.ip }));

async function ipSeen(env: Record<string, string>, remoteAddress: string, forwarded?: string): Promise<string> {
  t = await createTestApp({ services: false, workers: false, env, extraRoutes: whoami });
  const r = await t.http.inject({
    method: 'GET',
    url: '/test/ip',
    remoteAddress,
    headers: forwarded ? { 'x-forwarded-for': forwarded } : {},
  });
  return r.json().ip;
}

describe('TRUST_PROXY [REQ-RES-005]', () => {
  it('[REQ-RES-005] accepts false, a hop count or proxy addresses/CIDRs; refuses "true" in production and nonsense', () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '1' }).trustProxy).toBe(1);
    expect(loadConfig({ TRUST_PROXY: '127.0.0.1, 10.0.0.0/8,loopback' }).trustProxy).toEqual([
      '127.0.0.1',
      '10.0.0.0/8',
      'loopback',
    ]);
    expect(() => loadConfig({ TRUST_PROXY: 'yes please' })).toThrow(ConfigError);
    expect(() => loadConfig({ TRUST_PROXY: '0' })).toThrow(/TRUST_PROXY must be false, a hop count/);
    const production = {
      NODE_ENV: 'production',
      DATABASE_URL: 'postgres://x@db/emporium',
      JWT_PRIVATE_KEY: 'k',
      JWT_PUBLIC_KEY: 'k',
      ENCRYPTION_KEYS: `k1:${Buffer.alloc(32).toString('base64')}`,
    };
    expect(() => loadConfig({ ...production, TRUST_PROXY: 'true' })).toThrow(/lets clients forge their address/);
    expect(loadConfig({ ...production, TRUST_PROXY: '10.1.2.3' }).trustProxy).toEqual(['10.1.2.3']);
  });

  it('[REQ-RES-005] one trusted hop: the address the proxy appended, not the one the client wrote', async () => {
    expect(await ipSeen({ TRUST_PROXY: '1' }, '127.0.0.1', '6.6.6.6, 203.0.113.9')).toBe('203.0.113.9');
  });

  it('[REQ-RES-005] a trusted proxy address: its entry is believed; the same header from anyone else is ignored', async () => {
    expect(await ipSeen({ TRUST_PROXY: '127.0.0.1' }, '127.0.0.1', '6.6.6.6, 203.0.113.9')).toBe('203.0.113.9');
    await t?.close();
    expect(await ipSeen({ TRUST_PROXY: '127.0.0.1' }, '198.51.100.1', '203.0.113.9')).toBe('198.51.100.1');
    await t?.close();
    expect(await ipSeen({}, '198.51.100.1', '203.0.113.9')).toBe('198.51.100.1');
  });

  it('[REQ-RES-005] a client over its rate limit cannot escape it by forging X-Forwarded-For behind the proxy', async () => {
    t = await createTestApp({
      services: false,
      workers: false,
      env: { TRUST_PROXY: '127.0.0.1', RATE_LIMIT_MAX: '3', RATE_LIMIT_WINDOW_MS: '600000' },
      extraRoutes: whoami,
    });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const r = await t.http.inject({
        method: 'GET',
        url: '/test/ip',
        remoteAddress: '127.0.0.1',
        headers: { 'x-forwarded-for': `10.9.9.${i}, 203.0.113.50` },
      });
      statuses.push(r.statusCode);
    }
    expect(statuses).toEqual([200, 200, 200, 429, 429, 429]);
  });
});
