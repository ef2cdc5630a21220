// Staff use cases over endpoints and their delivery log. Every input is checked before anything is written: URL
// (http(s), no credentials, a public target unless WEBHOOKS_ALLOW_PRIVATE_TARGETS), event types (public ones or `*`).
import type { WebhooksConfig } from '../../platform/config-messaging.ts';
import type { Db } from '../../platform/db/db.ts';
import { errors } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import type { Pii } from '../../platform/privacy/pii.ts';
import { type DeliveryStatus, WEBHOOK_ERRORS } from './contract.ts';
import * as deliveries from './deliveries.repo.ts';
import * as endpoints from './endpoints.repo.ts';
import { unknownEventTypes } from './event-catalog.ts';
import { SECRET_FIELD } from './secrets.ts';
import { newSecret } from './signing.ts';
import { TargetRefusedError, vetTarget } from './target-guard.ts';

export interface EndpointView {
  id: string;
  url: string;
  events: string[];
  description: string | null;
  enabled: boolean;
  disabledReason: 'manual' | 'failures' | null;
  consecutiveFailures: number;
  previousSecretExpiresAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export function endpointView(r: endpoints.EndpointRow): EndpointView {
  const overlap = r.previous_secret_expires_at && r.previous_secret_expires_at > new Date();
  return {
    id: r.id,
    url: r.url,
    events: r.event_types,
    description: r.description,
    enabled: r.enabled,
    disabledReason: r.disabled_reason,
    consecutiveFailures: r.consecutive_failures,
    previousSecretExpiresAt: overlap ? (r.previous_secret_expires_at?.toISOString() ?? null) : null,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}

export function deliveryView(d: deliveries.DeliveryRow) {
  return {
    id: d.id,
    endpointId: d.endpoint_id,
    eventId: d.event_id,
    eventType: d.event_type,
    status: d.status,
    attempts: d.attempts,
    lastStatusCode: d.last_status_code,
    lastError: d.last_error,
    lastLatencyMs: d.last_latency_ms,
    nextAttemptAt: d.status === 'pending' ? (d.next_attempt_at?.toISOString() ?? null) : null,
    deliveredAt: d.delivered_at?.toISOString() ?? null,
    createdAt: d.created_at.toISOString(),
  };
}

export function createEndpointsService(deps: { db: Db; pii: Pii; config: WebhooksConfig; wake: () => void }) {
  const { db, pii, config } = deps;

  async function checkUrl(url: string): Promise<void> {
    try {
      await vetTarget(url, config.allowPrivateTargets);
    } catch (e) {
      if (!(e instanceof TargetRefusedError)) throw e;
      const code = e.refusal.reason === 'invalid_url' ? WEBHOOK_ERRORS.invalidUrl : WEBHOOK_ERRORS.targetNotAllowed;
      throw errors.unprocessable(code, e.message, [{ field: '/body/url', message: e.message }]);
    }
  }

  function checkEvents(events: string[]): void {
    const unknown = unknownEventTypes(events);
    if (unknown.length) {
      throw errors.unprocessable(
        WEBHOOK_ERRORS.unknownEventType,
        `Unknown event types: ${unknown.join(', ')}. GET /v1/admin/webhooks/event-types lists the known ones.`,
        unknown.map((t) => ({ field: '/body/events', message: `unknown event type ${t}` })),
      );
    }
  }

  const notFound = (id: string) => errors.notFound(WEBHOOK_ERRORS.notFound, `No webhook endpoint ${id}.`);

  async function mustFind(id: string) {
    const row = await endpoints.findEndpoint(db.k, id);
    if (!row) throw notFound(id);
    return row;
  }

  return {
    async create(input: { url: string; events: string[]; description?: string | undefined }) {
      checkEvents(input.events);
      await checkUrl(input.url);
      const secret = newSecret();
      const row = await endpoints.insertEndpoint(db.k, {
        id: newId('whe'),
        url: input.url,
        description: input.description ?? null,
        eventTypes: input.events,
        secretSealed: pii.encrypt(SECRET_FIELD, secret),
      });
      return { ...endpointView(row), secret };
    },

    async list(q: { limit: number; cursor?: string | undefined }) {
      const rows = await endpoints.listEndpoints(db.k, q.limit + 1, q.cursor);
      const page = rows.slice(0, q.limit);
      return {
        items: page.map(endpointView),
        nextCursor: rows.length > q.limit ? (page[page.length - 1]?.id ?? null) : null,
      };
    },

    get: async (id: string) => endpointView(await mustFind(id)),

    async update(id: string, c: { url?: string; events?: string[]; description?: string | null; enabled?: boolean }) {
      if (c.events) checkEvents(c.events);
      if (c.url !== undefined) await checkUrl(c.url);
      const row = await db.transaction(async (tx) => {
        const r = await endpoints.updateEndpoint(tx, id, {
          ...(c.url !== undefined ? { url: c.url } : {}),
          ...(c.events !== undefined ? { eventTypes: c.events } : {}),
          ...(c.description !== undefined ? { description: c.description } : {}),
          ...(c.enabled !== undefined ? { enabled: c.enabled } : {}),
        });
        if (r && c.enabled === false) await deliveries.cancelPending(tx, id, 'endpoint disabled');
        return r;
      });
      if (!row) throw notFound(id);
      return endpointView(row);
    },

    async remove(id: string) {
      const done = await db.transaction(async (tx) => {
        if (!(await endpoints.softDeleteEndpoint(tx, id))) return false;
        await deliveries.cancelPending(tx, id, 'endpoint deleted');
        return true;
      });
      if (!done) throw notFound(id);
    },

    async rotateSecret(id: string) {
      const secret = newSecret();
      const row = await endpoints.rotateSecret(db.k, id, pii.encrypt(SECRET_FIELD, secret), config.secretOverlapHours);
      if (!row) throw notFound(id);
      return { secret, previousSecretExpiresAt: row.previous_secret_expires_at?.toISOString() ?? null };
    },

    async deliveries(
      id: string,
      q: { status?: DeliveryStatus | undefined; cursor?: string | undefined; limit: number },
    ) {
      await mustFind(id);
      const rows = await deliveries.listDeliveries(db.k, id, {
        status: q.status,
        before: q.cursor,
        limit: q.limit + 1,
      });
      const page = rows.slice(0, q.limit);
      return {
        items: page.map(deliveryView),
        nextCursor: rows.length > q.limit ? (page[page.length - 1]?.id ?? null) : null,
      };
    },

    async delivery(deliveryId: string) {
      const d = await deliveries.findDelivery(db.k, deliveryId);
      if (!d) throw errors.notFound(WEBHOOK_ERRORS.deliveryNotFound, `No webhook delivery ${deliveryId}.`);
      const attempts = await deliveries.attemptsOf(db.k, deliveryId);
      return {
        ...deliveryView(d),
        attemptLog: attempts.map((a) => ({
          attempt: a.attempt,
          startedAt: a.started_at.toISOString(),
          statusCode: a.status_code,
          error: a.error,
          latencyMs: a.latency_ms,
          succeeded: a.succeeded,
        })),
      };
    },

    async replay(deliveryId: string) {
      const d = await deliveries.findDelivery(db.k, deliveryId);
      if (!d) throw errors.notFound(WEBHOOK_ERRORS.deliveryNotFound, `No webhook delivery ${deliveryId}.`);
      const endpoint = await endpoints.findEndpoint(db.k, d.endpoint_id);
      if (!endpoint?.enabled) {
        throw errors.conflict(WEBHOOK_ERRORS.endpointDisabled, 'The endpoint is disabled or deleted; enable it first.');
      }
      const row = await deliveries.replay(db.k, deliveryId);
      if (!row) throw errors.conflict(WEBHOOK_ERRORS.deliveryInFlight, 'An attempt of this delivery is in flight.');
      deps.wake();
      return deliveryView(row);
    },
  };
}

export type EndpointsService = ReturnType<typeof createEndpointsService>;
