// Which real services the tests may use. CI sets TEST_DATABASE_URL, TEST_REDIS_URL and TEST_NATS_URL;
// without them the suite runs on embedded PGlite and in-memory parts, and tests that need a real
// service are reported as skipped with the reason.
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL || undefined;
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL || undefined;
export const TEST_NATS_URL = process.env.TEST_NATS_URL || undefined;

export const needsPostgres = TEST_DATABASE_URL ? '' : 'needs real PostgreSQL: set TEST_DATABASE_URL';
export const needsRedis = TEST_REDIS_URL ? '' : 'needs Redis: set TEST_REDIS_URL';
export const needsNats = TEST_NATS_URL ? '' : 'needs NATS JetStream: set TEST_NATS_URL';
