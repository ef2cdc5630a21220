// Payments routes: provider webhooks (raw body, signature checked), staff refunds and the
// reconciliation report; plus the app-wide guard that refuses card numbers in request bodies.
import { AppError, errors } from '../../platform/errors.ts';
import { access } from '../../platform/http/auth.ts';
import { problemResponse } from '../../platform/http/problem.ts';
import type { App } from '../../platform/http/server.ts';
import { findCardNumber } from './card-data.ts';
import { PAYMENT_ERRORS, type PaymentsApi } from './contract.ts';
import * as s from './payments.schemas.ts';
import type { ReconciliationReport } from './reconcile.ts';
import type { createWebhookHandler } from './webhooks.service.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** false: the card-number guard does not scan this route (signed provider webhooks). */
    cardDataGuard?: boolean;
  }
}

export interface PaymentsHttpDeps {
  api: PaymentsApi;
  handleWebhook: ReturnType<typeof createWebhookHandler>;
  latestReports: (limit: number) => Promise<ReconciliationReport[]>;
  /** Called with the port once the app listens (the embedded sandbox's webhook target). */
  onListen?: (port: number) => Promise<void>;
}

/** Refuses, before validation and any handler, a request carrying what looks like a card number. */
export function installCardDataGuard(http: App): void {
  http.addHook('preValidation', async (request) => {
    if (request.routeOptions.config?.cardDataGuard === false) return;
    const where = findCardNumber(request.body, '/body') ?? findCardNumber(request.query, '/query');
    if (!where) return;
    // Only the location is logged, never the value.
    request.log.warn({ field: where, route: request.routeOptions.url }, 'request refused: card data');
    throw new AppError(400, PAYMENT_ERRORS.cardDataRefused, 'Card data refused', {
      detail: `The field ${where} looks like a card number. Send a payment provider token instead; card data is never accepted.`,
    });
  });
}

export function registerPaymentsRoutes(http: App, deps: PaymentsHttpDeps): void {
  installCardDataGuard(http);
  const onListen = deps.onListen;
  if (onListen) {
    http.addHook('onListen', async () => {
      const addr = http.server.address();
      if (addr && typeof addr !== 'string') await onListen(addr.port);
    });
  }

  // The webhook needs the exact bytes received, so this scope parses JSON as a raw string.
  http.register(async (scope) => {
    scope.removeContentTypeParser('application/json');
    scope.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => done(null, body));
    scope.post(
      '/v1/payments/webhooks/:provider',
      {
        schema: {
          tags: ['payments'],
          summary: 'Receive a payment provider webhook',
          description:
            'Signature checked on the raw body (sandbox: `Emporium-Signature`, Stripe: `Stripe-Signature`, 5-minute tolerance); ' +
            'de-duplicated by the provider event id; the payment status is re-read from the provider before any transition.',
          params: s.WebhookParams,
          response: {
            200: s.WebhookAck,
            400: problemResponse('Missing, forged or stale signature (payments.invalid_signature)'),
            404: problemResponse('Unknown provider (payments.unknown_provider)'),
            503: problemResponse('The provider could not be asked for the payment status; redeliver later'),
          },
        },
        config: { access: access.public, cardDataGuard: false },
      },
      async (request) => {
        const raw = typeof request.body === 'string' ? request.body : '';
        const r = await deps.handleWebhook(
          request.ctx,
          (request.params as { provider: string }).provider,
          raw,
          request.headers,
        );
        return { received: true, ...r };
      },
    );
  });

  http.post(
    '/v1/admin/orders/:orderId/refunds',
    {
      schema: {
        tags: ['payments'],
        summary: "Refund part or all of an order's captured payment",
        description: 'Idempotent on the Idempotency-Key header; concurrent refunds never exceed the captured amount.',
        params: s.RefundParams,
        headers: s.RefundHeaders,
        body: s.RefundBody,
        response: {
          201: s.RefundResponse,
          401: problemResponse('Not authenticated'),
          403: problemResponse('Missing permission payments:refund'),
          404: problemResponse('The order has no payment (payments.not_found)'),
          409: problemResponse('Not captured, or more than the refundable amount (payments.refund_exceeds_captured)'),
          422: problemResponse('Invalid amount'),
          503: problemResponse('The provider did not answer; retry with the same Idempotency-Key'),
        },
      },
      config: { access: access.permission('payments:refund') },
    },
    async (request, reply) => {
      const key = request.ctx.idempotencyKey;
      if (!key) throw errors.badRequest(PAYMENT_ERRORS.idempotencyKeyRequired, 'Send an Idempotency-Key header.');
      const payment = await deps.api.getByOrderId(request.ctx, request.params.orderId);
      if (!payment) throw errors.notFound(PAYMENT_ERRORS.notFound, `Order ${request.params.orderId} has no payment.`);
      const amount = request.body.amount ?? payment.capturedAmount - payment.refundedAmount;
      if (amount <= 0 && request.body.amount === undefined) {
        throw errors.conflict(PAYMENT_ERRORS.refundExceedsCaptured, 'Nothing captured is left to refund.');
      }
      const r = await deps.api.refund(request.ctx, payment.id, amount, key, request.body.reason);
      return reply.code(201).send({
        id: r.id,
        paymentId: r.paymentId,
        orderId: r.orderId,
        amount: { amount: r.amount, currency: r.currency },
        reason: r.reason,
        status: r.status,
        createdAt: r.createdAt,
      });
    },
  );

  http.get(
    '/v1/admin/payments/reconciliation',
    {
      schema: {
        tags: ['payments'],
        summary: 'Latest reconciliation reports (drifts the job could not repair)',
        querystring: s.ReconciliationQuery,
        response: {
          200: s.ReconciliationResponse,
          401: problemResponse('Not authenticated'),
          403: problemResponse('Missing permission payments:read'),
        },
      },
      config: { access: access.permission('payments:read') },
    },
    async (request) => ({ items: await deps.latestReports(request.query.limit ?? 1) }),
  );
}
