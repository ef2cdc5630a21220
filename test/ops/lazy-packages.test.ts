// A process loads the clients of the services it is configured for, and no others: an embedded start holds no Redis,
// NATS or gRPC client and no mail renderer; one on PostgreSQL holds no PGlite. Each case builds the app in a child
// process (test/ops/fixtures/loaded-packages.ts) that records every npm package resolved.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { TEST_DATABASE_URL, TEST_NATS_URL, TEST_REDIS_URL } from '../support/services.ts';
import { createPostgresDatabase } from '../support/test-db.ts';

const run = promisify(execFile);
const FIXTURE = fileURLToPath(new URL('./fixtures/loaded-packages.ts', import.meta.url));

async function packagesLoaded(env: Record<string, string>): Promise<string[]> {
  const { stdout } = await run(
    process.execPath,
    ['--experimental-strip-types', '--disable-warning=ExperimentalWarning', FIXTURE],
    { env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', NODE_ENV: 'test', ...env }, timeout: 60_000 },
  );
  // The fixture's list is its one line that is a JSON array; a log line (a start-up warning) may come after it.
  const list = stdout
    .trim()
    .split('\n')
    .findLast((line) => line.startsWith('['));
  return JSON.parse(list ?? '[]') as string[];
}

/** Loaded only when configured (or, for the mail renderer, at the first message). */
const ON_DEMAND = [
  'ioredis',
  '@nats-io/transport-node',
  '@nats-io/jetstream',
  '@grpc/grpc-js',
  '@grpc/proto-loader',
  'handlebars',
  'mjml',
  'nodemailer',
  'stripe',
  '@opentelemetry/core',
  '@opentelemetry/sdk-trace-base',
];

describe('packages loaded at start', () => {
  it('[REQ-KER-025] embedded: PGlite, and none of the on-demand clients', { timeout: 90_000 }, async () => {
    const loaded = await packagesLoaded({ DATABASE_URL: 'memory://' });
    expect(loaded).toContain('@electric-sql/pglite');
    expect(loaded).toContain('fastify');
    expect(loaded.filter((p) => ON_DEMAND.includes(p))).toEqual([]);
  });

  it.skipIf(!TEST_DATABASE_URL)(
    '[REQ-KER-025] PostgreSQL: no PGlite; with REDIS_URL and NATS_URL their clients load',
    { timeout: 90_000 },
    async () => {
      const db = await createPostgresDatabase(TEST_DATABASE_URL as string);
      try {
        const plain = await packagesLoaded({ DATABASE_URL: db.url });
        expect(plain).toContain('pg');
        expect(plain).not.toContain('@electric-sql/pglite');
        expect(plain.filter((p) => ON_DEMAND.includes(p))).toEqual([]);
        if (TEST_REDIS_URL && TEST_NATS_URL) {
          const withServices = await packagesLoaded({
            DATABASE_URL: db.url,
            REDIS_URL: TEST_REDIS_URL,
            NATS_URL: TEST_NATS_URL,
            NATS_STREAM: `LAZY_${Date.now()}`,
          });
          expect(withServices).toEqual(expect.arrayContaining(['ioredis', '@nats-io/transport-node']));
          expect(withServices).not.toContain('@electric-sql/pglite');
        }
      } finally {
        await db.drop();
      }
    },
  );
});
