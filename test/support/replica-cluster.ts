// A real streaming replica of the test PostgreSQL server, for the read-replica tests: a second cluster made with
// `pg_basebackup -R -X stream` into a temporary directory and started with `pg_ctl` on a free port. PostgreSQL refuses
// to run as root, so as root the binaries run as the `postgres` user (runuser). The base backup connects like the
// test URL (TCP, as `postgres`); where pg_hba refuses replication there, it tries the server's Unix socket, which
// stock Debian allows its `postgres` user (`local replication all peer`). .ci/run allows replication from 127.0.0.1.
import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

export interface ReplicaCluster {
  port: number;
  /** The replica's URL for a database of the primary. */
  url(database: string): string;
  /** Runs one statement on the replica (a database of the primary, default `postgres`). */
  query<R extends pg.QueryResultRow>(text: string, values?: unknown[], database?: string): Promise<R[]>;
  /** `pg_wal_replay_pause()`, returning once replay is paused. */
  pauseReplay(): Promise<void>;
  resumeReplay(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Stops the cluster (if running) and removes its directory. */
  destroy(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const address = s.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      s.close(() => resolve(port));
    });
  });
}

async function primaryQuery<R extends pg.QueryResultRow>(url: string, text: string): Promise<R[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<R>(text)).rows;
  } finally {
    await c.end();
  }
}

export async function createReplicaCluster(primaryUrl: string): Promise<ReplicaCluster> {
  const settings = await primaryQuery<{ name: string; setting: string }>(
    primaryUrl,
    `select name, setting from pg_settings where name in ('server_version_num', 'max_connections',
       'max_worker_processes', 'max_wal_senders', 'max_prepared_transactions', 'max_locks_per_transaction',
       'unix_socket_directories', 'port')`,
  );
  const setting = (name: string) => settings.find((s) => s.name === name)?.setting ?? '';
  const major = Math.floor(Number(setting('server_version_num')) / 10_000);
  const debianBin = `/usr/lib/postgresql/${major}/bin`;
  const bin = (name: string) => (existsSync(debianBin) ? join(debianBin, name) : name);
  const asRoot = process.getuid?.() === 0;
  const exec = async (name: string, args: string[]) => {
    const [file, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', bin(name), ...args]] : [bin(name), args];
    return run(file, argv, { timeout: 120_000 });
  };

  const dir = mkdtempSync(join(tmpdir(), 'emporium-replica-'));
  const data = join(dir, 'data');
  if (asRoot) chownSync(dir, ...(await postgresIds()));
  const port = await freePort();
  const u = new URL(primaryUrl);
  const user = decodeURIComponent(u.username || 'postgres');
  const sources = [
    `host=${u.hostname} port=${u.port || 5432} user=${user}`,
    `host=${setting('unix_socket_directories').split(',')[0]?.trim() || '/var/run/postgresql'} port=${setting('port')} user=postgres`,
  ];
  const failures: string[] = [];
  for (const source of sources) {
    try {
      await exec('pg_basebackup', ['-d', source, '-D', data, '-R', '-X', 'stream', '-c', 'fast']);
      failures.length = 0;
      break;
    } catch (e) {
      failures.push(`${source}: ${((e as { stderr?: string }).stderr ?? String(e)).trim()}`);
      rmSync(data, { recursive: true, force: true });
    }
  }
  if (failures.length) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(
      `pg_basebackup could not copy the test server (pg_hba.conf must allow replication for postgres; .ci/run adds ` +
        `"host replication postgres 127.0.0.1/32 trust"):\n${failures.join('\n')}`,
    );
  }
  // The replica's own settings (Debian keeps the primary's in /etc, so the copy may have none); a hot standby
  // needs these limits at least as high as the primary's.
  const conf = [
    `port = ${port}`,
    `listen_addresses = '127.0.0.1'`,
    `unix_socket_directories = '${dir}'`,
    'hot_standby = on',
    'shared_buffers = 32MB',
    'fsync = off',
    ...['max_connections', 'max_worker_processes', 'max_wal_senders', 'max_prepared_transactions']
      .concat('max_locks_per_transaction')
      .map((n) => `${n} = ${setting(n)}`),
  ];
  writeFileSync(join(data, 'postgresql.conf'), `${conf.join('\n')}\n`);
  writeFileSync(join(data, 'pg_hba.conf'), 'local all all trust\nhost all all 127.0.0.1/32 trust\n');
  writeFileSync(join(data, 'pg_ident.conf'), '');
  if (asRoot) {
    const [uid, gid] = await postgresIds();
    for (const f of ['postgresql.conf', 'pg_hba.conf', 'pg_ident.conf']) chownSync(join(data, f), uid, gid);
  }
  let running = false;
  const url = (database: string) => `postgres://postgres@127.0.0.1:${port}/${database}`;
  const query = async <R extends pg.QueryResultRow>(text: string, values: unknown[] = [], database = 'postgres') => {
    const c = new pg.Client({ connectionString: url(database) });
    await c.connect();
    try {
      return (await c.query<R>(text, values)).rows;
    } finally {
      await c.end();
    }
  };
  const cluster: ReplicaCluster = {
    port,
    url,
    query,
    async pauseReplay() {
      await query('select pg_wal_replay_pause()');
      for (let i = 0; i < 500; i++) {
        const [r] = await query<{ state: string }>('select pg_get_wal_replay_pause_state() as state');
        if (r?.state === 'paused') return;
        await new Promise((res) => setTimeout(res, 20));
      }
      throw new Error('replay did not pause');
    },
    async resumeReplay() {
      await query('select pg_wal_replay_resume()');
    },
    async start() {
      await exec('pg_ctl', ['-D', data, '-l', join(dir, 'log'), '-w', '-t', '60', 'start']);
      running = true;
    },
    async stop() {
      await exec('pg_ctl', ['-D', data, '-m', 'fast', '-w', '-t', '60', 'stop']);
      running = false;
    },
    async destroy() {
      if (running) await exec('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => {});
      running = false;
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    await cluster.start();
  } catch (e) {
    await cluster.destroy();
    throw e;
  }
  return cluster;
}

/** The `postgres` user's uid and gid (the owner a root-run test gives the cluster's files). */
async function postgresIds(): Promise<[number, number]> {
  const { stdout } = await run('id', ['-u', 'postgres']);
  const { stdout: g } = await run('id', ['-g', 'postgres']);
  return [Number(stdout.trim()), Number(g.trim())];
}
