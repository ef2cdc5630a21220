// Stripe through the official SDK: PaymentIntents with manual capture, idempotency keys on every
// mutating call, webhooks verified with stripe.webhooks.constructEvent. The secret key is only
// handed to the SDK; it never reaches a log line or an error message.
import { createRequire } from 'node:module';
import type Stripe from 'stripe';
import {
  INVALID_TOKEN,
  InvalidSignatureError,
  type PaymentProvider,
  type ProviderPayment,
  ProviderRejectedError,
  ProviderUnavailableError,
} from '../provider.ts';

type Intent = Stripe.PaymentIntent;

// The SDK (about 100 ms and 20 MB to load) loads when a Stripe provider is made, not when this file is imported: a
// shop on the sandbox never loads it.
const requireCjs = createRequire(import.meta.url);

export function fromIntent(pi: Intent): ProviderPayment {
  const charge = typeof pi.latest_charge === 'object' && pi.latest_charge ? pi.latest_charge : undefined;
  const status: ProviderPayment['status'] =
    pi.status === 'requires_capture'
      ? 'authorized'
      : pi.status === 'succeeded'
        ? 'captured'
        : pi.status === 'canceled'
          ? 'voided'
          : pi.status === 'requires_action'
            ? 'requires_action'
            : pi.status === 'processing'
              ? 'processing'
              : 'failed';
  return {
    id: pi.id,
    status,
    amount: pi.amount,
    currency: pi.currency.toUpperCase(),
    capturedAmount: pi.amount_received ?? 0,
    refundedAmount: charge?.amount_refunded ?? 0,
    nextActionUrl: pi.next_action?.redirect_to_url?.url ?? null,
    failureCode:
      status === 'failed' ? (pi.last_payment_error?.decline_code ?? pi.last_payment_error?.code ?? 'failed') : null,
    paymentId: pi.metadata?.paymentId ?? null,
    createdAt: new Date(pi.created * 1000),
  };
}

function mapError(e: unknown): Error {
  const err = e as { type?: string; code?: string; message?: string };
  if (err?.type === 'StripeConnectionError' || err?.type === 'StripeAPIError' || err?.type === 'StripeRateLimitError') {
    return new ProviderUnavailableError(`stripe: ${err.type}`, { cause: e });
  }
  if (err?.type?.startsWith('Stripe')) return new ProviderRejectedError(err.code ?? err.type, `stripe: ${err.type}`);
  return e as Error;
}

export function createStripeProvider(options: {
  secretKey: string;
  webhookSecret: string;
  timeoutMs: number;
  /** A local fake in tests. */
  host?: string;
  port?: number;
  protocol?: 'http' | 'https';
}): PaymentProvider {
  const StripeSdk = requireCjs('stripe') as typeof Stripe;
  const stripe = new StripeSdk(options.secretKey, {
    maxNetworkRetries: 0,
    timeout: options.timeoutMs,
    telemetry: false,
    ...(options.host ? { host: options.host, port: options.port, protocol: options.protocol ?? 'https' } : {}),
  });
  const guard = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (e) {
      throw mapError(e);
    }
  };
  const list = async (params: Stripe.PaymentIntentListParams) =>
    guard(() =>
      stripe.paymentIntents
        .list({ ...params, limit: 100, expand: ['data.latest_charge'] })
        .autoPagingToArray({ limit: 10_000 }),
    );

  return {
    name: 'stripe',
    async authorize(input) {
      try {
        const pi = await stripe.paymentIntents.create(
          {
            amount: input.amount,
            currency: input.currency.toLowerCase(),
            payment_method: input.token,
            capture_method: 'manual',
            confirm: true,
            ...(input.returnUrl ? { return_url: input.returnUrl } : {}),
            metadata: { paymentId: input.paymentId, orderId: input.orderId, idempotencyKey: input.idempotencyKey },
          },
          { idempotencyKey: input.idempotencyKey },
        );
        return fromIntent(pi);
      } catch (e) {
        const err = e as { type?: string; param?: string; raw?: { payment_intent?: Intent } };
        if (err?.type === 'StripeCardError' && err.raw?.payment_intent) return fromIntent(err.raw.payment_intent);
        // No such PaymentMethod: the token is unknown (the client's input, not a state of the payment).
        if (err?.type === 'StripeInvalidRequestError' && err.param === 'payment_method') {
          throw new ProviderRejectedError(INVALID_TOKEN, 'stripe: unknown payment method');
        }
        throw mapError(e);
      }
    },
    async findByIdempotencyKey(key, createdAfter) {
      const items = await list({ created: { gte: Math.floor(createdAfter.getTime() / 1000) } });
      const pi = items.find((i) => i.metadata?.idempotencyKey === key);
      return pi ? fromIntent(pi) : undefined;
    },
    capture: async (id, amount, idempotencyKey) =>
      fromIntent(
        await guard(() => stripe.paymentIntents.capture(id, { amount_to_capture: amount }, { idempotencyKey })),
      ),
    void: async (id, idempotencyKey) =>
      fromIntent(await guard(() => stripe.paymentIntents.cancel(id, {}, { idempotencyKey }))),
    async refund(id, amount, idempotencyKey) {
      const r = await guard(() => stripe.refunds.create({ payment_intent: id, amount }, { idempotencyKey }));
      return { id: r.id, amount: r.amount };
    },
    retrieve: async (id) =>
      fromIntent(await guard(() => stripe.paymentIntents.retrieve(id, { expand: ['latest_charge'] }))),
    async list(from, to) {
      const items = await list({
        created: { gte: Math.floor(from.getTime() / 1000), lt: Math.ceil(to.getTime() / 1000) },
      });
      return items.map(fromIntent);
    },
    verifyAndParseWebhook(rawBody, headers) {
      const sig = headers['stripe-signature'];
      if (typeof sig !== 'string' || !sig) throw new InvalidSignatureError('The Stripe-Signature header is missing.');
      let event: Stripe.Event;
      try {
        event = stripe.webhooks.constructEvent(rawBody, sig, options.webhookSecret, 300);
      } catch (e) {
        throw new InvalidSignatureError(`Stripe signature check failed: ${(e as Error).message.split('\n')[0]}`);
      }
      const obj = event.data.object as {
        object?: string;
        id?: string;
        payment_intent?: unknown;
        metadata?: Record<string, string>;
      };
      const piId =
        obj.object === 'payment_intent'
          ? (obj.id ?? null)
          : typeof obj.payment_intent === 'string'
            ? obj.payment_intent
            : null;
      return {
        id: event.id,
        type: event.type,
        providerPaymentId: piId,
        paymentId: obj.object === 'payment_intent' ? (obj.metadata?.paymentId ?? null) : null,
        ...(obj.object === 'payment_intent' ? { payment: fromIntent(event.data.object as Intent) } : {}),
      };
    },
  };
}
