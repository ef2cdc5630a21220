// `npm install` (scripts/prepare.mjs): bundles the packages listed in src/package-bundles.mjs, each specifier into one
// ES module file (modules shared by two specifiers of a package go into one shared chunk, so there is one copy of
// each), with rolldown, the bundler that comes with vite among the development dependencies. Without it (an install
// that omits development dependencies) nothing is bundled and `npm start` loads the packages as installed.
// Written to a temporary directory and renamed into place, with a `complete` marker last; bundles of other versions
// are removed. Plain JavaScript, like prepare.mjs.
import { mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUNDLED, bundleDir } from '../src/package-bundles.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dir = bundleDir(root);
const started = Date.now();

let rolldown;
try {
  ({ rolldown } = await import('rolldown'));
} catch {
  console.log('packages: not bundled (rolldown is not installed); npm start loads them as installed');
  process.exit(0);
}

const tmp = `${dir}.tmp-${process.pid}`;
rmSync(tmp, { recursive: true, force: true });
mkdirSync(join(tmp, 'entries'), { recursive: true });
const input = {};
for (const specifiers of Object.values(BUNDLED)) {
  for (const [specifier, file] of Object.entries(specifiers)) {
    const name = basename(file, '.js');
    const entry = join(tmp, 'entries', `${name}.mjs`);
    // Every named export, and the default one where the package has it (typebox's is its Type namespace).
    const module = await import(specifier);
    const lines = [`export * from '${specifier}';`];
    if ('default' in module) lines.push(`export { default } from '${specifier}';`);
    writeFileSync(entry, `${lines.join('\n')}\n`);
    input[name] = entry;
  }
}
const bundle = await rolldown({ input, platform: 'node', cwd: root, logLevel: 'silent' });
await bundle.write({ dir: tmp, format: 'esm', entryFileNames: '[name].js', chunkFileNames: 'shared-[hash].js' });
await bundle.close();
rmSync(join(tmp, 'entries'), { recursive: true, force: true });
writeFileSync(join(tmp, 'package.json'), '{ "type": "module" }\n');
writeFileSync(join(tmp, 'complete'), '');

const parent = dirname(dir);
for (const old of readdirSync(parent)) {
  if (old.startsWith('packages-') && join(parent, old) !== tmp)
    rmSync(join(parent, old), { recursive: true, force: true });
}
renameSync(tmp, dir);
console.log(`packages: ${Object.keys(input).join(', ')} bundled in ${((Date.now() - started) / 1000).toFixed(1)} s`);
