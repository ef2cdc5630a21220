// Throw-away PostgreSQL 15, Redis and NATS JetStream for the cluster suite: each on a free loopback port with its
// data in a temp dir, so a test may stop, restart or break them without touching the machine's own services.
// As root, PostgreSQL runs as the `postgres` user (runuser) in a directory owned by it.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/** PostgreSQL 15's binaries (Debian layout), else the newest installed version's. */
const PG_BIN = ((): string => {
  const root = '/usr/lib/postgresql';
  if (existsSync(`${root}/15/bin/pg_ctl`)) return `${root}/15/bin`;
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(`${root}/${v}/bin/pg_ctl`)) : [];
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
  return newest ? `${root}/${newest}/bin` : `${root}/15/bin`;
})();
const START_TIMEOUT_MS = 30_000;

export interface ServiceSet {
  /** The `emporium` database on our PostgreSQL. */
  databaseUrl: string;
  /** The `postgres` maintenance database (create/drop databases, pg_stat_activity). */
  adminUrl: string;
  redisUrl: string;
  natsUrl: string;
  stopPostgres(): Promise<void>;
  startPostgres(): Promise<void>;
  /** `pg_ctl restart -m fast`: open connections are closed, the server is back when this resolves. */
  restartPostgres(): Promise<void>;
  /** pg_terminate_backend() on every connection to `dbName` except our own; resolves with how many. */
  terminateBackends(dbName: string): Promise<number>;
  stopRedis(): Promise<void>;
  startRedis(): Promise<void>;
  stopNats(): Promise<void>;
  startNats(): Promise<void>;
  /** Stops everything and removes the temp dirs. */
  stop(): Promise<void>;
}

const handedOut = new Set<number>();
/** A loopback port nothing listens on now (and not handed out before by this process). */
export async function freePort(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const port = await new Promise<number>((resolve, reject) => {
      const srv = createServer();
      srv.once('error', reject);
      srv.listen(0, '127.0.0.1', () => {
        const address = srv.address();
        const p = typeof address === 'object' && address ? address.port : 0;
        srv.close(() => resolve(p));
      });
    });
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error('no free port found');
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `probe` until it resolves true; throws with `what` after `timeoutMs`. */
export async function waitUntil(what: string, probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < until) {
    try {
      if (await probe()) return;
    } catch (e) {
      last = e;
    }
    await sleep(100);
  }
  const cause = (last as { cause?: { message?: string } } | undefined)?.cause?.message;
  const why = last ? `: ${(last as Error).message}${cause ? ` (${cause})` : ''}` : '';
  throw new Error(`${what} not ready after ${timeoutMs} ms${why}`);
}

/** Runs a command to completion (bounded); rejects with its output on a non-zero exit. */
function run(cmd: string, args: string[], timeoutMs = 60_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      out += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    // 'exit', not 'close': pg_ctl's server may keep inherited pipes open.
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`${cmd} ${args.join(' ')} → ${code ?? signal}: ${out.slice(-2000)}`));
    });
  });
}

const asRoot = process.getuid?.() === 0;
/** The command line that runs `cmd` as the postgres user when we are root. */
const asPostgres = (cmd: string, args: string[]): [string, string[]] =>
  asRoot ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];

function binary(name: string, fallbacks: string[]): string {
  const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).stdout.trim();
  if (found) return found;
  const fb = fallbacks.find((f) => existsSync(f));
  if (!fb) throw new Error(`${name} not found`);
  return fb;
}

async function pgQuery(url: string, text: string, values: unknown[] = []): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  client.on('error', () => {});
  await client.connect();
  try {
    return await client.query(text, values);
  } finally {
    await client.end().catch(() => {});
  }
}

/** True when something accepts a TCP connection at the URL's host and port. */
export function acceptsConnections(url: string): Promise<boolean> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const socket = createConnection({ host: u.hostname, port: Number(u.port) });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => done(true));
  });
}

/** True when a TCP peer on loopback `port` answers `send` with a reply containing `expect` within `timeoutMs`. */
export function tcpAnswers(port: number, send: string, expect: string, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let got = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => {
      if (send) socket.write(send);
    });
    socket.on('data', (d) => {
      got += d;
      if (got.includes(expect)) done(true);
    });
  });
}

/** A child process that stays up until stopped: SIGTERM, then SIGKILL after `graceMs`. */
interface Daemon {
  child: ChildProcess | undefined;
  output: string;
}

