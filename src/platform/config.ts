// Configuration: every environment variable is parsed and validated once, at start.
// The first bad value stops start-up with one line naming the variable and what is expected.

import {
  type MailConfig,
  mailConfig,
  type ShopConfig,
  shopConfig,
  type WebhooksConfig,
  webhooksConfig,
} from './config-messaging.ts';
import { type TracingConfig, tracingConfig } from './config-observability.ts';
import { ConfigError, type Env, int, oneOf, redactUrl, str, url } from './config-parse.ts';
import { type SentryConfig, sentryConfig } from './config-sentry.ts';
import { isCurrencyCode } from './iso-codes.ts';

export { ConfigError, redactUrl };

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface Config {
  env: 'development' | 'production' | 'test';
  host: string;
  port: number;
  /** PostgreSQL URL, or undefined for embedded PGlite. */
  databaseUrl: string | undefined;
  /** PGlite location: a directory, or 'memory://'. Only used without databaseUrl. */
  dataDir: string;
  pgliteInMemory: boolean;
  dbPoolMax: number;
  /** DATABASE_REPLICA_URL: a streaming replica for storefront reads (docs/read-replicas.md); only with databaseUrl. */
  databaseReplicaUrl: string | undefined;
  /** DATABASE_REPLICA_POOL_MAX: connections to the replica per process. */
  dbReplicaPoolMax: number;
  /** Named prepared statements (`DATABASE_PREPARED_STATEMENTS`, default on). */
  dbPreparedStatements: boolean;
  /** Longest wait for a pooled connection before a request answers 503 (`DATABASE_POOL_WAIT_MS`). */
  dbPoolWaitMs: number;
  /** `statement_timeout` of every connection (`DATABASE_STATEMENT_TIMEOUT_MS`). */
  dbStatementTimeoutMs: number;
  /** `idle_in_transaction_session_timeout` of every connection (`DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS`). */
  dbIdleInTransactionTimeoutMs: number;
  /** A request still running after this answers 503 request.timeout (`REQUEST_TIMEOUT_MS`, 0 = no deadline). */
  requestTimeoutMs: number;
  /** Longest wait for one Redis command before the process works without Redis (`REDIS_COMMAND_TIMEOUT_MS`). */
  redisCommandTimeoutMs: number;
  redisUrl: string | undefined;
  /** Prefix of every Redis key we write (cache, rate limits), so several deployments can share one Redis. */
  redisKeyPrefix: string;
  natsUrl: string | undefined;
  /** The JetStream stream (and subject prefix) of this deployment. */
  natsStream: string;
  events: { pollMs: number; maxAttempts: number };
  /** How long an Idempotency-Key and its stored response are kept. */
  idempotencyTtlSeconds: number;
  /** Retention of personal data, per data class (docs/privacy.md); each enforced by a scheduled job. */
  retention: {
    /** RETENTION_GUEST_CART_DAYS: guest carts untouched this long are deleted. */
    guestCartDays: number;
    /** RETENTION_CHECKOUT_ATTEMPT_DAYS: finished checkout attempts (snapshots, stored answers) are deleted after. */
    checkoutAttemptDays: number;
    /** RETENTION_AUDIT_DAYS: identity's security audit entries are deleted after. */
    auditDays: number;
    /** RETENTION_ORDER_PERSONAL_DATA_DAYS: an order's personal fields are removed after (financial records stay). */
    orderPersonalDataDays: number;
    /** RETENTION_NOTIFICATION_DAYS: sent and dead-lettered email records (and local outbox copies) are deleted after. */
    notificationDays: number;
    /** RETENTION_WEBHOOK_DELIVERY_DAYS: finished webhook deliveries and their attempts are deleted after. */
    webhookDeliveryDays: number;
  };
  jwt: {
    privateKey: string | undefined;
    publicKey: string | undefined;
    /** Public keys of earlier signing keys (PEM), still accepted until their tokens expire. */
    previousPublicKeys: string[];
    issuer: string;
    accessTtlSeconds: number;
  };
  /** key id → base64 256-bit key; undefined means "generate and keep under DATA_DIR" (embedded only). */
  encryptionKeys: Record<string, string> | undefined;
  paymentProvider: 'sandbox' | 'stripe';
  stripe: {
    secretKey: string | undefined;
    webhookSecret: string | undefined;
    /** STRIPE_API_URL: another API base (stripe-mock, a test fake); default Stripe's own. */
    apiUrl: string | undefined;
  };
  /** The sandbox PSP (PAYMENT_PROVIDER=sandbox): embedded on `port` unless `url` points at a standalone one. */
  sandbox: {
    /** SANDBOX_PSP_PORT: port of the embedded sandbox PSP (0 = ephemeral). */
    port: number;
    /** SANDBOX_PSP_URL: use a standalone sandbox (`npm run psp:sandbox`) instead of starting one. */
    url: string | undefined;
    /** SANDBOX_WEBHOOK_SECRET: shared HMAC secret; generated per process in embedded mode when absent. */
    webhookSecret: string | undefined;
    /** SANDBOX_WEBHOOK_URL: where the sandbox posts webhooks; default this app's own listening address. */
    webhookUrl: string | undefined;
    /** SANDBOX_PSP_TIMEOUT_MS: client timeout for calls to the sandbox. */
    timeoutMs: number;
    /** SANDBOX_CHAOS: comma-separated subset of duplicate, delay, reorder (embedded sandbox). */
    chaos: string[];
    /** SANDBOX_CHAOS_DELAY_MS: the largest random delivery delay with chaos `delay`. */
    chaosDelayMs: number;
  };
  logLevel: LogLevel;
  corsOrigins: string[];
  bodyLimitBytes: number;
  rateLimit: { max: number; windowMs: number };
  shutdownTimeoutMs: number;
  /** IDLE_GC_MS: after this long without a request (probes aside), one memory-reducing collection; 0 = never. */
  idleGcMs: number;
  /** HEAP_GROWTH_PERCENT: V8's old generation grows at most this much past what a full collection kept; 0 = V8's rule. */
  heapGrowthPercent: number;
  defaultCurrency: string;
  adminEmail: string | undefined;
  adminPassword: string | undefined;
  /** Which X-Forwarded-For hops to believe: none (false), a hop count, or the proxies' addresses/CIDRs. */
  trustProxy: TrustProxy;
  /** Default lifetime of a stock reservation (inventory), in seconds. */
  reservationTtlSeconds: number;
  /** PRICING_CACHE_MS: how long a process reuses tax rates, automatic promotions and shipping methods. */
  pricingCacheMs: number;
  /** CACHE_MAX_BYTES: memory bound of the in-process response cache (and of the fallback while Redis is away). */
  cacheMaxBytes: number;
  /** CATALOG_EXACT_TOTAL_MAX: the storefront product list counts matches exactly up to this many (totalExact). */
  catalogExactTotalMax: number;
  /** PAYMENT_CAPTURE: capture right after the order is placed, or when its first shipment is recorded. */
  paymentCapture: 'immediate' | 'shipment';
  /** Port of the internal gRPC server (inventory); undefined = gRPC off. */
  grpcPort: number | undefined;
  /** Seed the demo catalog when it is empty (DEMO_DATA=auto: embedded database outside tests). */
  demoData: boolean;
  /** The shop as messages show it: name, address, logo, storefront URL, default language. */
  shop: ShopConfig;
  /** Transactional email: SMTP or the local mail outbox, retries, staff alerts. */
  mail: MailConfig;
  /** Outbound webhooks to integrators: targets, timeouts, retry schedule, failing endpoints. */
  webhooks: WebhooksConfig;
  /** OpenTelemetry tracing (OTEL_*): off unless an OTLP endpoint is set (docs/tracing.md). */
  tracing: TracingConfig;
  /** Error tracking (SENTRY_*): off unless SENTRY_DSN is set (docs/error-tracking.md). */
  sentry: SentryConfig;
}

