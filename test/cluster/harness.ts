// A production-shaped cluster on one machine: N `node src/main.ts` processes on PostgreSQL, Redis and NATS (our own
// throw-away instances, services.ts), one standalone sandbox PSP shared by all of them, and haproxy in front with
// deploy/haproxy.cfg exactly as shipped (only its environment variables filled in).
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort, type ServiceSet, startOwnServices, waitUntil } from './services.ts';

const ROOT = join(import.meta.dirname, '../..');
const NODE = join(ROOT, 'node_modules/.bin/node');
const NODE_ARGS = ['--experimental-strip-types', '--disable-warning=ExperimentalWarning'];
export const HAPROXY_CONFIG = join(ROOT, 'deploy/haproxy.cfg');
const READY_TIMEOUT_MS = 60_000;
const LOG_LIMIT = 1_000_000;

/** The haproxy binary, or undefined when it is not installed (the suite is then skipped with this reason). */
export const haproxyBinary: string | undefined =
  spawnSync('sh', ['-c', 'command -v haproxy || ls /usr/sbin/haproxy 2>/dev/null'], { encoding: 'utf8' })
    .stdout.trim()
    .split('\n')[0] || undefined;
export const needsHaproxy = haproxyBinary ? '' : 'needs haproxy (apt-get install haproxy)';

export interface AppProcess {
  index: number;
  port: number;
  /** http://127.0.0.1:<port>, the process itself (not through haproxy). */
  url: string;
  /** The OS process id while running. */
  readonly pid: number | undefined;
  /** Everything it wrote to stdout and stderr (the last megabyte), across restarts. */
  logs(): string;
  /** SIGKILL; resolves once it is gone. */
  kill9(): Promise<void>;
  /** Starts it (again) on the same port and env; resolves when GET /readyz answers 200. */
  start(): Promise<void>;
  /** SIGTERM (graceful drain); SIGKILL if still there after 20 s. */
  stop(): Promise<void>;
  /** null while running (or never started); else its exit code, or 128 + the signal number when killed by one. */
  readonly exitCode: number | null;
}

export interface Cluster {
  /** haproxy's address: what clients use. */
  url: string;
  processes: AppProcess[];
  services: ServiceSet;
  /** The cluster's own database on services' PostgreSQL (fresh per cluster), and its name. */
  databaseUrl: string;
  databaseName: string;
  /** The staff admin created at start (ADMIN_EMAIL / ADMIN_PASSWORD). */
  admin: { email: string; password: string };
  /** haproxy's stats page (CSV at `${statsUrl};csv`) and its log. */
  statsUrl: string;
  haproxyLogs(): string;
  /** Resolves when haproxy reports every running process UP (bounded). */
  waitAllUp(timeoutMs?: number): Promise<void>;
  /** The env every app process gets (tests read secrets from it). */
  env: Record<string, string>;
  /** Stops haproxy, the processes, the PSP, drops the database; stops the services if the cluster started them. */
  stop(): Promise<void>;
}

export interface ClusterOptions {
  processes?: number;
  /** Extra or overriding variables for every app process. */
  env?: Record<string, string>;
  /** Shared services; when absent the cluster starts its own and stops them with itself. */
  services?: ServiceSet;
}

interface Proc {
  child: ChildProcess | undefined;
  output: string;
  exitCode: number | null;
}

const SIGNALS: Record<string, number> = { SIGKILL: 9, SIGTERM: 15, SIGINT: 2, SIGABRT: 6, SIGSEGV: 11 };

