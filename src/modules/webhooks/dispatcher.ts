// The dispatcher: claims due deliveries (skip locked, under a lease), sends each with no transaction open, then
// records the attempt and settles the delivery in one short transaction: delivered, retried later per the schedule,
// or failed; a failure also counts against the endpoint, which is disabled (once) when it reaches the limit.
// It runs as a scheduled job, and is also woken in-process after a fan-out and when a short retry falls due.
import { randomBytes } from 'node:crypto';
import { SpanKind, type Tracer } from '@opentelemetry/api';
import type { WebhooksConfig } from '../../platform/config-messaging.ts';
import { systemCtx } from '../../platform/context.ts';
import type { Db } from '../../platform/db/db.ts';
import { appendEvents } from '../../platform/events/outbox.ts';
import type { Logger } from '../../platform/observability/logger.ts';
import { inSpan, parentFrom } from '../../platform/observability/tracing.ts';
import { activeTraceparent } from '../../platform/observability/tracing-context.ts';
import type { Pii } from '../../platform/privacy/pii.ts';
import { type EndpointDisabledPayload, WEBHOOK_EVENTS } from './contract.ts';
import * as deliveries from './deliveries.repo.ts';
import * as endpoints from './endpoints.repo.ts';
import { type AttemptResult, postWebhook } from './http-post.ts';
import { SECRET_FIELD } from './secrets.ts';
import { signedHeaders } from './signing.ts';
import { TargetRefusedError, vetTarget } from './target-guard.ts';
import type { WebhookMetrics } from './webhooks.metrics.ts';

export interface DispatcherDeps {
  db: Db;
  pii: Pii;
  config: WebhooksConfig;
  logger: Logger;
  metrics: WebhookMetrics;
  /** A CLIENT span per attempt when tracing is on (docs/tracing.md). */
  tracer?: Tracer | undefined;
}

export interface Dispatcher {
  /** Sends what is due until nothing is left (or a batch comes back short). */
  runOnce(): Promise<number>;
  /** Runs `runOnce` in the background soon; calls while one runs make it go round once more. */
  wake(): void;
  stop(): Promise<void>;
}

/** Deliveries claimed per batch; they are sent concurrently. */
const BATCH = 16;
/** A retry due within this long is woken by a local timer rather than waiting for the next job tick. */
const LOCAL_TIMER_MAX_MS = 5_000;

