// Shared by bench/growth.ts and bench/soak.ts: a scratch PostgreSQL database, the built server (`node dist/main.js`)
// started on it as a child process, its memory from /proc, machine info, staff login and autocannon runs where
// every connection replays its own list of requests (so each request can miss the read cache).
// BENCH_NODE_FLAGS adds Node/V8 flags to the server's command line.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import { BENCH_ADMIN } from '../cart-scenarios.ts';

export const ROOT = join(import.meta.dirname, '..', '..');

export const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

export function machine(): string {
  return (
    `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}; ` +
    `load average ${load()}`
  );
}

/** Runs one statement on a connection of its own (create/drop database, counts). */
export async function query<T = Record<string, unknown>>(url: string, text: string, values: unknown[] = []) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text, values)).rows as T[];
  } finally {
    await client.end();
  }
}

export interface Scratch {
  url: string;
  name: string;
  drop(): Promise<void>;
}

/** A new empty database next to `baseUrl` (BENCH_DATABASE_URL), dropped by `drop()`. */
export async function scratchDatabase(baseUrl: string, label: string): Promise<Scratch> {
  const name = `emp_bench_${label}_${randomBytes(3).toString('hex')}`;
  await query(baseUrl, `create database ${name}`);
  const u = new URL(baseUrl);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    name,
    drop: async () => {
      await query(baseUrl, `drop database if exists ${name} with (force)`);
    },
  };
}

export interface Server {
  base: string;
  pid: number;
  child: ChildProcess;
  /** Milliseconds from spawn to /readyz 200. */
  readyMs: number;
  alive(): boolean;
  stop(): Promise<void>;
}

/** The server's command line: what `npm start` and the README use, plus BENCH_NODE_FLAGS. */
export function serverArgs(): string[] {
  const extra = (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean);
  return ['--max-semi-space-size=16', ...extra, join(ROOT, 'dist/main.js')];
}

export async function startServer(options: { databaseUrl: string; port: number; env?: Record<string, string> }) {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    PORT: String(options.port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    RATE_LIMIT_MAX: '10000000',
    ADMIN_EMAIL: BENCH_ADMIN.email,
    ADMIN_PASSWORD: BENCH_ADMIN.password,
    DATA_DIR: mkdtempSync(join(tmpdir(), 'emp-bench-')),
    DATABASE_URL: options.databaseUrl,
    DATABASE_POOL_MAX: process.env.DATABASE_POOL_MAX ?? '20',
    ...options.env,
  };
  // HEAP_GROWTH_PERCENT and CACHE_MAX_BYTES too, so that a setting of the process can be compared on the same build.
  for (const k of ['REDIS_URL', 'NATS_URL', 'HEAP_GROWTH_PERCENT', 'CACHE_MAX_BYTES']) {
    const v = process.env[k];
    if (v) env[k] = v;
  }
  const t0 = performance.now();
  const child = spawn(process.execPath, serverArgs(), {
    env,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const base = `http://127.0.0.1:${options.port}`;
  const alive = () => child.exitCode === null && child.signalCode === null;
  let readyMs = 0;
  for (let i = 0; ; i++) {
    if (!alive()) throw new Error(`server exited with ${child.exitCode ?? child.signalCode}`);
    if (i > 1200) throw new Error('server did not become ready in 120 s');
    try {
      if ((await fetch(`${base}/readyz`)).ok) {
        readyMs = performance.now() - t0;
        break;
      }
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  const server: Server = {
    base,
    pid: child.pid ?? 0,
    child,
    readyMs,
    alive,
    stop: async () => {
      if (!alive()) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
      if (alive()) child.kill('SIGKILL');
    },
  };
  return server;
}

/** The process's resident set now (VmRSS) and its peak since start (VmHWM), in MB; 0 once it has gone. */
export function memory(pid: number): { rss: number; hwm: number } {
  try {
    const s = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+) kB`).exec(s)?.[1] ?? 0);
    return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024 };
  } catch {
    return { rss: 0, hwm: 0 };
  }
}

/** Samples VmRSS every `ms` while running; `peak()` is the highest seen since `reset()`. */
export function rssSampler(pid: number, ms = 200) {
  let peak = 0;
  const timer = setInterval(() => {
    peak = Math.max(peak, memory(pid).rss);
  }, ms);
  return {
    peak: () => Math.max(peak, memory(pid).rss),
    reset: () => {
      peak = memory(pid).rss;
    },
    stop: () => clearInterval(timer),
  };
}

export async function call(base: string, method: string, path: string, body?: unknown, headers = {}) {
  const res = await fetch(base + path, {
    method,
    headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

/** A bearer header for the bench staff account the server was started with. */
export async function staffAuth(base: string): Promise<{ authorization: string }> {
  const r = await call(base, 'POST', '/v1/auth/login', BENCH_ADMIN);
  if (r.status !== 200) throw new Error(`staff login: ${r.status} ${JSON.stringify(r.body)}`);
  return { authorization: `Bearer ${r.body.accessToken as string}` };
}

export interface Replay {
  reqPerSec: number;
  p50: number;
  p99: number;
  requests: number;
  errors: number;
  non2xx: number;
}

/** `connections` autocannon clients for `seconds`; client k cycles through the GET paths `paths(k)`. */
export async function replay(
  base: string,
  connections: number,
  seconds: number,
  paths: (k: number) => string[],
): Promise<Replay> {
  let next = 0;
  const r = await autocannon({
    url: base,
    connections,
    duration: seconds,
    setupClient: (client: autocannon.Client) => {
      client.setRequests(paths(next++).map((path) => ({ method: 'GET', path })));
    },
  });
  return {
    reqPerSec: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    requests: r.requests.total,
    errors: r.errors + r.timeouts,
    non2xx: r.non2xx,
  };
}

/** A small seeded PRNG (mulberry32): the same request lists for the same seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