function launch(p: Proc, cmd: string, args: string[], env: Record<string, string>): ChildProcess {
  const child = spawn(cmd, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  p.child = child;
  p.exitCode = null;
  running.add(child);
  const keep = (chunk: Buffer) => {
    p.output += chunk.toString();
    if (p.output.length > LOG_LIMIT) p.output = p.output.slice(-LOG_LIMIT / 2);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  child.on('error', (e) => keep(Buffer.from(`spawn error: ${e.message}\n`)));
  child.on('exit', (code, signal) => {
    running.delete(child);
    p.exitCode = code ?? 128 + (SIGNALS[signal ?? ''] ?? 0);
    keep(Buffer.from(`[harness] exited with ${code ?? signal}\n`));
  });
  return child;
}

async function terminate(p: Proc, signal: NodeJS.Signals, graceMs: number): Promise<void> {
  const child = p.child;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** True when `url` answers `status` (any status when null). */
async function answers(url: string, status: number | null = 200): Promise<boolean> {
  const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
  await res.arrayBuffer();
  return status === null || res.status === status;
}

// Children left running when the test process exits without stop() (a crash) are killed with it.
const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of running) c.kill('SIGKILL');
});

function appProcess(index: number, port: number, env: Record<string, string>): AppProcess {
  const p: Proc = { child: undefined, output: '', exitCode: null };
  const url = `http://127.0.0.1:${port}`;
  return {
    index,
    port,
    url,
    get pid() {
      return p.exitCode === null ? p.child?.pid : undefined;
    },
    get exitCode() {
      return p.child ? p.exitCode : null;
    },
    logs: () => p.output,
    async start() {
      if (p.child && p.exitCode === null) throw new Error(`process ${index} is already running`);
      const child = launch(p, NODE, [...NODE_ARGS, 'src/main.ts'], { ...env, PORT: String(port) });
      await waitUntil(
        `process ${index} (port ${port})`,
        async () => {
          if (child.exitCode !== null || child.signalCode !== null) throw new Error('exited during start');
          return answers(`${url}/readyz`);
        },
        READY_TIMEOUT_MS,
      ).catch((e) => {
        throw new Error(`${(e as Error).message}\n--- its output:\n${p.output.slice(-4000)}`);
      });
    },
    kill9: () => terminate(p, 'SIGKILL', 5000),
    stop: () => terminate(p, 'SIGTERM', 20_000),
  };
}

