import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, redactUrl } from './config.ts';

function fails(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('configuration [REQ-KER-004]', () => {
  it('[REQ-KER-004] defaults give an embedded development setup', () => {
    const c = loadConfig({});
    expect(c.env).toBe('development');
    expect(c.port).toBe(3000);
    expect(c.databaseUrl).toBeUndefined();
    expect(c.dataDir).toBe('./.data');
    expect(c.pgliteInMemory).toBe(false);
    expect(c.redisUrl).toBeUndefined();
    expect(c.natsUrl).toBeUndefined();
    expect(c.paymentProvider).toBe('sandbox');
    expect(c.logLevel).toBe('info');
    expect(c.defaultCurrency).toBe('EUR');
  });

  it('[REQ-KER-022] CACHE_MAX_BYTES bounds the in-process cache: 32 MiB by default, validated', () => {
    expect(loadConfig({}).cacheMaxBytes).toBe(32 * 1024 * 1024);
    expect(loadConfig({ CACHE_MAX_BYTES: '0' }).cacheMaxBytes).toBe(0);
    expect(loadConfig({ CACHE_MAX_BYTES: '1048576' }).cacheMaxBytes).toBe(1_048_576);
    expect(fails({ CACHE_MAX_BYTES: '64MB' }).variable).toBe('CACHE_MAX_BYTES');
    expect(fails({ CACHE_MAX_BYTES: '-1' }).variable).toBe('CACHE_MAX_BYTES');
  });

  it('[REQ-KER-029] HEAP_GROWTH_PERCENT: 75 by default, 0 for V8 own rule, at most 300, validated', () => {
    expect(loadConfig({}).heapGrowthPercent).toBe(75);
    expect(loadConfig({ HEAP_GROWTH_PERCENT: '0' }).heapGrowthPercent).toBe(0);
    expect(loadConfig({ HEAP_GROWTH_PERCENT: '300' }).heapGrowthPercent).toBe(300);
    expect(fails({ HEAP_GROWTH_PERCENT: '301' }).variable).toBe('HEAP_GROWTH_PERCENT');
    expect(fails({ HEAP_GROWTH_PERCENT: '75%' }).variable).toBe('HEAP_GROWTH_PERCENT');
  });

  it('[REQ-CAT-010] CATALOG_EXACT_TOTAL_MAX: 1000 by default, at least 1, validated', () => {
    expect(loadConfig({}).catalogExactTotalMax).toBe(1000);
    expect(loadConfig({ CATALOG_EXACT_TOTAL_MAX: '50000' }).catalogExactTotalMax).toBe(50_000);
    expect(fails({ CATALOG_EXACT_TOTAL_MAX: '0' }).variable).toBe('CATALOG_EXACT_TOTAL_MAX');
    expect(fails({ CATALOG_EXACT_TOTAL_MAX: 'all' }).variable).toBe('CATALOG_EXACT_TOTAL_MAX');
  });

  it('[REQ-KER-019] DATABASE_PREPARED_STATEMENTS is on by default, off when asked', () => {
    expect(loadConfig({}).dbPreparedStatements).toBe(true);
    expect(loadConfig({ DATABASE_PREPARED_STATEMENTS: 'off' }).dbPreparedStatements).toBe(false);
    expect(fails({ DATABASE_PREPARED_STATEMENTS: 'yes' }).variable).toBe('DATABASE_PREPARED_STATEMENTS');
  });

  it('[REQ-SCL-001] DATABASE_REPLICA_URL: optional, a postgres URL, only with DATABASE_URL', () => {
    expect(loadConfig({}).databaseReplicaUrl).toBeUndefined();
    const c = loadConfig({ DATABASE_URL: 'postgres://h/db', DATABASE_REPLICA_URL: 'postgres://r/db' });
    expect(c.databaseReplicaUrl).toBe('postgres://r/db');
    expect(c.dbReplicaPoolMax).toBe(5);
    expect(fails({ DATABASE_REPLICA_URL: 'postgres://r/db' }).variable).toBe('DATABASE_REPLICA_URL');
    expect(fails({ DATABASE_URL: 'memory://', DATABASE_REPLICA_URL: 'postgres://r/db' }).variable).toBe(
      'DATABASE_REPLICA_URL',
    );
    const bad = fails({ DATABASE_URL: 'postgres://h/db', DATABASE_REPLICA_URL: 'mysql://u:secret@r/db' });
    expect(bad.variable).toBe('DATABASE_REPLICA_URL');
    expect(bad.message).not.toContain('secret');
    expect(fails({ DATABASE_URL: 'postgres://h/db', DATABASE_REPLICA_POOL_MAX: '0' }).variable).toBe(
      'DATABASE_REPLICA_POOL_MAX',
    );
  });

  it('[REQ-CAT-020] DEMO_DATA=auto seeds only the embedded database outside tests', () => {
    expect(loadConfig({}).demoData).toBe(true);
    expect(loadConfig({ NODE_ENV: 'test' }).demoData).toBe(false);
    expect(loadConfig({ DATABASE_URL: 'postgres://h/db' }).demoData).toBe(false);
    expect(loadConfig({ DATABASE_URL: 'postgres://h/db', DEMO_DATA: 'on' }).demoData).toBe(true);
    expect(loadConfig({ DEMO_DATA: 'off' }).demoData).toBe(false);
  });

  it('[REQ-KER-004] memory:// selects in-memory PGlite', () => {
    const c = loadConfig({ DATABASE_URL: 'memory://' });
    expect(c.databaseUrl).toBeUndefined();
    expect(c.pgliteInMemory).toBe(true);
  });

  it.each([
    [{ PORT: 'abc' }, 'PORT', 'an integer from 0 to 65535'],
    [{ PORT: '70000' }, 'PORT', 'an integer from 0 to 65535'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL', 'postgres: or postgresql:'],
    [{ REDIS_URL: 'not a url' }, 'REDIS_URL', 'a URL'],
    [{ NATS_URL: 'http://x:4222' }, 'NATS_URL', 'nats:'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL', 'one of fatal, error'],
    [{ PAYMENT_PROVIDER: 'paypal' }, 'PAYMENT_PROVIDER', 'one of sandbox, stripe'],
    [{ PAYMENT_PROVIDER: 'stripe' }, 'STRIPE_SECRET_KEY', 'set when PAYMENT_PROVIDER=stripe'],
    [{ ENCRYPTION_KEYS: 'k1:short' }, 'ENCRYPTION_KEYS', 'keyId:base64key'],
    [{ DEFAULT_CURRENCY: 'euro' }, 'DEFAULT_CURRENCY', 'ISO 4217'],
    [{ DEFAULT_CURRENCY: 'ZZZ' }, 'DEFAULT_CURRENCY', 'ISO 4217 code in current use'],
    [{ DEFAULT_CURRENCY: 'HRK' }, 'DEFAULT_CURRENCY', 'ISO 4217 code in current use'],
    [{ CORS_ORIGINS: 'shop.example.com' }, 'CORS_ORIGINS', 'origins like'],
    [{ ADMIN_EMAIL: 'a@b.example' }, 'ADMIN_PASSWORD', 'set together'],
    [{ DEMO_DATA: 'maybe' }, 'DEMO_DATA', 'one of auto, on, off'],
    [{ DATABASE_PREPARED_STATEMENTS: 'yes' }, 'DATABASE_PREPARED_STATEMENTS', 'one of on, off'],
  ])('[REQ-KER-004] %o stops start-up naming %s', (env, variable, expected) => {
    const e = fails(env as Record<string, string>);
    expect(e.variable).toBe(variable);
    expect(e.message).toContain(`Invalid configuration: ${variable} must be`);
    expect(e.message).toContain(expected);
    expect(e.message.split('\n')).toHaveLength(1);
  });

  it('[REQ-KER-004] production refuses the embedded database and generated secrets', () => {
    expect(fails({ NODE_ENV: 'production' }).variable).toBe('DATABASE_URL');
    expect(fails({ NODE_ENV: 'production', DATABASE_URL: 'memory://' }).variable).toBe('DATABASE_URL');
    const db = { NODE_ENV: 'production', DATABASE_URL: 'postgres://u:p@db/emporium' };
    expect(fails(db).variable).toBe('JWT_PRIVATE_KEY');
    const withJwt = { ...db, JWT_PRIVATE_KEY: 'pem', JWT_PUBLIC_KEY: 'pem' };
    expect(fails(withJwt).variable).toBe('ENCRYPTION_KEYS');
    const key = Buffer.alloc(32, 7).toString('base64');
    const c = loadConfig({ ...withJwt, ENCRYPTION_KEYS: `k1:${key}` });
    expect(c.env).toBe('production');
    expect(c.encryptionKeys).toEqual({ k1: key });
  });

  it('[REQ-KER-004] never echoes a database password or an encryption key in the error', () => {
    const e = fails({ DATABASE_URL: 'mysql://user:topsecret@db/x' });
    expect(e.message).not.toContain('topsecret');
    const k = fails({ ENCRYPTION_KEYS: 'k1:c2VjcmV0LWtleS12YWx1ZQ==' });
    expect(k.message).not.toContain('c2VjcmV0');
    expect(redactUrl('postgres://u:pw@h:5432/d')).toBe('postgres://u:***@h:5432/d');
  });

  it('[REQ-KER-004] sandbox PSP settings: defaults, validation, secret never echoed', () => {
    const c = loadConfig({});
    expect(c.sandbox).toEqual({
      port: 0,
      url: undefined,
      webhookSecret: undefined,
      webhookUrl: undefined,
      timeoutMs: 5000,
      chaos: [],
      chaosDelayMs: 2000,
    });
    const s = loadConfig({
      SANDBOX_PSP_PORT: '4010',
      SANDBOX_PSP_URL: 'http://127.0.0.1:4010',
      SANDBOX_WEBHOOK_SECRET: 'whsec_0123456789abcdef',
      SANDBOX_WEBHOOK_URL: 'http://127.0.0.1:3000/v1/payments/webhooks/sandbox',
      SANDBOX_PSP_TIMEOUT_MS: '250',
      SANDBOX_CHAOS: 'duplicate,reorder',
      SANDBOX_CHAOS_DELAY_MS: '50',
    });
    expect(s.sandbox).toEqual({
      port: 4010,
      url: 'http://127.0.0.1:4010',
      webhookSecret: 'whsec_0123456789abcdef',
      webhookUrl: 'http://127.0.0.1:3000/v1/payments/webhooks/sandbox',
      timeoutMs: 250,
      chaos: ['duplicate', 'reorder'],
      chaosDelayMs: 50,
    });
    expect(fails({ SANDBOX_CHAOS: 'explode' }).variable).toBe('SANDBOX_CHAOS');
    expect(c.stripe.apiUrl).toBeUndefined();
    expect(loadConfig({ STRIPE_API_URL: 'http://127.0.0.1:12111' }).stripe.apiUrl).toBe('http://127.0.0.1:12111');
    expect(fails({ STRIPE_API_URL: 'nope' }).variable).toBe('STRIPE_API_URL');
    expect(fails({ SANDBOX_PSP_PORT: '-1' }).variable).toBe('SANDBOX_PSP_PORT');
    expect(fails({ SANDBOX_PSP_URL: 'ftp://x' }).variable).toBe('SANDBOX_PSP_URL');
    const short = fails({ SANDBOX_WEBHOOK_SECRET: 'tooshort-secret' });
    expect(short.variable).toBe('SANDBOX_WEBHOOK_SECRET');
    expect(short.message).not.toContain('tooshort-secret');
  });
});

describe('inventory configuration [REQ-INV-010]', () => {
  it('[REQ-INV-010] RESERVATION_TTL_SECONDS defaults to 900 and GRPC_PORT is off unless set', () => {
    const c = loadConfig({});
    expect(c.reservationTtlSeconds).toBe(900);
    expect(c.grpcPort).toBeUndefined();
    const set = loadConfig({ RESERVATION_TTL_SECONDS: '60', GRPC_PORT: '50051' });
    expect(set.reservationTtlSeconds).toBe(60);
    expect(set.grpcPort).toBe(50051);
    expect(loadConfig({ GRPC_PORT: '0' }).grpcPort).toBe(0);
  });

  it.each([
    [{ RESERVATION_TTL_SECONDS: '0' }, 'RESERVATION_TTL_SECONDS'],
    [{ RESERVATION_TTL_SECONDS: 'soon' }, 'RESERVATION_TTL_SECONDS'],
    [{ GRPC_PORT: '70000' }, 'GRPC_PORT'],
  ])('[REQ-INV-010] %o stops start-up naming %s', (env, variable) => {
    expect(fails(env as Record<string, string>).variable).toBe(variable);
  });
});
