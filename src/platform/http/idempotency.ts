// Idempotency-Key (IETF httpapi-idempotency-key-header) as a route option:
//   config: { access: …, idempotency: true }            — the key is optional
//   config: { access: …, idempotency: { required: true } } — a missing key → 400 idempotency.key_required
// The key is scoped to the caller and the route (method + pattern). The first response (status,
// the headers that matter, body) is stored in PostgreSQL and replayed for a retry with the same key
// and the same request (URL + body); the same key with another request → 422 idempotency.key_reused;
// a retry while the first is still running → 409 idempotency.in_progress with Retry-After. A key is 1 to 255
// printable ASCII characters without spaces (idempotency-key.ts); another → 400 request.validation_failed.
// 5xx responses are not stored (the key is released so a retry runs again). Keys expire after
// IDEMPOTENCY_TTL_SECONDS (24 h by default); a scheduled job deletes expired ones.
import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sql } from 'kysely';
import { Type } from 'typebox';
import type { Db } from '../db/db.ts';
import { errors } from '../errors.ts';
import type { ScheduledJob } from '../jobs/job.ts';
import type { Logger } from '../observability/logger.ts';
import { isSealed } from '../privacy/data-keys.ts';
import type { KeyRotationPart, Privacy } from '../privacy/privacy.ts';
import { idempotencyErrors } from './idempotency-errors.ts';
import { IDEMPOTENCY_KEY_FORMAT, idempotencyKeySchema, isIdempotencyKey } from './idempotency-key.ts';
import { problemResponse } from './problem.ts';
import type { App } from './server.ts';

export type IdempotencyOption = boolean | { required?: boolean };

declare module 'fastify' {
  interface FastifyContextConfig {
    idempotency?: IdempotencyOption;
  }
  interface FastifyRequest {
    idempotencyRecord?: { scope: string; key: string; release?: boolean } | undefined;
    /**
     * The data key subject (privacy/data-keys.ts) of the personal data in this response: a stored answer is then
     * sealed under it, so erasing the subject shreds the stored answer too. Without it, the master key seals it.
     */
    privacySubject?: string;
  }
}

export interface IdempotencyOptions {
  db: Db;
  /** Stored answers are sealed: under the request's `privacySubject` data key, else under the master key. */
  privacy: Privacy;
  logger: Logger;
  ttlSeconds: number;
  /** How long a first request may run before a retry may take the key over (it crashed). */
  lockSeconds?: number;
}

const STORED_HEADERS = ['content-type', 'location', 'etag', 'last-modified', 'cache-control'];

/** Canonical JSON (sorted keys), so the same body in another key order is the same request. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** Who is calling: the actor, or for guests the cart/order token they present (hashed), else the IP. */
export function callerScope(request: FastifyRequest): string {
  const a = request.ctx?.actor ?? { kind: 'anonymous' };
  switch (a.kind) {
    case 'customer':
    case 'staff':
      return `user:${a.userId}`;
    case 'api_key':
      return `key:${a.keyId}`;
    case 'system':
      return `system:${a.name}`;
    default: {
      const token = request.headers['x-cart-token'] ?? request.headers['x-order-token'];
      return typeof token === 'string' ? `guest:${sha256(token).slice(0, 32)}` : `ip:${request.ip}`;
    }
  }
}

interface KeyRow {
  request_hash: string;
  status: 'in_progress' | 'done';
  response_status: number | null;
  response_headers: Record<string, string> | null;
  response_body: string | null;
  expired: boolean;
  locked: boolean;
}

function optionOf(request: FastifyRequest): { required: boolean } | undefined {
  const o = request.routeOptions.config?.idempotency;
  if (!o) return undefined;
  return { required: o === true ? false : o.required === true };
}

