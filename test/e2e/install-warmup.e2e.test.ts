// What `npm install` prepares for the first start (scripts/prepare.mjs): the modules a start loads are in Node's
// module compile cache, so a first `npm start` compiles and type-strips only its entry file.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');
const TYPESCRIPT = ['--experimental-strip-types', '--disable-warning=ExperimentalWarning'];
const scratch = mkdtempSync(join(tmpdir(), 'emp-warm-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function waitReady(port: number, exited: Promise<unknown>): Promise<void> {
  let gone = false;
  void exited.then(() => {
    gone = true;
  });
  for (const until = Date.now() + 120_000; Date.now() < until && !gone; ) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('server never became ready');
}

describe('install fills the module compile cache [REQ-KER-028] [REQ-KER-031]', () => {
  it('[REQ-KER-028] [REQ-KER-031] a first npm start after it compiles and type-strips no TypeScript file but its entry', async () => {
    const cache = join(scratch, 'compile-cache');
    const env = { PATH: process.env.PATH ?? '', NODE_COMPILE_CACHE: cache };
    const warm = spawnSync(process.execPath, [...TYPESCRIPT, join(ROOT, 'scripts', 'warm-compile-cache.ts')], {
      cwd: ROOT,
      env,
      encoding: 'utf8',
    });
    expect(warm.stderr).toBe('');
    expect(warm.status).toBe(0);
    expect(readdirSync(cache).length).toBeGreaterThan(0);

    const port = 20000 + Math.floor(Math.random() * 20000);
    // npm start's command line, with Node's own report of each cache lookup.
    const child = spawn(process.execPath, [...TYPESCRIPT, join(ROOT, 'src', 'start.mjs')], {
      cwd: ROOT,
      env: {
        ...env,
        NODE_DEBUG_NATIVE: 'COMPILE_CACHE',
        PORT: String(port),
        HOST: '127.0.0.1',
        DATA_DIR: join(scratch, 'shop'),
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let report = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => {
      report += d;
    });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    try {
      await waitReady(port, exited);
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
    const compiled = [...report.matchAll(/no transpile cache for StrippedTypeScript file:\/\/(\S+)/g)].map((m) =>
      (m[1] ?? '').slice(ROOT.length + 1),
    );
    const read = [...report.matchAll(/retrieving transpile cache for StrippedTypeScript \S+\.\.\.success/g)].length;
    expect(compiled).toEqual(['src/main.ts']);
    expect(read).toBeGreaterThan(200);
    // V8 took the compiled code of every module the warm-up compiled: none was compiled under other V8 flags (the
    // heap's growth, which src/main.ts sets before it loads the app).
    expect(report).not.toMatch(/V8 code cache for \S+ \S+ was rejected/);
    expect([...report.matchAll(/V8 code cache for \S+ \S+ was accepted/g)].length).toBeGreaterThan(900);
    // REQ-KER-031: the bundled packages come from install's bundles, compiled by the warm-up too, and not one of
    // their installed files is loaded (that would be a second copy). A start does not load typebox/value: request
    // checks, GraphQL arguments included, are ajv's.
    const bundles = [...report.matchAll(/V8 code cache for ESM file:\/\/\S+\/packages-[0-9a-f]+\/(\S+) was (\w+)/g)];
    const files = bundles.map((m) => m[1] ?? '');
    expect(files.filter((f) => !f.startsWith('shared-')).sort()).toEqual(['jose.js', 'kysely.js', 'typebox.js']);
    expect(files.some((f) => f.startsWith('shared-'))).toBe(true); // typebox's two specifiers share one chunk
    expect(bundles.every((m) => m[2] === 'accepted')).toBe(true);
    expect(report).not.toMatch(/node_modules\/(kysely|typebox|jose)\//);
  }, 300_000);
});
