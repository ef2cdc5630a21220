import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const MODULE = join(import.meta.dirname, 'heap-growth.ts');

/** V8's own trace of the growth factor it chose at each full collection, in a new process given `percent`. */
function factorsChosen(percent: number, flags: string[] = []): string[] {
  const script = `
    import { applyHeapGrowth } from ${JSON.stringify(MODULE)};
    applyHeapGrowth(Number(process.argv[1]));
    const kept = [];
    for (let i = 0; i < 200000; i++) kept.push({ i, s: 'x' + i });
    globalThis.gc();
    globalThis.gc();
    process.stdout.write('kept ' + kept.length + '\\n');`;
  const out = execFileSync(
    process.execPath,
    [...flags, '--trace-gc-verbose', '--expose-gc', '--input-type=module', '-e', script, String(percent)],
    { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
  expect(out).toContain('kept 200000');
  return [...out.matchAll(/\[HeapController\] factor (\d+\.\d)/g)].map((m) => m[1] ?? '');
}

describe('heap growth [REQ-KER-029]', () => {
  it('[REQ-KER-029] a full collection after it sets the next limit at 1 + percent / 100 of what it kept', () => {
    const at50 = factorsChosen(50);
    expect(at50.length).toBeGreaterThanOrEqual(2);
    expect(new Set(at50)).toEqual(new Set(['1.5']));
    expect(new Set(factorsChosen(75))).toEqual(new Set(['1.8']));
  });

  it('[REQ-KER-029] 0 leaves the command line its say; a percentage overrides it', () => {
    const commandLine = ['--heap-growing-percent=50'];
    expect(new Set(factorsChosen(0, commandLine))).toEqual(new Set(['1.5']));
    expect(new Set(factorsChosen(100, commandLine))).toEqual(new Set(['2.0']));
  });
});
