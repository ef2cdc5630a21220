import { defineConfig } from 'vitest/config';

// The cluster suite (test/cluster): several processes, haproxy and our own PostgreSQL/Redis/NATS per file, so one
// file at a time in one worker, with timeouts for faults that last seconds and recoveries that take tens of them.
const jsonOut = process.env.VITEST_JSON_OUT;

export default defineConfig({
  resolve: {
    // As in vitest.config.ts: resolve `graphql` to the CommonJS build, as Node does.
    alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }],
  },
  test: {
    include: ['test/cluster/**/*.test.ts'],
    pool: 'forks',
    fileParallelism: false,
    maxWorkers: 1,
    testTimeout: 240_000,
    hookTimeout: 180_000,
    reporters: jsonOut ? ['default', ['json', { outputFile: jsonOut }]] : ['default'],
  },
});
