// The backup and restore drill, end to end: real data seeded over HTTP (a product with stock, a customer, a guest
// order and a customer order paid through the sandbox PSP), the app closed, `scripts/backup.ts` and
// `scripts/restore.ts` run as child processes, and the restored database opened by a new app that reads the
// customer's order — its sealed personal data opening under the same keys. PostgreSQL (TEST_DATABASE_URL):
// pg_dump/pg_restore with a manifest checked table by table, also independently here. Embedded (always): a
// .tar.gz of DATA_DIR with its generated keys.
import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import { loadConfig } from '../../src/platform/config.ts';
import { createStaff, registerCustomer, type TestIdentity } from '../support/auth.ts';
import { createVariant, readyCart } from '../support/cart.ts';
import type { TestApp } from '../support/create-test-app.ts';
import { TEST_DATABASE_URL } from '../support/services.ts';
import { createPostgresDatabase } from '../support/test-db.ts';

const ROOT = join(import.meta.dirname, '../..');
const execFileAsync = promisify(execFile);

interface ScriptResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs scripts/<name>.ts as an operator would, with only the environment given (plus PATH and HOME). */
async function script(name: 'backup' | 'restore', args: string[], env: Record<string, string>): Promise<ScriptResult> {
  const argv = ['--experimental-strip-types', '--disable-warning=ExperimentalWarning', `scripts/${name}.ts`, ...args];
  const base = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmpdir() };
  try {
    const r = await execFileAsync(process.execPath, argv, { cwd: ROOT, env: { ...base, ...env }, timeout: 60_000 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof err.code === 'number' ? err.code : -1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}

/** The whole app on a database and data directory of the caller's choosing (they outlive the app). */
async function startApp(env: Record<string, string>): Promise<TestApp> {
  const config = loadConfig({ LOG_LEVEL: 'silent', DEMO_DATA: 'off', ...env });
  const app = await createApp(config, { defaultMetrics: false });
  return { ...app, config, databaseUrl: config.databaseUrl };
}

interface Seeded {
  customer: TestIdentity;
  customerOrderId: string;
  guestOrder: { id: string; orderToken: string };
}

async function placeOrder(t: TestApp, variantId: string, auth?: Record<string, string>) {
  const cart = await readyCart(t, variantId, { quantity: 2, ...(auth ? { auth } : {}) });
  const res = await t.http.inject({
    method: 'POST',
    url: '/v1/orders',
    headers: { ...cart.headers, 'idempotency-key': randomUUID() },
    payload: { cartId: cart.id, payment: { provider: 'sandbox', token: 'tok_visa' } },
  });
  if (res.statusCode !== 201) throw new Error(`order: ${res.statusCode} ${res.body}`);
  return res.json() as { id: string; orderToken: string; status: string };
}

async function seed(t: TestApp): Promise<Seeded> {
  const staff = await createStaff(t, 'admin');
  const lamp = await createVariant(t, staff, { price: 2500, stock: 20 });
  const customer = await registerCustomer(t, { name: 'Backup Drill Customer' });
  const customerOrder = await placeOrder(t, lamp.variantId, customer.headers);
  const guestOrder = await placeOrder(t, lamp.variantId);
  expect([customerOrder.status, guestOrder.status]).toEqual(['paid', 'paid']);
  return { customer, customerOrderId: customerOrder.id, guestOrder };
}

/** The customer's order and the guest's, read over HTTP: their sealed email and address must open. */
async function expectOrdersReadable(t: TestApp, s: Seeded, customerHeaders: Record<string, string>) {
  const mine = await t.http.inject({ method: 'GET', url: `/v1/orders/${s.customerOrderId}`, headers: customerHeaders });
  expect(mine.statusCode).toBe(200);
  expect(mine.json()).toMatchObject({
    id: s.customerOrderId,
    status: 'paid',
    email: 'shopper@example.com',
    shippingAddress: { name: 'Ada Lovelace', line1: 'Main St 1', city: 'Berlin' },
  });
  const guest = await t.http.inject({
    method: 'GET',
    url: `/v1/orders/${s.guestOrder.id}`,
    headers: { 'x-order-token': s.guestOrder.orderToken },
  });
  expect(guest.statusCode).toBe(200);
  expect(guest.json()).toMatchObject({ email: 'shopper@example.com', shippingAddress: { line1: 'Main St 1' } });
}

async function login(t: TestApp, who: TestIdentity): Promise<Record<string, string>> {
  const res = await t.http.inject({
    method: 'POST',
    url: '/v1/auth/login',
    payload: { email: who.email, password: who.password },
  });
  expect(res.statusCode).toBe(200);
  return { authorization: `Bearer ${(res.json() as { accessToken: string }).accessToken}` };
}

/**
 * Every table's row count and content hash, computed here another way than the scripts do (each row's text,
 * sorted by that text), in one snapshot: the independent check that source and restored databases agree.
 */
async function contentOf(url: string): Promise<Record<string, { rows: number; hash: string }>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query("set time zone 'UTC'");
    await client.query('begin isolation level repeatable read read only');
    const tables = await client.query<{ name: string; ident: string }>(`
      select table_schema || '.' || table_name as name, format('%I.%I', table_schema, table_name) as ident
      from information_schema.tables
      where table_type = 'BASE TABLE' and table_schema not in ('pg_catalog', 'information_schema') order by 1`);
    const out: Record<string, { rows: number; hash: string }> = {};
    for (const t of tables.rows) {
      const r = await client.query<{ rows: number; hash: string }>(
        `select count(*)::int as rows, md5(coalesce(string_agg(x::text, E'\\n' order by x::text), '')) as hash
         from ${t.ident} x`,
      );
      out[t.name] = r.rows[0] ?? { rows: 0, hash: '' };
    }
    await client.query('commit');
    return out;
  } finally {
    await client.end();
  }
}

