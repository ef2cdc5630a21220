// Embedded mode: the module starts the sandbox PSP itself (ephemeral port, generated webhook secret)
// and points its webhooks at wherever the app listens. And the standalone `npm run psp:sandbox`.
import { spawn } from 'node:child_process';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPaymentsModule, type PaymentsModule } from '../../src/modules/payments/index.ts';
import { chaosFrom } from '../../src/modules/payments/testing.ts';
import { installAuth } from '../../src/platform/http/auth.ts';
import { type App, createHttpServer } from '../../src/platform/http/server.ts';
import { createTestApp, type TestApp } from '../support/create-test-app.ts';
import { fakeAuth } from '../support/fake-auth.ts';
import { listen } from '../support/listen.ts';
import { ctx, orderId } from '../support/payments-harness.ts';

let t: TestApp;
let pay: PaymentsModule;
let http: App;

beforeAll(async () => {
  t = await createTestApp();
  // Chaos on: every webhook delivered three times, delayed and reordered.
  pay = createPaymentsModule({
    kernel: t.kernel,
    sandboxOptions: { processingDelayMs: 100, chaos: chaosFrom(['duplicate', 'delay', 'reorder'], 100) },
  });
  http = await createHttpServer({
    config: t.config,
    logger: t.kernel.logger,
    metrics: t.kernel.metrics,
    redis: undefined,
  });
  installAuth(http, fakeAuth);
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
    expect(psp?.webhooks.stats()).toMatchObject({ delivered: 3, failed: 0, pending: 0 });
  });

  it('[REQ-PAY-003] [REQ-PAY-006] a webhook storm (3-D Secure, capture; duplicated, delayed, reordered): each event once', async () => {
    const p = await pay.api.authorize(ctx, {
      orderId: orderId(),
      amount: 990,
      currency: 'EUR',
      token: 'tok_threeDSecureRequired',
    });
    await fetch(`${p.nextActionUrl}?outcome=succeed`);
    const end = Date.now() + 5000;
    while ((await pay.api.get(ctx, p.id))?.status !== 'authorized' && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 20));
    }
    await pay.api.capture(ctx, p.id);
    const psp = await pay.sandbox();
    await psp?.webhooks.idle();
    const final = await pay.api.get(ctx, p.id);
    expect([final?.status, final?.capturedAmount]).toEqual(['captured', 990]);
    const r = await sql<{
      type: string;
    }>`select type from platform.outbox where aggregate_id = ${p.id} order by seq`.execute(t.kernel.db.k);
    expect(r.rows.map((x) => x.type)).toEqual([
      'payments.payment.requires_action',
      'payments.payment.authorized',
      'payments.payment.captured',
    ]);
    const seen = await sql<{ n: number }>`select count(*)::int as n from payments.webhook_events
      where provider_payment_id = ${p.providerPaymentId}`.execute(t.kernel.db.k);
    expect(Number(seen.rows[0]?.n)).toBe(3);
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
