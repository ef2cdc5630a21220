import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeDirs } from './make-dirs.ts';

const root = mkdtempSync(join(tmpdir(), 'emp-dirs-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const code = (f: () => void) => {
  try {
    f();
    return 'ok';
  } catch (e) {
    return (e as NodeJS.ErrnoException).code;
  }
};

describe('makeDirs [REQ-KER-004]', () => {
  it('[REQ-KER-004] makes the missing parents with the mode asked for, and leaves an existing directory alone', () => {
    const dir = join(root, 'a', 'b', 'c');
    makeDirs(dir, 0o700);
    expect(statSync(dir).isDirectory()).toBe(true);
    expect(statSync(join(root, 'a')).mode & 0o777).toBe(0o700);
    expect(code(() => makeDirs(dir))).toBe('ok');
  });

  it('[REQ-KER-004] throws the first refusal instead of looping: a file in the path, a path the kernel refuses', () => {
    writeFileSync(join(root, 'file'), 'x');
    expect(code(() => makeDirs(join(root, 'file', 'x', 'y')))).toBe('ENOTDIR');
    expect(existsSync(join(root, 'file', 'x'))).toBe(false);
    expect(code(() => makeDirs(join(root, 'file')))).toBe('EEXIST');
    // procfs refuses new directories with ENOENT although /proc exists: Node's recursive mkdirSync never returns.
    if (existsSync('/proc/self')) expect(code(() => makeDirs('/proc/emporium-nope/data'))).toBe('ENOENT');
  });
});
