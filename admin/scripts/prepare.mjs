// npm's `prepare` (after `npm install` / `npm ci`): builds the admin dashboard into admin/dist so a fresh clone's
// `npm start` serves /admin. An install without dev dependencies (no Vite) skips the build: /admin then answers a
// problem saying how to build it. Plain JavaScript: it runs under whichever Node runs npm.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(join(root, 'package.json'));
let vite;
try {
  vite = join(dirname(require.resolve('vite/package.json')), 'bin', 'vite.js');
} catch {
  console.log('admin: Vite is not installed (an install without dev dependencies); skipping the dashboard build');
  process.exit(0);
}
const started = Date.now();
const r = spawnSync(
  process.execPath,
  [vite, 'build', '--logLevel', 'warn', '-c', join(root, 'admin', 'vite.config.ts')],
  {
    cwd: root,
    stdio: 'inherit',
  },
);
if (r.status !== 0) {
  console.error('admin: the dashboard build failed (npm run build:admin shows why)');
  process.exit(r.status ?? 1);
}
console.log(`admin: built admin/dist in ${((Date.now() - started) / 1000).toFixed(1)} s`);
