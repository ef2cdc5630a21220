// NATS down when the process starts: the whole application starts anyway, serves and is ready (NATS is reported as
// an optional check that fails), events committed meanwhile wait in the outbox, and once NATS answers the process
// connects by itself and every waiting event reaches its subscriber once. A real NATS JetStream behind a TCP proxy
// that is not listening yet stands in for the server being down.
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventEnvelope } from '../../src/platform/events/envelope.ts';
import type { ModuleDefinition } from '../../src/platform/module.ts';
import { createTestApp, type TestApp } from '../support/create-test-app.ts';
import { produce, waitFor } from '../support/events-harness.ts';
import { needsNats, TEST_NATS_URL } from '../support/services.ts';
import { type TcpProxy, tcpProxy } from '../support/tcp-proxy.ts';

const TYPE = 'natsdown.thing.happened';
let t: TestApp | undefined;
let proxy: TcpProxy | undefined;
afterEach(async () => {
  await t?.close();
  await proxy?.stop();
  t = undefined;
  proxy = undefined;
});

function natsTarget() {
  const u = new URL(TEST_NATS_URL ?? 'nats://127.0.0.1:4222');
  return { host: u.hostname, port: Number(u.port || 4222) };
}

async function unpublished(app: TestApp): Promise<number> {
  const r = await sql<{ n: number }>`select count(*)::int as n from platform.outbox
    where published_at is null and type = ${TYPE}`.execute(app.kernel.db.k);
  return r.rows[0]?.n ?? -1;
}

/** /readyz: its status code, overall status and NATS entry (`ok`, or `degraded: <why>`). */
async function readiness(app: TestApp): Promise<{ code: number; status: string; nats: string | undefined }> {
  const res = await app.http.inject({ method: 'GET', url: '/readyz' });
  const body = res.json() as { status: string; checks: Record<string, string> };
  return { code: res.statusCode, status: body.status, nats: body.checks.nats };
}

describe('NATS down at start-up [REQ-RES-006]', () => {
  it.skipIf(!TEST_NATS_URL)(
    `[REQ-RES-006] the process starts and is ready without NATS; events wait in the outbox and arrive once when it answers ${needsNats}`,
    async () => {
      proxy = await tcpProxy(natsTarget(), { stopped: true });
      const seen: string[] = [];
      const module: ModuleDefinition = {
        name: 'natsdown',
        subscribers: [
          {
            name: 'natsdown.record',
            eventTypes: [TYPE],
            async handle(e: EventEnvelope) {
              seen.push(e.id);
            },
          },
        ],
      };
      t = await createTestApp({
        env: {
          NATS_URL: `nats://127.0.0.1:${proxy.port}`,
          NATS_STREAM: `test_${randomBytes(6).toString('hex')}`,
          EVENTS_POLL_MS: '50',
        },
        extraModules: [module],
      });
      const app = t;
      const before = await readiness(app);
      expect(before).toMatchObject({ code: 200, status: 'degraded' });
      expect(before.nats).toMatch(/^degraded: .*not connected yet/);
      expect((await app.http.inject({ method: 'GET', url: '/v1/products?limit=1' })).statusCode).toBe(200);

      const ids = await produce(app.kernel.db, 25, { perTx: 5, type: TYPE });
      // Nothing can be published while NATS does not answer: the events are in the outbox, unpublished.
      await new Promise((r) => setTimeout(r, 500));
      expect(await unpublished(app)).toBe(25);
      expect(seen).toEqual([]);

      await proxy.start();
      await waitFor(() => seen.length >= 25, 30_000, 50);
      await waitFor(async () => (await unpublished(app)) === 0, 30_000, 50);
      expect([...seen].sort()).toEqual([...ids].sort());
      expect(new Set(seen).size).toBe(25);
      expect(await readiness(app)).toMatchObject({ code: 200, nats: 'ok' });
    },
    60_000,
  );

  it.skipIf(!TEST_NATS_URL)(
    `[REQ-RES-006] a process that never reached NATS closes promptly ${needsNats}`,
    async () => {
      proxy = await tcpProxy(natsTarget(), { stopped: true });
      t = await createTestApp({
        env: { NATS_URL: `nats://127.0.0.1:${proxy.port}`, NATS_STREAM: `test_${randomBytes(6).toString('hex')}` },
      });
      const app = t;
      t = undefined;
      expect(app.kernel.nats?.current()).toBeUndefined();
      // Resolves (the test's own timeout would report a hang): the background attempts stop with the process.
      await expect(app.close()).resolves.toBeUndefined();
      await expect(app.kernel.nats?.connected).rejects.toThrow(/closed before NATS answered/);
    },
    30_000,
  );
});
