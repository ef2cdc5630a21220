import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { embeddedDataDir, initdbOnce, needsInitdb } from './pglite-initdb.ts';

const root = mkdtempSync(join(tmpdir(), 'emp-initdb-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A pid that no process has now (a short-lived child's, after it exited). */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

describe('a new embedded database is made apart [REQ-KER-027]', () => {
  it('[REQ-KER-027] a new directory gets a whole cluster from a child process, and the server opens and keeps it', async () => {
    const dataDir = join(root, 'shop', 'pglite');
    const leftover = `${dataDir}.initdb-${deadPid()}`;
    mkdirSync(join(leftover, 'base'), { recursive: true });
    expect(needsInitdb(dataDir)).toBe(true);

    const run = initdbOnce(dataDir);
    expect(initdbOnce(dataDir)).toBe(run); // main.ts starts it, openPglite waits for the same run
    await run;

    expect(readFileSync(join(dataDir, 'PG_VERSION'), 'utf8').trim()).toMatch(/^\d+$/);
    expect(needsInitdb(dataDir)).toBe(false);
    // Neither this run's temporary directory nor the one a killed start left is there any more.
    expect(readdirSync(join(root, 'shop'))).toEqual(['pglite']);

    const { openPglite } = await import('./pglite.ts');
    const first = await openPglite({ dataDir });
    await sql`create table kept (n int)`.execute(first.k);
    await sql`insert into kept values (42)`.execute(first.k);
    await first.close();
    const again = await openPglite({ dataDir });
    try {
      const r = await sql<{ n: number }>`select n from kept`.execute(again.k);
      expect(r.rows).toEqual([{ n: 42 }]);
    } finally {
      await again.close();
    }
  });

  it('[REQ-KER-027] a directory that holds anything is left as it is', async () => {
    const dataDir = join(root, 'used', 'pglite');
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(join(dataDir, 'notes.txt'), 'mine');
    expect(needsInitdb(dataDir)).toBe(false);
    await initdbOnce(dataDir);
    expect(readdirSync(dataDir)).toEqual(['notes.txt']);
    expect(readFileSync(join(dataDir, 'notes.txt'), 'utf8')).toBe('mine');
    expect(readdirSync(join(root, 'used'))).toEqual(['pglite']);
  });

  it('[REQ-KER-027] a place where no directory can be made is a clear error, and nothing is left behind', async () => {
    writeFileSync(join(root, 'a-file'), '');
    const dataDir = join(root, 'a-file', 'pglite');
    await expect(initdbOnce(dataDir)).rejects.toThrow(/EEXIST: file already exists, mkdir '.*a-file'/);
    expect(existsSync(dataDir)).toBe(false);
    expect(readFileSync(join(root, 'a-file'), 'utf8')).toBe('');
    expect(readdirSync(root).filter((n) => n.startsWith('a-file'))).toEqual(['a-file']);
  });

  it('[REQ-KER-027] a child that fails is a clear error with its own message, and its temporary directory goes', async () => {
    const dataDir = join(root, 'failing', 'pglite');
    const missing = join(root, 'no-such-preload.cjs');
    const saved = process.env.NODE_OPTIONS;
    process.env.NODE_OPTIONS = `--require ${missing}`; // the child inherits it and dies before its initdb
    try {
      await expect(initdbOnce(dataDir)).rejects.toThrow(
        /initdb of the embedded database failed \(exit 1\).*no-such-preload/s,
      );
    } finally {
      if (saved === undefined) delete process.env.NODE_OPTIONS;
      else process.env.NODE_OPTIONS = saved;
    }
    expect(readdirSync(join(root, 'failing'))).toEqual([]);
  });

  it('[REQ-KER-027] only the embedded database on disk has a directory', () => {
    expect(embeddedDataDir({ databaseUrl: undefined, dataDir: '/srv/shop', pgliteInMemory: false })).toBe(
      '/srv/shop/pglite',
    );
    expect(embeddedDataDir({ databaseUrl: undefined, dataDir: '/srv/shop', pgliteInMemory: true })).toBeUndefined();
    expect(
      embeddedDataDir({ databaseUrl: 'postgres://db/shop', dataDir: '/srv/shop', pgliteInMemory: false }),
    ).toBeUndefined();
  });
});