export function installIdempotency(app: App, options: IdempotencyOptions): void {
  const { db, logger, ttlSeconds, privacy } = options;
  const store = storedBodies(privacy);
  privacy.register({ name: 'idempotency', rotation: [idempotencyRotation(db, privacy)] });
  const lockSeconds = options.lockSeconds ?? 60;
  app.decorateRequest('idempotencyRecord', undefined);

  // Document the header and the extra problem responses on every route that opts in.
  app.addHook('onRoute', (route) => {
    if (!route.config?.idempotency || !route.schema) return;
    // A route that requires the key declares it required; its absence still answers 400 idempotency.key_required.
    const required = route.config.idempotency !== true && route.config.idempotency.required === true;
    const keySchema = idempotencyKeySchema('A unique key per operation (e.g. a UUID)');
    const header = required ? keySchema : Type.Optional(keySchema);
    const own = route.schema.headers as { type?: string; properties?: Record<string, unknown> } | undefined;
    if (!own) route.schema.headers = Type.Object({ 'idempotency-key': header });
    else if (own.type === 'object' && own.properties && !('idempotency-key' in own.properties)) {
      route.schema.headers = Type.Object({
        ...(own.properties as Record<string, ReturnType<typeof Type.String>>),
        'idempotency-key': header,
      });
    }
    const response = (route.schema.response ?? {}) as Record<string, unknown>;
    response['409'] ??= problemResponse('A request with this Idempotency-Key is still in progress (Retry-After)');
    response['422'] ??= problemResponse('The Idempotency-Key was used for a different request');
    route.schema.response = response;
  });

  app.addHook('preHandler', async (request, reply) => {
    const option = optionOf(request);
    if (!option) return;
    const raw = request.headers['idempotency-key'];
    const key = Array.isArray(raw) ? raw[0] : raw;
    if (key === undefined || key === '') {
      if (option.required) throw idempotencyErrors.required();
      return;
    }
    // A route without a header schema: refused as validation would refuse it.
    if (!isIdempotencyKey(key)) {
      const field = { field: 'headers/idempotency-key', message: `must be ${IDEMPOTENCY_KEY_FORMAT}` };
      throw errors.validation([field], `${field.field} ${field.message}`);
    }
    const scope = `${callerScope(request)}|${request.method} ${request.routeOptions.url ?? request.url}`;
    const hash = sha256(`${request.url}\n${canonical(request.body)}`);
    for (let round = 0; round < 3; round++) {
      const inserted = await sql<{ key: string }>`
        insert into platform.idempotency_keys (scope, key, request_hash, status, locked_until, expires_at)
        values (${scope}, ${key}, ${hash}, 'in_progress', now() + ${lockSeconds} * interval '1 second',
          now() + ${ttlSeconds} * interval '1 second')
        on conflict (scope, key) do nothing returning key`.execute(db.k);
      if (inserted.rows.length === 1) {
        request.idempotencyRecord = { scope, key };
        return;
      }
      const found = await sql<KeyRow>`
        select request_hash, status, response_status, response_headers, response_body,
          expires_at <= now() as expired, coalesce(locked_until > now(), false) as locked
        from platform.idempotency_keys where scope = ${scope} and key = ${key}`.execute(db.k);
      const row = found.rows[0];
      if (!row) continue;
      if (row.expired) {
        await sql`delete from platform.idempotency_keys
          where scope = ${scope} and key = ${key} and expires_at <= now()`.execute(db.k);
        continue;
      }
      if (row.request_hash !== hash) throw idempotencyErrors.reused();
      if (row.status === 'done') {
        const body = row.response_body === null ? '' : await store.open(row.response_body);
        // The answer's subject was erased (its data key is gone): as if the key had expired.
        if (body === null) {
          await sql`delete from platform.idempotency_keys where scope = ${scope} and key = ${key}`.execute(db.k);
          continue;
        }
        return replay(reply, row, body);
      }
      if (row.locked) throw idempotencyErrors.inProgress(1);
      // The first request's process died: take the key over (one taker wins).
      const taken = await sql<{ key: string }>`update platform.idempotency_keys
        set locked_until = now() + ${lockSeconds} * interval '1 second'
        where scope = ${scope} and key = ${key} and status = 'in_progress' and locked_until <= now()
        returning key`.execute(db.k);
      if (taken.rows.length === 1) {
        request.idempotencyRecord = { scope, key };
        return;
      }
      throw idempotencyErrors.inProgress(1);
    }
    throw idempotencyErrors.inProgress(1);
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const record = request.idempotencyRecord;
    if (!record) return payload;
    request.idempotencyRecord = undefined;
    const status = reply.statusCode;
    const body = typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : null;
    try {
      if (status >= 500 || body === null || record.release) {
        await sql`delete from platform.idempotency_keys where scope = ${record.scope} and key = ${record.key}`.execute(
          db.k,
        );
        return payload;
      }
      const headers: Record<string, string> = {};
      for (const h of STORED_HEADERS) {
        const v = reply.getHeader(h);
        if (v !== undefined) headers[h] = String(v);
      }
      await sql`update platform.idempotency_keys
        set status = 'done', locked_until = null, response_status = ${status},
          response_headers = ${JSON.stringify(headers)}::jsonb,
          response_body = ${await store.seal(body, request.privacySubject)}
        where scope = ${record.scope} and key = ${record.key}`.execute(db.k);
    } catch (e) {
      logger.error({ err: (e as Error).message }, 'could not store the idempotent response');
    }
    return payload;
  });
}