export function createDispatcher(deps: DispatcherDeps): Dispatcher {
  const { db, pii, config, logger, metrics } = deps;
  // Longer than any attempt can take, so a live attempt's delivery is never claimed twice.
  const leaseMs = config.timeoutMs + 30_000;
  const timers = new Set<NodeJS.Timeout>();
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = false;

  async function attempt(d: deliveries.ClaimedDelivery, token: string): Promise<number | null> {
    const startedAt = new Date();
    let result: AttemptResult;
    try {
      // Checked again at every attempt: what the name resolves to may have changed since it was saved.
      const target = await vetTarget(d.url, config.allowPrivateTargets);
      const secrets = [pii.decrypt(SECRET_FIELD, d.secret_sealed)];
      if (d.previous_secret_sealed) secrets.push(pii.decrypt(SECRET_FIELD, d.previous_secret_sealed));
      // The attempt's span: its traceparent goes with the request (Standard Webhooks receivers ignore other headers).
      result = await inSpan(
        deps.tracer,
        'POST',
        {
          kind: SpanKind.CLIENT,
          parent: parentFrom(d.traceparent),
          attributes: {
            'http.request.method': 'POST',
            'server.address': target.url.hostname,
            'server.port': Number(target.url.port) || (target.url.protocol === 'https:' ? 443 : 80),
            'emporium.webhook.delivery_id': d.id,
            'emporium.webhook.attempt': d.attempts,
          },
        },
        async (span) => {
          const headers = { ...signedHeaders(secrets, d.id, d.body), ...activeTraceparent() };
          const r = await postWebhook(target, headers, d.body, config.timeoutMs);
          if (r.statusCode !== null) span?.setAttribute('http.response.status_code', r.statusCode);
          if (!r.ok) span?.setAttribute('error.type', r.statusCode !== null ? String(r.statusCode) : 'network');
          return r;
        },
      );
    } catch (e) {
      const error =
        e instanceof TargetRefusedError
          ? `webhooks.target_not_allowed: ${e.message}`
          : `error: ${(e as Error).message ?? String(e)}`;
      result = { ok: false, statusCode: null, error: error.slice(0, 500), latencyMs: Date.now() - startedAt.getTime() };
    }
    const rec: deliveries.AttemptRecord = { deliveryId: d.id, token, attempt: d.attempts, startedAt, ...result };
    const retryInMs = result.ok ? null : (config.retryScheduleMs[d.run_failures] ?? null);
    const outcome = result.ok ? 'delivered' : retryInMs === null ? 'failed' : 'retrying';
    metrics.attemptDuration.observe({ outcome: result.ok ? 'success' : 'failure' }, result.latencyMs / 1000);
    metrics.deliveries.inc({ outcome });
    await db.transaction(async (tx) => {
      // The endpoint first, then its deliveries, as staff edits do: concurrent attempts cannot deadlock.
      await endpoints.lockEndpoint(tx, d.endpoint_id);
      await deliveries.insertAttempt(tx, rec);
      const settled = await deliveries.settleAttempt(tx, rec, retryInMs);
      if (result.ok) {
        await endpoints.resetFailures(tx, d.endpoint_id);
        return;
      }
      if (!settled) return;
      const failures = await endpoints.countFailure(tx, d.endpoint_id);
      if (failures < config.disableAfterFailures) return;
      const disabled = await endpoints.disableForFailures(tx, d.endpoint_id, config.disableAfterFailures);
      if (!disabled) return;
      await deliveries.cancelPending(tx, d.endpoint_id, 'endpoint disabled after repeated failures');
      const payload: EndpointDisabledPayload = { endpointId: disabled.id, url: disabled.url, failures };
      await appendEvents(tx, systemCtx('webhooks.dispatch'), [
        { type: WEBHOOK_EVENTS.endpointDisabled, aggregateId: disabled.id, payload },
      ]);
      logger.warn({ endpointId: disabled.id, failures }, 'webhook endpoint disabled after repeated failures');
    });
    return retryInMs;
  }

  function wakeIn(ms: number): void {
    if (stopped || ms > LOCAL_TIMER_MAX_MS) return;
    const t = setTimeout(() => {
      timers.delete(t);
      dispatcher.wake();
    }, ms + 5);
    t.unref();
    timers.add(t);
  }

  async function batch(): Promise<number> {
    const token = randomBytes(12).toString('base64url');
    const claimed = await deliveries.claimDue(db.k, token, leaseMs, BATCH);
    const retries = await Promise.all(
      claimed.map((d) =>
        attempt(d, token).catch((e: unknown) => {
          // The attempt's record could not be written: its lease runs out and the delivery is tried again.
          logger.error({ deliveryId: d.id, err: (e as Error).message }, 'webhook attempt not recorded');
          return null;
        }),
      ),
    );
    for (const ms of retries) if (ms !== null) wakeIn(ms);
    return claimed.length;
  }

  const dispatcher: Dispatcher = {
    async runOnce() {
      let total = 0;
      for (;;) {
        const n = await batch();
        total += n;
        if (n < BATCH || stopped) return total;
      }
    },
    wake() {
      if (stopped) return;
      if (running) {
        again = true;
        return;
      }
      running = (async () => {
        do {
          again = false;
          await dispatcher.runOnce().catch((e: unknown) => {
            logger.warn({ err: (e as Error).message }, 'webhook dispatch failed; the next tick retries');
          });
        } while (again && !stopped);
      })().finally(() => {
        running = undefined;
      });
    },
    async stop() {
      stopped = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      await running;
    },
  };
  return dispatcher;
}
