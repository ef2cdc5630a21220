// Test helpers for other modules' and cross-module tests: the sandbox PSP, webhook signing, and the
// pieces needed to imitate provider failures. Not for production code.
export { createPaymentsService } from './payments.service.ts';
export { ProviderUnavailableError } from './provider.ts';
export { type SandboxPayment, type SandboxPsp, startSandboxPsp } from './sandbox/sandbox-server.ts';
export { chaosFrom } from './sandbox/webhook-sender.ts';
export { signatureHeader } from './webhook-signature.ts';
