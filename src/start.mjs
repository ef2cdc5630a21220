// `npm start`: turns Node's module compile cache on before any TypeScript is loaded, then runs src/main.ts. On a
// restart every module, the type-stripped TypeScript included, then comes from the cache, so the type stripper
// itself is never loaded (about 60 ms and 18 MB less than `node src/main.ts`). Plain JavaScript for that reason.
import { enableCompileCache } from 'node:module';
import { join } from 'node:path';
import { useBundles } from './package-bundles.mjs';

// Node's own default directory, as src/main.ts uses (NODE_COMPILE_CACHE, else node-compile-cache in the OS temp dir);
// a missing or unwritable one only makes this start uncached.
try {
  enableCompileCache();
} catch {}

// kysely and typebox as one file each, when install bundled them for the installed versions (package-bundles.mjs).
await useBundles(join(import.meta.dirname, '..'));

await import('./main.ts');