/** haproxy's view of the backend's servers: name → status (UP, DOWN, MAINT, "UP 1/2", …). */
export async function serverStates(statsUrl: string): Promise<Map<string, string>> {
  const res = await fetch(`${statsUrl};csv`, { signal: AbortSignal.timeout(2000) });
  const lines = (await res.text()).split('\n');
  const header = (lines[0] ?? '').replace(/^# /, '').split(',');
  const [px, sv, st] = ['pxname', 'svname', 'status'].map((c) => header.indexOf(c));
  const states = new Map<string, string>();
  for (const line of lines.slice(1)) {
    const cols = line.split(',');
    const name = cols[sv ?? 1] ?? '';
    if (cols[px ?? 0] === 'emporium' && name.startsWith('app')) states.set(name, cols[st ?? 17] ?? '');
  }
  return states;
}

export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  if (!haproxyBinary) throw new Error(needsHaproxy);
  const count = options.processes ?? 3;
  if (count < 1 || count > 8) throw new Error('1 to 8 processes (deploy/haproxy.cfg has 8 server slots)');
  const ownServices = !options.services;
  const services = options.services ?? (await startOwnServices());
  const dataDir = mkdtempSync(join(tmpdir(), 'emp-cluster-'));
  const tag = randomBytes(4).toString('hex');
  const databaseName = `emp_cluster_${tag}`;
  const databaseUrl = services.databaseUrl.replace(/\/[^/?]*(\?|$)/, `/${databaseName}$1`);
  const psp: Proc = { child: undefined, output: '', exitCode: null };
  const haproxy: Proc = { child: undefined, output: '', exitCode: null };
  const processes: AppProcess[] = [];
  let databaseCreated = false;

  const adminQuery = async (text: string) => {
    const client = new pg.Client({ connectionString: services.adminUrl, connectionTimeoutMillis: 5000 });
    client.on('error', () => {});
    await client.connect();
    try {
      await client.query(text);
    } finally {
      await client.end().catch(() => {});
    }
  };

  const stop = async () => {
    await terminate(haproxy, 'SIGTERM', 5000);
    await Promise.allSettled(processes.map((p) => p.stop()));
    await terminate(psp, 'SIGTERM', 5000);
    if (databaseCreated) await adminQuery(`drop database if exists ${databaseName} with (force)`).catch(() => {});
    if (ownServices) await services.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };

  try {
    await adminQuery(`create database ${databaseName}`);
    databaseCreated = true;
    const [haproxyPort, statsPort, pspPort] = [await freePort(), await freePort(), await freePort()];
    const url = `http://127.0.0.1:${haproxyPort}`;
    const statsUrl = `http://127.0.0.1:${statsPort}/stats`;
    const keys = generateKeyPairSync('ed25519', {
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    const webhookSecret = `whsec_${randomBytes(16).toString('hex')}`;
    const admin = { email: `admin-${tag}@example.com`, password: `cluster-${randomBytes(12).toString('hex')}` };
    const base = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? dataDir };

    launch(psp, NODE, [...NODE_ARGS, 'src/modules/payments/sandbox/main.ts'], {
      ...base,
      SANDBOX_PSP_PORT: String(pspPort),
      SANDBOX_WEBHOOK_SECRET: webhookSecret,
      // Webhooks come in through the load balancer, as from a real PSP.
      SANDBOX_WEBHOOK_URL: `${url}/v1/payments/webhooks/sandbox`,
    });

    const env: Record<string, string> = {
      ...base,
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      DATABASE_URL: databaseUrl,
      REDIS_URL: services.redisUrl,
      REDIS_KEY_PREFIX: `emporium:${tag}:`,
      NATS_URL: services.natsUrl,
      NATS_STREAM: `EMP_${tag}`,
      JWT_PRIVATE_KEY: keys.privateKey,
      JWT_PUBLIC_KEY: keys.publicKey,
      ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}`,
      ADMIN_EMAIL: admin.email,
      ADMIN_PASSWORD: admin.password,
      DEMO_DATA: 'on',
      TRUST_PROXY: '127.0.0.1',
      LOG_LEVEL: 'warn',
      SANDBOX_PSP_URL: `http://127.0.0.1:${pspPort}`,
      SANDBOX_WEBHOOK_SECRET: webhookSecret,
      // Every request comes from haproxy's loopback address on behalf of one load-generating client.
      RATE_LIMIT_MAX: '10000000',
      ...options.env,
    };
    for (let i = 0; i < count; i++) processes.push(appProcess(i, await freePort(), env));
    await waitUntil('sandbox PSP', () => answers(`http://127.0.0.1:${pspPort}/v1/payments/none`, null), 30_000).catch(
      (e) => {
        throw new Error(`${(e as Error).message}\n${psp.output}`);
      },
    );
    // The first process migrates and seeds the demo catalog; the others start on a ready database.
    await processes[0]?.start();
    await Promise.all(processes.slice(1).map((p) => p.start()));

    const haproxyEnv: Record<string, string> = {
      ...base,
      EMPORIUM_BIND: `127.0.0.1:${haproxyPort}`,
      EMPORIUM_STATS_BIND: `127.0.0.1:${statsPort}`,
    };
    processes.forEach((p, i) => {
      haproxyEnv[`EMPORIUM_SERVER_${i + 1}`] = `127.0.0.1:${p.port}`;
    });
    launch(haproxy, haproxyBinary, ['-f', HAPROXY_CONFIG, '-db'], haproxyEnv);

    const waitAllUp = async (timeoutMs = 30_000) => {
      await waitUntil(
        'haproxy: every running process UP',
        async () => {
          if (haproxy.exitCode !== null) throw new Error(`haproxy exited: ${haproxy.output}`);
          const states = await serverStates(statsUrl);
          return processes.every((p) => p.exitCode !== null || states.get(`app${p.index + 1}`) === 'UP');
        },
        timeoutMs,
      );
    };
    await waitAllUp();
    return {
      url,
      processes,
      services,
      databaseUrl,
      databaseName,
      admin,
      statsUrl,
      haproxyLogs: () => haproxy.output,
      waitAllUp,
      env,
      stop,
    };
  } catch (e) {
    await stop().catch(() => {});
    throw e;
  }
}
