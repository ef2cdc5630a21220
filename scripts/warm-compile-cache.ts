// `npm install` (scripts/prepare.mjs): loads the modules a start loads, with Node's module compile cache on, into the
// directory `npm start` reads (src/start.mjs: NODE_COMPILE_CACHE, else node-compile-cache in the OS temp dir). A first
// start then reads them compiled and type-stripped, as a restart does. Loading is all it does: nothing is started.
import { enableCompileCache, flushCompileCache } from 'node:module';
import { join } from 'node:path';
import { useBundles } from '../src/package-bundles.mjs';

enableCompileCache();
// As src/start.mjs does, so that the bundles install made are the files compiled here.
await useBundles(join(import.meta.dirname, '..'));
// First what src/main.ts imports before it sets the heap's growth, then the flag as a default start sets it, then the
// rest: V8 keys its code cache to its flags, so code compiled on the other side of that call is rejected by a start.
const [{ loadConfig }, { applyHeapGrowth }] = await Promise.all([
  import('../src/platform/config.ts'),
  import('../src/platform/heap-growth.ts'),
  import('../src/platform/db/pglite-initdb.ts'),
  import('../src/core-migrations.ts'),
]);
applyHeapGrowth(loadConfig({}).heapGrowthPercent);
await Promise.all([
  import('../src/app.ts'),
  import('../src/platform/db/pglite.ts'),
  import('@electric-sql/pglite/nodefs'),
  import('../src/platform/process-faults.ts'),
  import('../src/platform/idle-heap-trim.ts'),
]);
flushCompileCache();