function spawnDaemon(d: Daemon, cmd: string, args: string[]): void {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  d.child = child;
  const keep = (chunk: Buffer) => {
    d.output = (d.output + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  child.on('error', (e) => keep(Buffer.from(`spawn error: ${e.message}\n`)));
}

async function stopDaemon(d: Daemon, graceMs = 10_000): Promise<void> {
  const child = d.child;
  d.child = undefined;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

export async function startOwnServices(): Promise<ServiceSet> {
  const root = mkdtempSync(join(tmpdir(), 'emp-services-'));
  chmodSync(root, 0o755);
  const pgData = join(root, 'pg', 'data');
  const pgSock = join(root, 'pg', 'sock');
  const pgLog = join(root, 'pg', 'server.log');
  mkdirSync(pgSock, { recursive: true });
  if (asRoot) spawnSync('chown', ['-R', 'postgres:postgres', join(root, 'pg')]);
  const [pgPort, redisPort, natsPort, natsMonitor] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  const adminUrl = `postgres://postgres@127.0.0.1:${pgPort}/postgres`;
  const databaseUrl = `postgres://postgres@127.0.0.1:${pgPort}/emporium`;
  const redis: Daemon = { child: undefined, output: '' };
  const nats: Daemon = { child: undefined, output: '' };
  const redisBin = binary('redis-server', ['/usr/bin/redis-server']);
  const natsBin = binary('nats-server', ['/usr/sbin/nats-server', '/usr/bin/nats-server']);
  let pgRunning = false;

  const pgCtl = (args: string[], timeoutMs = 60_000) =>
    run(...asPostgres(join(PG_BIN, 'pg_ctl'), ['-D', pgData, ...args]), timeoutMs);
  const pgAnswers = () =>
    waitUntil('PostgreSQL', async () => (await pgQuery(adminUrl, 'select 1')).rowCount === 1, START_TIMEOUT_MS);

  // If the test process dies without stop(), do not leave a server behind.
  const onExit = () => {
    if (pgRunning) spawnSync(...asPostgres(join(PG_BIN, 'pg_ctl'), ['-D', pgData, '-m', 'immediate', 'stop']));
    redis.child?.kill('SIGKILL');
    nats.child?.kill('SIGKILL');
  };
  process.on('exit', onExit);

  const set: ServiceSet = {
    databaseUrl,
    adminUrl,
    redisUrl: `redis://127.0.0.1:${redisPort}`,
    natsUrl: `nats://127.0.0.1:${natsPort}`,
    async startPostgres() {
      await pgCtl(['-l', pgLog, '-w', '-t', '30', 'start']);
      pgRunning = true;
      await pgAnswers();
    },
    async stopPostgres() {
      await pgCtl(['-m', 'fast', '-w', '-t', '30', 'stop']);
      pgRunning = false;
    },
    async restartPostgres() {
      await pgCtl(['-l', pgLog, '-m', 'fast', '-w', '-t', '30', 'restart']);
      pgRunning = true;
      await pgAnswers();
    },
    async terminateBackends(dbName) {
      const r = await pgQuery(
        adminUrl,
        'select pg_terminate_backend(pid) as done from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
        [dbName],
      );
      return r.rows.filter((row: { done: boolean }) => row.done).length;
    },
    async startRedis() {
      spawnDaemon(redis, redisBin, [
        '--port',
        String(redisPort),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        join(root, 'redis'),
        '--daemonize',
        'no',
      ]);
      await waitUntil('Redis', () => tcpAnswers(redisPort, 'PING\r\n', '+PONG'), START_TIMEOUT_MS).catch((e) => {
        throw new Error(`${(e as Error).message}\n${redis.output}`);
      });
    },
    stopRedis: () => stopDaemon(redis),
    async startNats() {
      spawnDaemon(nats, natsBin, [
        '-js',
        '-a',
        '127.0.0.1',
        '-p',
        String(natsPort),
        '-m',
        String(natsMonitor),
        '-sd',
        join(root, 'nats'),
      ]);
      const healthy = async () => (await fetch(`http://127.0.0.1:${natsMonitor}/healthz`)).status === 200;
      await waitUntil('NATS JetStream', healthy, START_TIMEOUT_MS).catch((e) => {
        throw new Error(`${(e as Error).message}\n${nats.output}`);
      });
    },
    stopNats: () => stopDaemon(nats),
    async stop() {
      await Promise.allSettled([
        stopDaemon(redis),
        stopDaemon(nats),
        pgRunning ? set.stopPostgres() : Promise.resolve(),
      ]);
      if (pgRunning) onExit();
      process.off('exit', onExit);
      rmSync(root, { recursive: true, force: true });
    },
  };

  try {
    mkdirSync(join(root, 'redis'));
    mkdirSync(join(root, 'nats'));
    await run(
      ...asPostgres(join(PG_BIN, 'initdb'), [
        '-D',
        pgData,
        '-A',
        'trust',
        '-U',
        'postgres',
        '-E',
        'UTF8',
        '--locale=C',
        '--no-sync',
      ]),
    );
    // Throw-away data: no fsync; enough connections for several processes and the test's own.
    writeFileSync(
      join(pgData, 'postgresql.auto.conf'),
      [
        `port = ${pgPort}`,
        `listen_addresses = '127.0.0.1'`,
        `unix_socket_directories = '${pgSock}'`,
        'fsync = off',
        'synchronous_commit = off',
        'full_page_writes = off',
        'max_connections = 300',
        '',
      ].join('\n'),
    );
    if (asRoot) spawnSync('chown', ['postgres:postgres', join(pgData, 'postgresql.auto.conf')]);
    await Promise.all([set.startPostgres(), set.startRedis(), set.startNats()]);
    await pgQuery(adminUrl, 'create database emporium');
    return set;
  } catch (e) {
    await set.stop();
    throw e;
  }
}