/** `false`: use the socket's address; a number: trust that many proxy hops; a list: trust these proxy addresses. */
export type TrustProxy = boolean | number | string[];

function encryptionKeys(env: Env): Record<string, string> | undefined {
  const raw = str(env, 'ENCRYPTION_KEYS');
  if (raw === undefined) return undefined;
  const expected = 'a comma-separated list of keyId:base64key pairs, each key 32 bytes';
  const out: Record<string, string> = {};
  for (const part of raw.split(',')) {
    const idx = part.indexOf(':');
    const id = part.slice(0, idx).trim();
    const key = part.slice(idx + 1).trim();
    if (idx <= 0 || !/^[A-Za-z0-9_-]{1,32}$/.test(id)) throw new ConfigError('ENCRYPTION_KEYS', expected, '(hidden)');
    if (Buffer.from(key, 'base64').length !== 32) throw new ConfigError('ENCRYPTION_KEYS', expected, '(hidden)');
    out[id] = key;
  }
  return out;
}

/** One or more PEM public keys, concatenated (literal `\n` escapes allowed). */
function pemList(env: Env, name: string): string[] {
  const raw = str(env, name);
  if (raw === undefined) return [];
  const text = raw.replace(/\\n/g, '\n');
  const keys = text.match(/-----BEGIN PUBLIC KEY-----[\s\S]+?-----END PUBLIC KEY-----/g) ?? [];
  if (keys.length === 0) throw new ConfigError(name, 'one or more PEM public keys (-----BEGIN PUBLIC KEY-----)', raw);
  return keys;
}

