// Embedded mode: the module starts the sandbox PSP itself (ephemeral port, generated webhook secret)
// and points its webhooks at wherever the app listens. And the standalone `npm run psp:sandbox`.
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPaymentsModule, type PaymentsModule } from '../../src/modules/payments/index.ts';
import { installAuth } from '../../src/platform/http/auth.ts';
import { type App, createHttpServer } from '../../src/platform/http/server.ts';
import { createTestApp, type TestApp } from '../support/create-test-app.ts';
import { fakePaymentsAuth } from '../support/fake-auth-payments.ts';
import { listen } from '../support/listen.ts';
import { ctx, orderId } from '../support/payments-harness.ts';

let t: TestApp;
let pay: PaymentsModule;
let http: App;

beforeAll(async () => {
  t = await createTestApp();
  pay = createPaymentsModule({ kernel: t.kernel, sandboxOptions: { processingDelayMs: 100 } });
  http = await createHttpServer({
    config: t.config,
    logger: t.kernel.logger,
    metrics: t.kernel.metrics,
    redis: undefined,
  });
  installAuth(http, fakePaymentsAuth);
  pay.module.registerRoutes?.(http);
  await http.ready();
  await listen(http);
});
afterAll(async () => {
  await http.close();
  await pay.module.stop?.();
  await t.close();
});

describe('embedded sandbox [REQ-PAY-003]', () => {
  it('[REQ-PAY-003] started on first use on an ephemeral port; its signed webhooks reach the listening app', async () => {
    const p = await pay.api.authorize(ctx, {
      orderId: orderId(),
      amount: 1234,
      currency: 'EUR',
      token: 'tok_processing',
    });
    expect(p.status).toBe('pending');
    const psp = await pay.sandbox();
    expect(psp?.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const end = Date.now() + 5000;
    let status = p.status;
    while (status !== 'authorized' && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 25));
      status = (await pay.api.get(ctx, p.id))?.status ?? status;
    }
    expect(status).toBe('authorized');
    await psp?.webhooks.idle();
    expect(psp?.webhooks.stats()).toMatchObject({ delivered: 1, failed: 0, pending: 0 });
  });

  it('[REQ-PAY-003] `npm run psp:sandbox` serves the sandbox on its own', async () => {
    const child = spawn(
      process.execPath,
      ['--experimental-strip-types', '--disable-warning=ExperimentalWarning', 'src/modules/payments/sandbox/main.ts'],
      { env: { ...process.env, SANDBOX_PSP_PORT: '0', SANDBOX_WEBHOOK_SECRET: 'whsec_standalone_0123456789' } },
    );
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (c) => {
          out += String(c);
          const m = /listening on (http:\/\/\S+)/.exec(out);
          if (m?.[1]) resolve(m[1]);
        });
        child.on('exit', (code) => reject(new Error(`exited ${code}`)));
      });
      const res = await fetch(`${url}/v1/payments`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': 'standalone-1' },
        body: JSON.stringify({ amount: 100, currency: 'EUR', token: 'tok_visa' }),
      });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { status: string }).status).toBe('authorized');
    } finally {
      child.kill('SIGTERM');
    }
  });
});