/**
 * For an operation that is idempotent by its own key and must not be answered from the store (GraphQL's
 * `placeOrder` follows its checkout attempt, so a 202-like answer later becomes the order): the key taken for this
 * request is released when the response is sent, as after a 5xx, so a retry runs again.
 */
export function releaseIdempotencyKey(request: FastifyRequest): void {
  if (request.idempotencyRecord) request.idempotencyRecord.release = true;
}

function replay(reply: FastifyReply, row: KeyRow, body: string): FastifyReply {
  reply.code(row.response_status ?? 200);
  for (const [h, v] of Object.entries(row.response_headers ?? {})) reply.header(h, v);
  reply.header('idempotent-replayed', 'true');
  // The body is the exact bytes sent the first time: bypass the route's serializer.
  return reply.serializer((p: unknown) => p as string).send(body);
}

const BODY_FIELD = 'idempotency.response_body';

/** Stored answers hold personal data (an order's address): sealed at rest, opened for a replay. */
function storedBodies(privacy: Privacy) {
  return {
    async seal(body: string, subject: string | undefined): Promise<string> {
      if (!subject) return privacy.pii.encrypt(BODY_FIELD, body);
      return privacy.dataKeys.seal(await privacy.dataKeys.forSubject(subject), BODY_FIELD, body);
    },
    /** The answer, or null when its subject was erased. Rows from before sealing are plain JSON. */
    async open(stored: string): Promise<string | null> {
      if (isSealed(stored)) return privacy.dataKeys.open(BODY_FIELD, stored);
      if (stored.startsWith('v1.')) return privacy.pii.decrypt(BODY_FIELD, stored);
      return stored;
    },
  };
}

/** Key rotation: stored answers under an old master key (or from before sealing) re-encrypted under the active one. */
function idempotencyRotation(db: Db, privacy: Privacy): KeyRotationPart {
  const stale = sql<boolean>`response_body is not null and response_body not like 's1.%'
    and response_body not like ${`v1.${privacy.pii.activeKeyId}.%`}`;
  return {
    name: 'platform.idempotency_keys',
    async remaining() {
      const r = await sql<{ n: string }>`select count(*) as n from platform.idempotency_keys where ${stale}`.execute(
        db.k,
      );
      return Number(r.rows[0]?.n ?? 0);
    },
    async batch(limit) {
      const rows = await sql<{ scope: string; key: string; response_body: string }>`
        select scope, key, response_body from platform.idempotency_keys where ${stale} limit ${limit}`.execute(db.k);
      let changed = 0;
      for (const r of rows.rows) {
        const plain = r.response_body.startsWith('v1.')
          ? privacy.pii.decrypt(BODY_FIELD, r.response_body)
          : r.response_body;
        const u =
          await sql`update platform.idempotency_keys set response_body = ${privacy.pii.encrypt(BODY_FIELD, plain)}
          where scope = ${r.scope} and key = ${r.key} and response_body = ${r.response_body}`.execute(db.k);
        changed += Number(u.numAffectedRows ?? 0);
      }
      return changed;
    },
  };
}

/** Deletes expired keys in batches (a kernel job registered in app.ts). */
export function idempotencyCleanupJob(db: Db, intervalMs = 10 * 60_000): ScheduledJob {
  return {
    name: 'platform.idempotency_keys_cleanup',
    intervalMs,
    async run() {
      for (let i = 0; i < 100; i++) {
        const r = await sql`delete from platform.idempotency_keys where ctid in (
          select ctid from platform.idempotency_keys where expires_at <= now() limit 1000)`.execute(db.k);
        if (Number(r.numAffectedRows ?? 0) < 1000) break;
      }
    },
  };
}
