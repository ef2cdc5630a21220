// npm run bench [-- --scenario healthz --connections 32 --duration 10 --warmup 3 --port 3900]
// Builds the production bundle, starts it as a listening server (PGlite in a temp dir, or DATABASE_URL),
// replays each scenario with autocannon after a warm-up, and prints req/s, p50, p99, errors and the
// server's peak RSS. Record the figures in docs/benchmarks.md with the machine and settings.
// BENCH_NODE_FLAGS adds Node/V8 flags to the server's command line (an A/B of a flag on the same build).
import { type ChildProcess, execSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { BENCH_ADMIN } from './cart-scenarios.ts';
import { type BenchRequest, SCENARIOS } from './scenarios.ts';
import { serverArgs } from './support/server.ts';

const { values } = parseArgs({
  options: {
    scenario: { type: 'string', multiple: true },
    connections: { type: 'string', default: '32' },
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    port: { type: 'string', default: '3900' },
    'no-build': { type: 'boolean', default: false },
  },
});
const ROOT = join(import.meta.dirname, '..');
const connections = Number(values.connections);
const duration = Number(values.duration);
const warmup = Number(values.warmup);
const port = Number(values.port);
const base = `http://127.0.0.1:${port}`;

function startServer(): ChildProcess {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    RATE_LIMIT_MAX: '10000000',
    // a staff account for scenarios that set up their own data (cart-*)
    ADMIN_EMAIL: BENCH_ADMIN.email,
    ADMIN_PASSWORD: BENCH_ADMIN.password,
    DATA_DIR: mkdtempSync(join(tmpdir(), 'emp-bench-')),
  };
  for (const k of ['DATABASE_URL', 'REDIS_URL', 'NATS_URL', 'DATABASE_POOL_MAX']) {
    const v = process.env[k];
    if (v) env[k] = v;
  }
  return spawn(process.execPath, serverArgs(), {
    env,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

async function waitReady(server: ChildProcess): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < 600; i++) {
    if (server.exitCode !== null) throw new Error(`server exited with code ${server.exitCode}`);
    try {
      if ((await fetch(`${base}/readyz`)).ok) return performance.now() - t0;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('server did not become ready');
}

function rssMb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m?.[1] ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

async function run(req: BenchRequest, seconds: number) {
  const { perConnection } = req;
  let next = 0;
  return autocannon({
    url: base + req.path,
    method: req.method as 'GET',
    connections,
    duration: seconds,
    headers: { 'content-type': 'application/json', ...req.headers },
    ...(req.body ? { body: req.body } : {}),
    // each connection (client) gets its own list of requests, which it cycles through
    ...(perConnection
      ? {
          setupClient: (client: autocannon.Client) => {
            const list = perConnection(next++).map((r) => ({
              method: r.method as 'GET',
              path: r.path,
              headers: { 'content-type': 'application/json', ...r.headers },
              ...(r.body ? { body: r.body } : {}),
            }));
            client.setRequests(list);
          },
        }
      : {}),
  });
}

async function main() {
  if (!values['no-build']) execSync('npm run -s build', { cwd: ROOT, stdio: 'inherit' });
  const server = startServer();
  const pid = server.pid ?? 0;
  try {
    const readyMs = await waitReady(server);
    const idleRss = rssMb(pid);
    console.log(
      `server ready in ${readyMs.toFixed(0)} ms, idle RSS ${idleRss.toFixed(1)} MB; node ${process.version}; ` +
        `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB; ` +
        `database ${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'}; ${connections} connections, ${duration} s after ${warmup} s warm-up; ` +
        `load average ${loadavg()
          .map((l) => l.toFixed(1))
          .join(' ')}`,
    );
    const chosen = values.scenario?.length ? SCENARIOS.filter((s) => values.scenario?.includes(s.name)) : SCENARIOS;
    const rows: string[] = [
      '| scenario | req/s | p50 ms | p99 ms | errors | non-2xx | peak RSS MB |',
      '|---|---|---|---|---|---|---|',
    ];
    for (const s of chosen) {
      const req = await s.setup(base, { connections });
      if (warmup > 0) await run(req, warmup);
      let peak = rssMb(pid);
      const sampler = setInterval(() => {
        peak = Math.max(peak, rssMb(pid));
      }, 200);
      const r = await run(req, duration);
      clearInterval(sampler);
      if (server.exitCode !== null || server.signalCode !== null)
        throw new Error(`the server died during ${s.name} (exit ${server.exitCode ?? server.signalCode})`);
      rows.push(
        `| ${s.name} | ${r.requests.average.toFixed(0)} | ${r.latency.p50} | ${r.latency.p99} | ${r.errors + r.timeouts} | ${r.non2xx} | ${peak.toFixed(1)} |`,
      );
      console.log(`${rows.at(-1)}  (load average ${loadavg()[0]?.toFixed(1)})`);
    }
    console.log(`\n${rows.join('\n')}`);
  } finally {
    server.kill('SIGTERM');
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
