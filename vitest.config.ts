import { availableParallelism } from 'node:os';
import { configDefaults, defineConfig } from 'vitest/config';

// VITEST_JSON_OUT (set by .ci/run) adds a JSON report used to print the closing "N passed, N failed" line.
const jsonOut = process.env.VITEST_JSON_OUT;

export default defineConfig({
  resolve: {
    // Node resolves `graphql` to its CommonJS build (package.json "main"), the one mercurius requires; Vite would
    // pick the ESM build ("module") and graphql-js refuses types from two copies. Resolve as Node does.
    alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }],
  },
  test: {
    // admin/: the dashboard's component tests (a file that renders declares `@vitest-environment happy-dom`).
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'admin/src/**/*.test.{ts,tsx}'],
    // The cluster suite (several processes behind haproxy, fault injection) has its own command: npm run test:cluster.
    exclude: [...configDefaults.exclude, 'test/cluster/**'],
    pool: 'forks',
    // Vitest's default is one worker per core less one: a single worker on a 2-core machine. The files spend much
    // of their time waiting on PostgreSQL, Redis, NATS and HTTP, so two workers there cut the CI run by ~170 s
    // (PGlite pass 490 → 421 s, PostgreSQL pass 444 → 341 s; a third worker gained nothing more).
    maxWorkers: Math.max(2, availableParallelism() - 1),
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: jsonOut ? ['default', ['json', { outputFile: jsonOut }]] : ['default'],
  },
});
