// `npm run psp:sandbox`: the sandbox PSP on its own. Point the app at it with SANDBOX_PSP_URL and a
// shared SANDBOX_WEBHOOK_SECRET. Settings: SANDBOX_PSP_PORT (4010), SANDBOX_WEBHOOK_URL
// (http://127.0.0.1:3000/v1/payments/webhooks/sandbox), SANDBOX_CHAOS, SANDBOX_CHAOS_DELAY_MS,
// SANDBOX_PROCESSING_DELAY_MS (2000), SANDBOX_SLOW_RESPONSE_MS (30000).
import { startSandboxPsp } from './sandbox-server.ts';
import { chaosFrom } from './webhook-sender.ts';

const env = process.env;
const secret = env.SANDBOX_WEBHOOK_SECRET;
if (!secret || secret.length < 16) {
  process.stderr.write('SANDBOX_WEBHOOK_SECRET must be set (at least 16 characters), the same as the app uses.\n');
  process.exit(1);
}
const num = (name: string, def: number) => {
  const v = env[name];
  if (v === undefined || v === '') return def;
  if (!/^\d+$/.test(v)) {
    process.stderr.write(`${name} must be an integer\n`);
    process.exit(1);
  }
  return Number(v);
};
const psp = await startSandboxPsp({
  port: num('SANDBOX_PSP_PORT', 4010),
  host: env.SANDBOX_PSP_HOST ?? '127.0.0.1',
  webhookUrl: env.SANDBOX_WEBHOOK_URL ?? 'http://127.0.0.1:3000/v1/payments/webhooks/sandbox',
  webhookSecret: secret,
  chaos: chaosFrom(
    (env.SANDBOX_CHAOS ?? '').split(',').map((s) => s.trim()),
    num('SANDBOX_CHAOS_DELAY_MS', 2000),
  ),
  processingDelayMs: num('SANDBOX_PROCESSING_DELAY_MS', 2000),
  slowResponseMs: num('SANDBOX_SLOW_RESPONSE_MS', 30_000),
});
process.stdout.write(`Sandbox PSP listening on ${psp.url}\n`);
const stop = () => void psp.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