const work = mkdtempSync(join(tmpdir(), 'emporium-backup-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe.skipIf(!TEST_DATABASE_URL)('PostgreSQL backup and restore [REQ-OPS-001]', () => {
  const keys = { ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}` };
  const dropLater: (() => Promise<void>)[] = [];
  const file = join(work, 'emporium.dump');
  let sourceUrl = '';
  let seeded: Seeded;
  let backup: ScriptResult;

  beforeAll(async () => {
    const source = await createPostgresDatabase(TEST_DATABASE_URL ?? '');
    dropLater.push(source.drop);
    sourceUrl = source.url;
    const t = await startApp({ NODE_ENV: 'test', DATABASE_URL: sourceUrl, ...keys });
    try {
      seeded = await seed(t);
    } finally {
      await t.close();
    }
    backup = await script('backup', ['--out', file], { DATABASE_URL: sourceUrl });
  }, 120_000);
  afterAll(async () => {
    for (const drop of dropLater) await drop().catch(() => {});
  });

  const freshDatabase = async () => {
    const db = await createPostgresDatabase(TEST_DATABASE_URL ?? '');
    dropLater.push(db.drop);
    return db.url;
  };

  it('[REQ-OPS-001] backs up every schema in one snapshot, restores into an empty database and verifies every table; the restored app opens the sealed order', async () => {
    expect(backup.stderr).toBe('');
    expect(backup.code).toBe(0);
    const manifest = JSON.parse(readFileSync(`${file}.manifest.json`, 'utf8')) as {
      kind: string;
      serverVersion: string;
      tables: { table: string; rows: number; md5: string }[];
    };
    expect(manifest.kind).toBe('postgres');
    expect(manifest.serverVersion).toMatch(/^\d+/);
    const source = await contentOf(sourceUrl);
    // The manifest lists exactly the source's tables, with their row counts.
    expect(Object.fromEntries(manifest.tables.map((t) => [t.table, t.rows]))).toEqual(
      Object.fromEntries(Object.entries(source).map(([name, c]) => [name, c.rows])),
    );
    const schemas = new Set(manifest.tables.map((t) => t.table.split('.')[0]));
    for (const s of ['platform', 'privacy', 'identity', 'catalog', 'inventory', 'cart', 'orders', 'payments']) {
      expect(schemas).toContain(s);
    }
    expect(source['orders.orders']?.rows).toBe(2);
    expect(source['privacy.data_keys']?.rows).toBeGreaterThanOrEqual(2);

    const target = await freshDatabase();
    const restore = await script('restore', ['--in', file, '--target', target], {});
    expect(restore.stderr).toBe('');
    expect(restore.code).toBe(0);
    expect(restore.stdout).toContain(`verified: ${manifest.tables.length} tables`);
    expect(await contentOf(target)).toEqual(source);

    const t = await startApp({ NODE_ENV: 'test', DATABASE_URL: target, ...keys });
    try {
      await expectOrdersReadable(t, seeded, await login(t, seeded.customer));
    } finally {
      await t.close();
    }
  });

  it('[REQ-OPS-001] a restore into a database that is not empty is refused (exit 2) and changes nothing', async () => {
    const target = await freshDatabase();
    const admin = new pg.Client({ connectionString: target });
    await admin.connect();
    await admin.query('create schema keep; create table keep.notes (id int primary key, body text)');
    await admin.query("insert into keep.notes values (1, 'precious')");
    await admin.end();
    const before = await contentOf(target);
    const r = await script('restore', ['--in', file, '--target', target], {});
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/refusing to restore: the target database .* is not empty/);
    expect(await contentOf(target)).toEqual(before);
  });

  it('[REQ-OPS-001] a restored database that differs from the manifest fails (exit 1) naming each differing table', async () => {
    const dir = join(work, 'tampered');
    mkdirSync(dir);
    const copy = join(dir, 'emporium.dump');
    writeFileSync(copy, readFileSync(file));
    const manifest = JSON.parse(readFileSync(`${file}.manifest.json`, 'utf8')) as {
      tables: { table: string; rows: number; md5: string }[];
    };
    for (const t of manifest.tables) {
      if (t.table === 'orders.orders') t.md5 = '0'.repeat(32);
      if (t.table === 'catalog.products') t.rows += 1;
    }
    writeFileSync(`${copy}.manifest.json`, JSON.stringify(manifest));
    const r = await script('restore', ['--in', copy, '--target', await freshDatabase()], {});
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('differs from the backup in 2 table(s)');
    expect(r.stderr).toContain('orders.orders: content checksum differs');
    expect(r.stderr).toMatch(/catalog\.products: \d+ rows, the backup has \d+/);
  });
});

describe('embedded (PGlite) backup and restore [REQ-OPS-002]', () => {
  const dataDir = join(work, 'data');
  const restoredDir = join(work, 'restored');
  const file = join(work, 'emporium-data.tar.gz');
  // Development mode: the server generates its master and JWT keys under DATA_DIR, as `npm start` does.
  const embedded = (dir: string) => ({ NODE_ENV: 'development', DATA_DIR: dir });
  let seeded: Seeded;
  let whileOpen: ScriptResult;

  beforeAll(async () => {
    // Start from the suite's initialised PGlite directory (global-setup.ts) instead of running initdb again.
    const template = process.env.EMPORIUM_PGLITE_TEMPLATE;
    if (template) {
      mkdirSync(join(dataDir, 'pglite'), { recursive: true });
      await execFileAsync('tar', ['-xzf', template, '-C', join(dataDir, 'pglite')]);
    }
    const t = await startApp(embedded(dataDir));
    try {
      seeded = await seed(t);
      whileOpen = await script('backup', ['--out', file], { DATA_DIR: dataDir });
    } finally {
      await t.close();
    }
  }, 120_000);

  it('[REQ-OPS-002] refuses to back up while the server has the data directory open, writing nothing', () => {
    expect(whileOpen.code).toBe(2);
    expect(whileOpen.stderr).toContain('the embedded database is open');
    expect(readdirSync(work).filter((f) => f.startsWith('emporium-data'))).toEqual([]);
  });

  it('[REQ-OPS-002] archives the data directory with its generated keys; restored into a new directory, the app opens it and reads the order', async () => {
    const backup = await script('backup', ['--out', file], { DATA_DIR: dataDir });
    expect(backup.stderr).toBe('');
    expect(backup.code).toBe(0);
    const manifest = JSON.parse(readFileSync(`${file}.manifest.json`, 'utf8'));
    expect(manifest).toMatchObject({ kind: 'embedded', includesGeneratedKeys: true });
    expect(manifest.entries).toEqual(expect.arrayContaining(['pglite', 'secrets']));

    const restore = await script('restore', ['--in', file, '--data-dir', restoredDir], {});
    expect(restore.stderr).toBe('');
    expect(restore.code).toBe(0);
    expect(readFileSync(join(restoredDir, 'secrets/encryption-keys.json'), 'utf8')).toBe(
      readFileSync(join(dataDir, 'secrets/encryption-keys.json'), 'utf8'),
    );

    const t = await startApp(embedded(restoredDir));
    try {
      // The JWT signing keys came back too: the token issued before the backup is still accepted.
      await expectOrdersReadable(t, seeded, seeded.customer.headers);
    } finally {
      await t.close();
    }
  });

  it('[REQ-OPS-002] a restore into a directory that is not empty is refused (exit 2) and changes nothing', async () => {
    const busy = join(work, 'busy');
    mkdirSync(busy);
    writeFileSync(join(busy, 'keep.txt'), 'precious');
    const r = await script('restore', ['--in', file, '--data-dir', busy], {});
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('is not empty');
    expect(readdirSync(busy)).toEqual(['keep.txt']);
  });
});