function sandboxChaos(env: Env): string[] {
  const raw = str(env, 'SANDBOX_CHAOS');
  if (raw === undefined || raw === 'off') return [];
  const parts = raw.split(',').map((p) => p.trim());
  if (parts.some((p) => !['duplicate', 'delay', 'reorder'].includes(p))) {
    throw new ConfigError('SANDBOX_CHAOS', 'a comma-separated subset of duplicate, delay, reorder', raw);
  }
  return parts;
}

function sandboxSecret(env: Env): string | undefined {
  const raw = str(env, 'SANDBOX_WEBHOOK_SECRET');
  if (raw !== undefined && raw.length < 16)
    throw new ConfigError('SANDBOX_WEBHOOK_SECRET', 'at least 16 characters', '(hidden)');
  return raw;
}

const IPV4 = /^(\d{1,3})(\.\d{1,3}){3}(\/\d{1,2})?$/;
const IPV6 = /^[0-9a-fA-F:.]*:[0-9a-fA-F:.]*(\/\d{1,3})?$/;
const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/**
 * TRUST_PROXY: `false` (default), a hop count (`1`: one proxy in front, e.g. haproxy), or a comma-separated list of
 * proxy addresses / CIDRs (`127.0.0.1`, `10.0.0.0/8`, `loopback`). `true` trusts every hop: any client could then
 * choose its own address with X-Forwarded-For, so it is refused in production.
 */
function trustProxy(env: Env, production: boolean): TrustProxy {
  const raw = str(env, 'TRUST_PROXY');
  if (raw === undefined || raw === 'false') return false;
  const expected =
    'false, a hop count (1), or a comma-separated list of proxy addresses or CIDRs (127.0.0.1,10.0.0.0/8)';
  if (raw === 'true') {
    if (production) throw new ConfigError('TRUST_PROXY', `${expected}; "true" lets clients forge their address`, raw);
    return true;
  }
  if (/^\d+$/.test(raw)) {
    const hops = Number(raw);
    if (hops < 1 || hops > 10) throw new ConfigError('TRUST_PROXY', expected, raw);
    return hops;
  }
  const list = raw.split(',').map((p) => p.trim());
  if (list.some((p) => !(IPV4.test(p) || IPV6.test(p) || PROXY_NAMES.has(p)))) {
    throw new ConfigError('TRUST_PROXY', expected, raw);
  }
  return list;
}

function natsStream(env: Env): string {
  const raw = str(env, 'NATS_STREAM') ?? 'EMPORIUM';
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(raw)) {
    throw new ConfigError('NATS_STREAM', 'a stream name of 1 to 64 letters, digits, _ or -', raw);
  }
  return raw;
}

