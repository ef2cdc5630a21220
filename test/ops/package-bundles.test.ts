// `npm start` loads typebox, kysely and jose as one file each, bundled by install for the installed versions
// (src/package-bundles.mjs, scripts/bundle-packages.mjs). Each case runs in a child process: the resolution hooks
// would otherwise change how this test process resolves those packages.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { BUNDLED, bundleDir } from '../../src/package-bundles.mjs';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '../..');
const MODULE = pathToFileURL(join(ROOT, 'src', 'package-bundles.mjs')).href;
const scratch = mkdtempSync(join(tmpdir(), 'emp-bundles-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Runs `body` (an ES module's text) in a new Node process after useBundles(root); returns its last line as JSON. */
async function child(root: string, body: string): Promise<Record<string, unknown>> {
  const script = `import { useBundles } from ${JSON.stringify(MODULE)};
const used = await useBundles(${JSON.stringify(root)});
${body}`;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '' },
    timeout: 60_000,
  });
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as Record<string, unknown>;
}

describe('packages bundled by install [REQ-KER-031]', () => {
  it('[REQ-KER-031] install made the bundles for the installed versions, one file per specifier', () => {
    const dir = bundleDir(ROOT);
    expect(existsSync(join(dir, 'complete'))).toBe(true);
    for (const specifiers of Object.values(BUNDLED)) {
      for (const file of Object.values(specifiers)) expect(existsSync(join(dir, file))).toBe(true);
    }
  });

  it('[REQ-KER-031] with them, the specifiers resolve to the bundles, and typebox/value works on typebox types', async () => {
    const out = await child(
      ROOT,
      `const resolved = Object.fromEntries(['kysely', 'typebox', 'typebox/value', 'jose'].map((s) => [s, import.meta.resolve(s)]));
const { Type } = await import('typebox');
const { Value } = await import('typebox/value');
const { sql } = await import('kysely');
const jose = await import('jose');
const schema = Type.Object({ name: Type.String(), qty: Type.Integer({ minimum: 1 }) });
console.log(JSON.stringify({
  used,
  resolved,
  valid: Value.Check(schema, { name: 'lamp', qty: 2 }),
  invalid: Value.Check(schema, { name: 'lamp', qty: 0 }),
  sql: typeof sql,
  jwt: typeof jose.SignJWT,
}));`,
    );
    const dir = pathToFileURL(bundleDir(ROOT)).href;
    expect(out).toEqual({
      used: true,
      resolved: {
        kysely: `${dir}/kysely.js`,
        typebox: `${dir}/typebox.js`,
        'typebox/value': `${dir}/typebox-value.js`,
        jose: `${dir}/jose.js`,
      },
      valid: true,
      invalid: false,
      sql: 'function',
      jwt: 'function',
    });
  });

  it('[REQ-KER-031] with other versions installed, nothing is redirected', async () => {
    // A root whose packages claim other versions: its key names a directory install never made.
    const root = join(scratch, 'other');
    for (const name of Object.keys(BUNDLED)) {
      mkdirSync(join(root, 'node_modules', name), { recursive: true });
      writeFileSync(join(root, 'node_modules', name, 'package.json'), JSON.stringify({ name, version: '0.0.1' }));
    }
    expect(bundleDir(root)).not.toBe(bundleDir(ROOT));
    const out = await child(root, `console.log(JSON.stringify({ used, kysely: import.meta.resolve('kysely') }));`);
    expect(out).toEqual({ used: false, kysely: pathToFileURL(join(ROOT, 'node_modules/kysely/dist/index.js')).href });
  });
});
