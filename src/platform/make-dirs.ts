// Creates a directory and the parents it lacks, one at a time. Node's `mkdirSync(…, { recursive: true })` never
// returns for a path the kernel refuses with ENOENT although its parent exists (under /proc, say): it takes the
// ENOENT for a missing parent, makes the parent (EEXIST) and tries again, forever. Here each missing directory is
// made once, below the nearest one that exists, and the first refusal is thrown (ENOENT, EACCES, ENOTDIR…).
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

export function makeDirs(dir: string, mode?: number): void {
  const missing: string[] = [];
  let p = resolve(dir);
  for (; !existsSync(p); p = dirname(p)) {
    missing.unshift(p);
    if (dirname(p) === p) break;
  }
  // What exists is a file: mkdir's own error says so (EEXIST for the directory itself, ENOTDIR below it).
  if (existsSync(p) && !statSync(p).isDirectory()) mkdirSync(missing[0] ?? p);
  for (const m of missing) {
    try {
      mkdirSync(m, mode === undefined ? undefined : { mode });
    } catch (e) {
      // Made meanwhile by another process (two first starts on one DATA_DIR): that is what was asked for.
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
}
