// A throw-away redis-server of the test's own, on a free port, that the test may stop and start again at will
// (the shared Redis of the suite is never touched).
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { freePort, tcpAnswers, waitUntil } from '../cluster/services.ts';

export interface OwnRedis {
  url: string;
  port: number;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function redisServerPath(): string | undefined {
  try {
    return execFileSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

export async function startOwnRedis(): Promise<OwnRedis> {
  const bin = redisServerPath();
  if (!bin) throw new Error('redis-server is not installed');
  const port = await freePort();
  let child: ChildProcess | undefined;
  const own: OwnRedis = {
    url: `redis://127.0.0.1:${port}`,
    port,
    async start() {
      child = spawn(bin, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
        stdio: 'ignore',
      });
      await waitUntil(`own redis-server on ${port}`, () => tcpAnswers(port, 'PING\r\n', '+PONG'), 5_000);
    },
    async stop() {
      const c = child;
      child = undefined;
      if (!c || c.exitCode !== null) return;
      const exited = new Promise((r) => c.once('exit', r));
      c.kill('SIGKILL');
      await exited;
    },
  };
  await own.start();
  return own;
}
