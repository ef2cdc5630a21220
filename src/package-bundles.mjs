// The ES module packages with the most module files that a start loads, each as one file: typebox with typebox/value
// (about 680 files), kysely (about 250) and jose (about 45). Only packages that nothing else imports by a deeper path:
// such an import would load a second copy. `npm install` bundles them (scripts/bundle-packages.mjs) into
// node_modules/.cache/emporium/packages-<key>, where the key covers the installed versions; `npm start`
// (src/start.mjs) then resolves those specifiers to the bundles. Loading 2,100 small files took about a third of an
// embedded restart (docs/benchmarks.md). Any mismatch (other versions installed, no bundle made, a Node without
// module hooks) leaves the normal resolution in place: the bundles only make a start faster.
// Plain JavaScript: it runs before any TypeScript is loaded.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Bump when the bundles' shape changes, so that an install made by an older script is not used. */
const FORMAT = 1;

/** package → the specifiers the application imports from it, each bundled as `<file>.js`. */
export const BUNDLED = {
  jose: { jose: 'jose.js' },
  kysely: { kysely: 'kysely.js' },
  typebox: { typebox: 'typebox.js', 'typebox/value': 'typebox-value.js' },
};

/** The directory of the bundles for the versions installed under `root`. */
export function bundleDir(root) {
  const versions = Object.keys(BUNDLED).map((name) => {
    const manifest = JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8'));
    return `${name}@${manifest.version}`;
  });
  const key = createHash('sha256')
    .update(JSON.stringify({ FORMAT, versions, bundled: BUNDLED }))
    .digest('hex')
    .slice(0, 16);
  return join(root, 'node_modules', '.cache', 'emporium', `packages-${key}`);
}

/**
 * Resolves the bundled specifiers to their bundles when bundles for the installed versions exist. Returns whether it
 * did. Never throws: without bundles the packages load as installed.
 */
export async function useBundles(root) {
  try {
    const dir = bundleDir(root);
    if (!existsSync(join(dir, 'complete'))) return false;
    const { registerHooks } = await import('node:module');
    if (typeof registerHooks !== 'function') return false;
    const urls = new Map();
    for (const specifiers of Object.values(BUNDLED)) {
      for (const [specifier, file] of Object.entries(specifiers)) {
        urls.set(specifier, pathToFileURL(join(dir, file)).href);
      }
    }
    registerHooks({
      resolve(specifier, context, next) {
        const url = urls.get(specifier);
        return url ? { url, format: 'module', shortCircuit: true } : next(specifier, context);
      },
    });
    return true;
  } catch {
    return false;
  }
}
