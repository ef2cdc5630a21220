// One app + one sandbox PSP shared by a payments test file: the app's payments module and the
// test's own PaymentsModule instance talk to the same sandbox with the same webhook secret.
import { sql } from 'kysely';
import { createPaymentsModule, type PaymentsModule } from '../../src/modules/payments/index.ts';
import { type SandboxPsp, signatureHeader, startSandboxPsp } from '../../src/modules/payments/testing.ts';
import { systemCtx } from '../../src/platform/context.ts';
import { createTestApp, type TestApp, type TestAppOptions } from './create-test-app.ts';
import { fakeAuth } from './fake-auth.ts';

export const WEBHOOK_SECRET = 'whsec_test_0123456789abcdef';
export const ctx = systemCtx('test');

export interface PaymentsHarness {
  t: TestApp;
  psp: SandboxPsp;
  pay: PaymentsModule;
  close(): Promise<void>;
}

export async function startPaymentsHarness(
  options: TestAppOptions & { timeoutMs?: number; slowResponseMs?: number } = {},
): Promise<PaymentsHarness> {
  const psp = await startSandboxPsp({
    webhookSecret: WEBHOOK_SECRET,
    processingDelayMs: 60_000,
    slowResponseMs: options.slowResponseMs ?? 20_000,
    retry: { baseMs: 20, maxMs: 200, maxAttempts: 30 },
  });
  const t = await createTestApp({
    authenticate: fakeAuth,
    ...options,
    env: {
      SANDBOX_PSP_URL: psp.url,
      SANDBOX_WEBHOOK_SECRET: WEBHOOK_SECRET,
      SANDBOX_PSP_TIMEOUT_MS: String(options.timeoutMs ?? 5000),
      ...options.env,
    },
  });
  const pay = createPaymentsModule({ kernel: t.kernel });
  return {
    t,
    psp,
    pay,
    async close() {
      await t.close();
      await psp.close();
    },
  };
}

/** A webhook body and its valid signature, as the sandbox would send it. */
export function signedEvent(event: { id: string; type: string; object: object }, secret = WEBHOOK_SECRET, ts?: number) {
  const body = JSON.stringify({ id: event.id, type: event.type, created: 0, data: { object: event.object } });
  return { body, signature: signatureHeader(secret, body, ts) };
}

export async function outboxTypes(h: PaymentsHarness, paymentId: string): Promise<string[]> {
  const r = await sql<{
    type: string;
  }>`select type from platform.outbox where aggregate_id = ${paymentId} order by seq`.execute(h.t.kernel.db.k);
  return r.rows.map((x) => x.type);
}

export async function count(h: PaymentsHarness, table: string): Promise<number> {
  const r = await sql<{ n: number }>`select count(*)::int as n from ${sql.raw(table)}`.execute(h.t.kernel.db.k);
  return Number(r.rows[0]?.n);
}

let seq = 0;
export const orderId = () => `ord_test_${Date.now().toString(36)}_${++seq}`;
