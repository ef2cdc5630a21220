// `npm install` (scripts/prepare.mjs): loads the modules a start loads, with Node's module compile cache on, into the
// directory `npm start` reads (src/start.mjs: NODE_COMPILE_CACHE, else node-compile-cache in the OS temp dir). A first
// start then reads them compiled and type-stripped, as a restart does. Loading is all it does: nothing is started.
import { enableCompileCache, flushCompileCache } from 'node:module';

enableCompileCache();
await Promise.all([
  import('../src/platform/config.ts'),
  import('../src/platform/heap-growth.ts'),
  import('../src/platform/db/pglite-initdb.ts'),
  import('../src/core-migrations.ts'),
  import('../src/app.ts'),
  import('../src/platform/db/pglite.ts'),
  import('@electric-sql/pglite/nodefs'),
  import('../src/platform/process-faults.ts'),
  import('../src/platform/idle-heap-trim.ts'),
]);
flushCompileCache();
