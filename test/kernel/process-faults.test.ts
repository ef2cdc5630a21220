// The process-wide policy for errors nothing caught, in a real child process (src/platform/process-faults.ts).
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT_UNCAUGHT_EXCEPTION } from '../../src/platform/process-faults.ts';

const CHILD = join(import.meta.dirname, '../support/process-fault-child.ts');

describe('process fault policy [REQ-RES-001]', () => {
  it('[REQ-RES-001] an unhandled rejection is logged and counted and the process serves on; an uncaught exception shuts it down with exit 70', async () => {
    const child = spawn(
      process.execPath,
      ['--experimental-strip-types', '--disable-warning=ExperimentalWarning', CHILD],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    const lines = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { msg: string; level?: number; metrics?: string; reason?: string; code?: number });
    const msgs = lines.map((l) => l.msg);
    expect(msgs).toEqual([
      'unhandled promise rejection; the process keeps serving',
      'still serving',
      'uncaught exception: state unknown, shutting down for a restart',
      'graceful shutdown',
    ]);
    expect(lines[0]?.level).toBe(50); // error
    expect(lines[2]?.level).toBe(60); // fatal
    expect(lines[1]?.metrics).toContain('process_faults_total{kind="unhandledRejection"} 1');
    expect(lines[3]).toMatchObject({ reason: 'uncaughtException', code: EXIT_UNCAUGHT_EXCEPTION });
    expect(code).toBe(EXIT_UNCAUGHT_EXCEPTION);
    expect(EXIT_UNCAUGHT_EXCEPTION).toBe(70);
  });
});
