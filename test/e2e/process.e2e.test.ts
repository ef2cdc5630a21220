// The real entry point as a user runs it: `node src/main.ts` with environment variables.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CORE_MIGRATIONS } from '../../src/core-migrations.ts';
import { seedDemoDatabase } from '../../src/demo-data.ts';
import { makeDemoTemplate } from '../../src/platform/db/pglite-template-maker.ts';

const MAIN = join(import.meta.dirname, '../../src/main.ts');
const children: ChildProcess[] = [];

afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
});

function start(env: Record<string, string>, nodeFlags: string[] = []) {
  const child = spawn(process.execPath, [...nodeFlags, MAIN], {
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'info', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d) => {
    stdout += d;
  });
  child.stderr?.on('data', (d) => {
    stderr += d;
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, out: () => stdout, err: () => stderr };
}

// A liveness bound, not a speed check: a first start (migrations, demo catalog) took over 30 s on a CI machine at
// load 11 (it takes about 6 s on a quiet one).
async function waitReady(port: number, timeoutMs = 120_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/readyz`);
      if (res.status === 200) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('server never became ready');
}

const freePort = () => 20000 + Math.floor(Math.random() * 20000);

describe('process lifecycle', () => {
  // `npm install` made the embedded database's templates for these migrations and this code (npm's `prepare`); made
  // here when a migration or the code changed since, so the first start below copies the demo template (REQ-KER-028).
  beforeAll(() => makeDemoTemplate(CORE_MIGRATIONS, seedDemoDatabase), 120_000);

  it('[REQ-KER-004] a bad variable stops start-up with one clear line and exit code 1', async () => {
    const p = start({ PORT: 'eighty', DATA_DIR: mkdtempSync(join(tmpdir(), 'emp-')) });
    expect(await p.exited).toBe(1);
    expect(p.err().trim()).toBe('Invalid configuration: PORT must be an integer from 0 to 65535 (got "eighty")');
  });

  it('[REQ-KER-004] a DATA_DIR that cannot be made stops start-up with one line naming it and exit code 1', async () => {
    // Under /proc every mkdir fails with ENOENT although the parent exists (Node's recursive mkdir looped on it).
    const dirs = ['/proc/emporium-nope', `${join(mkdtempSync(join(tmpdir(), 'emp-')), 'file')}/x`];
    writeFileSync(dirname(dirs[1] as string), 'not a directory');
    for (const dir of dirs) {
      const p = start({ PORT: String(freePort()), DATA_DIR: dir });
      expect(await p.exited).toBe(1);
      expect(p.err().trim()).toMatch(new RegExp(`^Emporium failed to start: E(NOENT|NOTDIR)\\b.*mkdir '${dir}'$`));
    }
  });

  it('[REQ-KER-007] [REQ-KER-026] [REQ-KER-027] [REQ-KER-028] [REQ-KER-029] starts on a data directory, keeps it across restarts, gives its garbage back when idle, and stops on SIGTERM with exit 0', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'emp-data-'));
    const port = freePort();
    const first = start({ PORT: String(port), DATA_DIR: dataDir });
    await waitReady(port);
    expect(await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()).toEqual({ status: 'ok' });
    // [REQ-KER-028] The demo shop is there (seeded by this start, or copied from install's demo template) and indexed.
    const list = (await (await fetch(`http://127.0.0.1:${port}/v1/products?limit=1`)).json()) as { total: number };
    expect(list.total).toBe(200);
    const found = (await (await fetch(`http://127.0.0.1:${port}/v1/search?q=lamp&limit=1`)).json()) as {
      items: unknown[];
    };
    expect(found.items).toHaveLength(1);
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    // [REQ-KER-028] The first start copied the demo template: every migration was already applied, and the demo data
    // came with it, so nothing was seeded.
    expect(first.out()).not.toContain('"applied"');
    expect(first.out()).not.toContain('"msg":"demo catalog seeded"');
    expect(first.out()).toContain('"msg":"stopped"');
    // [REQ-KER-027] The cluster was made apart and renamed into place: no temporary directory is left beside it.
    expect(readdirSync(dataDir).sort()).toEqual(['pglite', 'secrets']);
    expect(readFileSync(join(dataDir, 'pglite', 'PG_VERSION'), 'utf8').trim()).toMatch(/^\d+$/);

    // [REQ-KER-029] V8 traces the growth factor it sets at each full collection: HEAP_GROWTH_PERCENT=50 is 1.5.
    const second = start({ PORT: String(port), DATA_DIR: dataDir, IDLE_GC_MS: '200', HEAP_GROWTH_PERCENT: '50' }, [
      '--trace-gc-verbose',
    ]);
    await waitReady(port);
    // The second start found its migrations already applied.
    expect(second.out()).not.toContain('"applied"');
    // [REQ-KER-026] Quiet for 200 ms (scrapes do not count): one memory-reducing collection, and the process answers.
    const collections = async () => {
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      return Number(/^idle_gc_duration_seconds_count (\d+)$/m.exec(text)?.[1]);
    };
    const until = Date.now() + 60_000;
    while ((await collections()) < 1 && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    expect(await collections()).toBeGreaterThanOrEqual(1);
    expect((await fetch(`http://127.0.0.1:${port}/v1/products?limit=1`)).status).toBe(200);
    // The idle collection came after start-up set the factor: the last one traced is 1.5.
    const factors = [...second.out().matchAll(/\[HeapController\] factor (\d+\.\d)/g)].map((m) => m[1]);
    expect(factors.at(-1)).toBe('1.5');
    second.child.kill('SIGINT');
    expect(await second.exited).toBe(0);
  }, 300_000);
});
