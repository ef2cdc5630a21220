// npm's `prepare` (after `npm install` / `npm ci`): builds the admin dashboard (admin/scripts/prepare.mjs), makes the
// embedded database's template (scripts/pglite-template.ts) and fills Node's module compile cache
// (scripts/warm-compile-cache.ts), so a first `npm start` neither runs initdb and every migration nor compiles every
// module. Either of the last two failing only makes a first start slower: the install goes on. Plain JavaScript: it
// runs under whichever Node runs npm, which on Linux x64 is the Node 24 that npm scripts use (node_modules/.bin).
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const run = (file, flags = []) =>
  spawnSync(process.execPath, [...flags, join(root, ...file)], { cwd: root, stdio: 'inherit' }).status;

const admin = run(['admin', 'scripts', 'prepare.mjs']);
if (admin !== 0) process.exit(admin ?? 1);

const typescript = ['--experimental-strip-types', '--disable-warning=ExperimentalWarning'];
if (run(['scripts', 'pglite-template.ts'], typescript) !== 0) {
  console.warn('pglite: no template made; a first `npm start` makes its database itself (a few seconds longer)');
}
if (run(['scripts', 'bundle-packages.mjs']) !== 0) {
  console.warn('packages: not bundled; `npm start` loads them as installed (a few hundred ms longer)');
}
const started = Date.now();
if (run(['scripts', 'warm-compile-cache.ts'], typescript) === 0) {
  console.log(`modules: compiled into Node's compile cache in ${((Date.now() - started) / 1000).toFixed(1)} s`);
} else {
  console.warn('modules: the compile cache was not filled; a first `npm start` compiles them itself');
}
