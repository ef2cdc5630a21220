// npm's `prepare` (after `npm install` / `npm ci`): builds the admin dashboard (admin/scripts/prepare.mjs), then makes
// the embedded database's template (scripts/pglite-template.ts) so a first `npm start` need not run initdb and every
// migration. A template that cannot be made is only a slower first start: the install goes on. Plain JavaScript: it
// runs under whichever Node runs npm; the template is made by the Node that npm scripts use (node_modules/.bin).
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const admin = spawnSync(process.execPath, [join(root, 'admin', 'scripts', 'prepare.mjs')], {
  cwd: root,
  stdio: 'inherit',
});
if (admin.status !== 0) process.exit(admin.status ?? 1);

const template = spawnSync(
  process.execPath,
  ['--experimental-strip-types', '--disable-warning=ExperimentalWarning', join(root, 'scripts', 'pglite-template.ts')],
  { cwd: root, stdio: 'inherit' },
);
if (template.status !== 0) {
  console.warn('pglite: no template made; a first `npm start` makes its database itself (a few seconds longer)');
}
