import { defineConfig } from 'vitest/config';

// VITEST_JSON_OUT (set by .ci/run) adds a JSON report used to print the closing "N passed, N failed" line.
const jsonOut = process.env.VITEST_JSON_OUT;

export default defineConfig({
  resolve: {
    // Node resolves `graphql` to its CommonJS build (package.json "main"), the one mercurius requires; Vite would
    // pick the ESM build ("module") and graphql-js refuses types from two copies. Resolve as Node does.
    alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }],
  },
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    pool: 'forks',
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: jsonOut ? ['default', ['json', { outputFile: jsonOut }]] : ['default'],
  },
});
