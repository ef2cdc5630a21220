// The client of the sandbox PSP (sandbox/sandbox-server.ts), over real HTTP with a timeout.

import { activeTraceparent } from '../../../platform/observability/tracing-context.ts';
import {
  InvalidSignatureError,
  type PaymentProvider,
  type ProviderAuthorizeInput,
  type ProviderPayment,
  ProviderRejectedError,
  ProviderUnavailableError,
} from '../provider.ts';
import type { SandboxPayment } from '../sandbox/sandbox-server.ts';
import { SIGNATURE_HEADER, verifySignature } from '../webhook-signature.ts';

function toProvider(p: SandboxPayment): ProviderPayment {
  return {
    id: p.id,
    status: p.status,
    amount: p.amount,
    currency: p.currency,
    capturedAmount: p.amount_captured,
    refundedAmount: p.amount_refunded,
    nextActionUrl: p.next_action_url,
    failureCode: p.failure_code,
    paymentId: p.metadata?.paymentId ?? null,
    createdAt: new Date(p.created),
  };
}

export function createSandboxProvider(options: {
  /** The sandbox's base URL, possibly not known yet (embedded sandbox starting). */
  baseUrl: () => Promise<string>;
  webhookSecret: string;
  timeoutMs: number;
}): PaymentProvider {
  const call = async <T>(
    method: string,
    path: string,
    body?: unknown,
    key?: string,
  ): Promise<{ status: number; json: T }> => {
    const base = await options.baseUrl();
    let res: Response;
    try {
      res = await fetch(`${base}${path}`, {
        method,
        headers: {
          ...activeTraceparent(),
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...(key ? { 'idempotency-key': key } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(options.timeoutMs),
      });
    } catch (e) {
      throw new ProviderUnavailableError(`sandbox ${method} ${path}: ${(e as Error).name}`, { cause: e });
    }
    let json: unknown;
    try {
      json = await res.json();
    } catch (e) {
      throw new ProviderUnavailableError(`sandbox ${method} ${path}: unreadable answer`, { cause: e });
    }
    if (res.status >= 500) throw new ProviderUnavailableError(`sandbox ${method} ${path}: ${res.status}`);
    if (res.status >= 400 && res.status !== 402) {
      const err = (json as { error?: { code?: string; message?: string } }).error;
      throw new ProviderRejectedError(err?.code ?? 'rejected', err?.message ?? `status ${res.status}`);
    }
    return { status: res.status, json: json as T };
  };

  return {
    name: 'sandbox',
    async authorize(input: ProviderAuthorizeInput) {
      const { status, json } = await call<SandboxPayment | { error: { payment: SandboxPayment } }>(
        'POST',
        '/v1/payments',
        {
          amount: input.amount,
          currency: input.currency,
          token: input.token,
          ...(input.returnUrl ? { return_url: input.returnUrl } : {}),
          metadata: { paymentId: input.paymentId, orderId: input.orderId },
        },
        input.idempotencyKey,
      );
      return toProvider(
        status === 402 ? (json as { error: { payment: SandboxPayment } }).error.payment : (json as SandboxPayment),
      );
    },
    async findByIdempotencyKey(key) {
      const { json } = await call<{ items: SandboxPayment[] }>(
        'GET',
        `/v1/payments?idempotency_key=${encodeURIComponent(key)}`,
      );
      const found = json.items[0];
      return found ? toProvider(found) : undefined;
    },
    async capture(id, amount, key) {
      const { json } = await call<SandboxPayment>(
        'POST',
        `/v1/payments/${encodeURIComponent(id)}/capture`,
        { amount },
        key,
      );
      return toProvider(json);
    },
    async void(id, key) {
      const { json } = await call<SandboxPayment>('POST', `/v1/payments/${encodeURIComponent(id)}/void`, {}, key);
      return toProvider(json);
    },
    async refund(id, amount, key) {
      const { json } = await call<{ id: string; amount: number }>(
        'POST',
        `/v1/payments/${encodeURIComponent(id)}/refunds`,
        { amount },
        key,
      );
      return { id: json.id, amount: json.amount };
    },
    async retrieve(id) {
      const { json } = await call<SandboxPayment>('GET', `/v1/payments/${encodeURIComponent(id)}`);
      return toProvider(json);
    },
    async list(from, to) {
      const { json } = await call<{ items: SandboxPayment[] }>(
        'GET',
        `/v1/payments?created_gte=${from.getTime()}&created_lt=${to.getTime()}`,
      );
      return json.items.map(toProvider);
    },
    verifyAndParseWebhook(rawBody, headers) {
      const header = headers[SIGNATURE_HEADER];
      verifySignature(options.webhookSecret, rawBody, typeof header === 'string' ? header : undefined);
      let event: {
        id?: unknown;
        type?: unknown;
        data?: { object?: { id?: unknown; metadata?: { paymentId?: unknown } } };
      };
      try {
        event = JSON.parse(rawBody);
      } catch {
        throw new InvalidSignatureError('The signed body is not JSON.');
      }
      if (typeof event.id !== 'string' || typeof event.type !== 'string') {
        throw new InvalidSignatureError('The signed body is not an event.');
      }
      const pid = event.data?.object?.id;
      const ours = event.data?.object?.metadata?.paymentId;
      const shown = event.data?.object as Partial<SandboxPayment> | undefined;
      return {
        id: event.id,
        type: event.type,
        providerPaymentId: typeof pid === 'string' ? pid : null,
        paymentId: typeof ours === 'string' ? ours : null,
        ...(typeof shown?.id === 'string' && typeof shown.status === 'string'
          ? { payment: toProvider(shown as SandboxPayment) }
          : {}),
      };
    },
  };
}