export function loadConfig(env: Env = process.env): Config {
  const nodeEnv = oneOf(env, 'NODE_ENV', ['development', 'production', 'test'] as const, 'development');
  const databaseUrlRaw = str(env, 'DATABASE_URL');
  const inMemory = databaseUrlRaw === 'memory://';
  const databaseUrl = inMemory ? undefined : url(env, 'DATABASE_URL', ['postgres:', 'postgresql:']);
  const corsRaw = str(env, 'CORS_ORIGINS');
  const corsOrigins = corsRaw ? corsRaw.split(',').map((s) => s.trim()) : [];
  for (const o of corsOrigins) {
    if (o !== '*' && !/^https?:\/\/[^/\s]+$/.test(o)) {
      throw new ConfigError('CORS_ORIGINS', 'a comma-separated list of origins like https://shop.example.com', corsRaw);
    }
  }
  const currency = str(env, 'DEFAULT_CURRENCY') ?? 'EUR';
  if (!isCurrencyCode(currency))
    throw new ConfigError('DEFAULT_CURRENCY', 'an ISO 4217 code in current use, such as EUR', currency);
  const adminEmail = str(env, 'ADMIN_EMAIL');
  if (adminEmail !== undefined && !/^[^@\s]+@[^@\s]+$/.test(adminEmail)) {
    throw new ConfigError('ADMIN_EMAIL', 'an email address', adminEmail);
  }
  const adminPassword = str(env, 'ADMIN_PASSWORD');
  if ((adminEmail === undefined) !== (adminPassword === undefined)) {
    throw new ConfigError(adminEmail ? 'ADMIN_PASSWORD' : 'ADMIN_EMAIL', 'set together with its pair', undefined);
  }
  const shop = shopConfig(env);
  const config: Config = {
    env: nodeEnv,
    host: str(env, 'HOST') ?? '0.0.0.0',
    port: int(env, 'PORT', 3000, 0, 65535),
    databaseUrl,
    dataDir: str(env, 'DATA_DIR') ?? './.data',
    pgliteInMemory: inMemory,
    dbPoolMax: int(env, 'DATABASE_POOL_MAX', 10, 1, 500),
    databaseReplicaUrl: url(env, 'DATABASE_REPLICA_URL', ['postgres:', 'postgresql:']),
    dbReplicaPoolMax: int(env, 'DATABASE_REPLICA_POOL_MAX', 5, 1, 500),
    dbPreparedStatements: oneOf(env, 'DATABASE_PREPARED_STATEMENTS', ['on', 'off'] as const, 'on') === 'on',
    dbPoolWaitMs: int(env, 'DATABASE_POOL_WAIT_MS', 5_000, 10, 600_000),
    dbStatementTimeoutMs: int(env, 'DATABASE_STATEMENT_TIMEOUT_MS', 30_000, 100, 3_600_000),
    dbIdleInTransactionTimeoutMs: int(env, 'DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS', 60_000, 100, 3_600_000),
    requestTimeoutMs: int(env, 'REQUEST_TIMEOUT_MS', 30_000, 0, 3_600_000),
    redisCommandTimeoutMs: int(env, 'REDIS_COMMAND_TIMEOUT_MS', 500, 10, 60_000),
    redisUrl: url(env, 'REDIS_URL', ['redis:', 'rediss:']),
    redisKeyPrefix: str(env, 'REDIS_KEY_PREFIX') ?? 'emporium:',
    natsUrl: url(env, 'NATS_URL', ['nats:', 'tls:']),
    natsStream: natsStream(env),
    events: {
      pollMs: int(env, 'EVENTS_POLL_MS', 500, 10, 60_000),
      maxAttempts: int(env, 'EVENTS_MAX_ATTEMPTS', 8, 1, 100),
    },
    idempotencyTtlSeconds: int(env, 'IDEMPOTENCY_TTL_SECONDS', 86_400, 60, 30 * 86_400),
    retention: {
      guestCartDays: int(env, 'RETENTION_GUEST_CART_DAYS', 30, 1, 3650),
      checkoutAttemptDays: int(env, 'RETENTION_CHECKOUT_ATTEMPT_DAYS', 30, 1, 3650),
      auditDays: int(env, 'RETENTION_AUDIT_DAYS', 365, 1, 3650),
      orderPersonalDataDays: int(env, 'RETENTION_ORDER_PERSONAL_DATA_DAYS', 3650, 30, 36500),
      notificationDays: int(env, 'RETENTION_NOTIFICATION_DAYS', 180, 1, 3650),
      webhookDeliveryDays: int(env, 'RETENTION_WEBHOOK_DELIVERY_DAYS', 30, 1, 3650),
    },
    jwt: {
      privateKey: str(env, 'JWT_PRIVATE_KEY'),
      publicKey: str(env, 'JWT_PUBLIC_KEY'),
      previousPublicKeys: pemList(env, 'JWT_PREVIOUS_PUBLIC_KEYS'),
      issuer: str(env, 'JWT_ISSUER') ?? 'emporium',
      accessTtlSeconds: int(env, 'JWT_ACCESS_TTL_SECONDS', 900, 30, 86_400),
    },
    encryptionKeys: encryptionKeys(env),
    paymentProvider: oneOf(env, 'PAYMENT_PROVIDER', ['sandbox', 'stripe'] as const, 'sandbox'),
    stripe: {
      secretKey: str(env, 'STRIPE_SECRET_KEY'),
      webhookSecret: str(env, 'STRIPE_WEBHOOK_SECRET'),
      apiUrl: url(env, 'STRIPE_API_URL', ['http:', 'https:']),
    },
    sandbox: {
      port: int(env, 'SANDBOX_PSP_PORT', 0, 0, 65535),
      url: url(env, 'SANDBOX_PSP_URL', ['http:', 'https:']),
      webhookSecret: sandboxSecret(env),
      webhookUrl: url(env, 'SANDBOX_WEBHOOK_URL', ['http:', 'https:']),
      timeoutMs: int(env, 'SANDBOX_PSP_TIMEOUT_MS', 5000, 10, 120_000),
      chaos: sandboxChaos(env),
      chaosDelayMs: int(env, 'SANDBOX_CHAOS_DELAY_MS', 2000, 0, 600_000),
    },
    logLevel: oneOf(env, 'LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, 'info'),
    corsOrigins,
    bodyLimitBytes: int(env, 'BODY_LIMIT_BYTES', 1_048_576, 1024, 104_857_600),
    rateLimit: {
      max: int(env, 'RATE_LIMIT_MAX', 60_000, 1, 10_000_000),
      windowMs: int(env, 'RATE_LIMIT_WINDOW_MS', 60_000, 1000, 86_400_000),
    },
    shutdownTimeoutMs: int(env, 'SHUTDOWN_TIMEOUT_MS', 10_000, 100, 600_000),
    idleGcMs: int(env, 'IDLE_GC_MS', 5_000, 0, 86_400_000),
    heapGrowthPercent: int(env, 'HEAP_GROWTH_PERCENT', 75, 0, 300),
    defaultCurrency: currency,
    adminEmail,
    adminPassword,
    trustProxy: trustProxy(env, nodeEnv === 'production'),
    reservationTtlSeconds: int(env, 'RESERVATION_TTL_SECONDS', 900, 1, 604_800),
    pricingCacheMs: int(env, 'PRICING_CACHE_MS', 1000, 0, 60_000),
    cacheMaxBytes: int(env, 'CACHE_MAX_BYTES', 32 * 1024 * 1024, 0, 16 * 1024 * 1024 * 1024),
    catalogExactTotalMax: int(env, 'CATALOG_EXACT_TOTAL_MAX', 1000, 1, 1_000_000_000),
    paymentCapture: oneOf(env, 'PAYMENT_CAPTURE', ['immediate', 'shipment'] as const, 'immediate'),
    grpcPort: str(env, 'GRPC_PORT') === undefined ? undefined : int(env, 'GRPC_PORT', 0, 0, 65535),
    demoData: false,
    shop,
    mail: mailConfig(env, shop.name),
    webhooks: webhooksConfig(env),
    tracing: tracingConfig(env),
    sentry: sentryConfig(env, nodeEnv),
  };
  const demo = oneOf(env, 'DEMO_DATA', ['auto', 'on', 'off'] as const, 'auto');
  config.demoData = demo === 'on' || (demo === 'auto' && !config.databaseUrl && config.env !== 'test');
  if (config.databaseReplicaUrl && !config.databaseUrl) {
    throw new ConfigError(
      'DATABASE_REPLICA_URL',
      'set only with a postgres:// DATABASE_URL (its streaming replica)',
      '(set)',
    );
  }
  if (config.paymentProvider === 'stripe' && !config.stripe.secretKey) {
    throw new ConfigError('STRIPE_SECRET_KEY', 'set when PAYMENT_PROVIDER=stripe', undefined);
  }
  if (config.paymentProvider === 'stripe' && !config.stripe.webhookSecret) {
    throw new ConfigError('STRIPE_WEBHOOK_SECRET', 'set when PAYMENT_PROVIDER=stripe', undefined);
  }
  if ((config.jwt.privateKey === undefined) !== (config.jwt.publicKey === undefined)) {
    throw new ConfigError(
      config.jwt.privateKey ? 'JWT_PUBLIC_KEY' : 'JWT_PRIVATE_KEY',
      'set together with its pair (PEM)',
      undefined,
    );
  }
  if (config.env === 'production') assertProductionReady(config);
  return config;
}

/** Production refuses anything that only makes sense on a laptop. */
function assertProductionReady(config: Config): void {
  if (!config.databaseUrl) {
    throw new ConfigError(
      'DATABASE_URL',
      'a postgres:// URL when NODE_ENV=production (the embedded database is for development)',
      undefined,
    );
  }
  if (!config.jwt.privateKey) {
    throw new ConfigError('JWT_PRIVATE_KEY', 'set when NODE_ENV=production (generated keys are refused)', undefined);
  }
  if (!config.encryptionKeys) {
    throw new ConfigError('ENCRYPTION_KEYS', 'set when NODE_ENV=production (generated keys are refused)', undefined);
  }
}
