// Creates a directory and the parents it lacks, one at a time. Node's `mkdirSync(…, { recursive: true })` never
// returns for a path the kernel refuses with ENOENT although its parent exists (under /proc, say): it takes the
// ENOENT for a missing parent, makes the parent (EEXIST) and tries again, forever. Here each missing directory is
// made once, below the nearest one that exists, and the first refusal is thrown (ENOENT, EACCES, ENOTDIR…).
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

export function makeDirs(dir: string, mode?: number): void {
  const missing: string[] = [];
  for (let p = resolve(dir); !existsSync(p); p = dirname(p)) {
    missing.unshift(p);
    if (dirname(p) === p) break;
  }
  for (const p of missing) {
    try {
      mkdirSync(p, mode === undefined ? undefined : { mode });
    } catch (e) {
      // Made meanwhile by another process (two first starts on one DATA_DIR): that is what was asked for.
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
}
