// A database as a released version left it, for test/ops/migrate-from-previous-release.test.ts (docs/migrations.md).
//
//   npm run -s release:fixture -- --release <commit> [--admin-url postgres://postgres@127.0.0.1:5432/postgres]
//                                 [--worktree /tmp/emporium-release-<commit>]
//
// Checks the release out in a git worktree (`npm ci` there unless it has node_modules), creates an empty
// PostgreSQL database, starts that release's server on it (its own migrations, its embedded sandbox PSP, a fixed test
// ENCRYPTION_KEYS), creates data through that release's HTTP API — a product with two variants and stock, a coupon, a
// customer with an address who orders with the coupon, a guest who orders — waits until every event is delivered,
// stops the server and writes `pg_dump --inserts --no-owner --no-privileges` (plain SQL, no COPY) to
// test/fixtures/releases/<commit>.sql, with what the test needs to read it back in <commit>.json. A maintainer runs it
// at each release with the release's commit; the test then checks the next release's migrations against it.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import pg from 'pg';

const ROOT = join(import.meta.dirname, '..');
const OUT_DIR = join(ROOT, 'test/fixtures/releases');
/** Test-only master key, fixed so the sealed personal data in the fixture opens in the test. Never use it for real. */
export const FIXTURE_ENCRYPTION_KEYS = `fixture1:${createHash('sha256').update('emporium release fixture key').digest('base64')}`;
const ADMIN = { email: 'fixture-admin@example.com', password: 'fixture-admin-passphrase-42' };
const CUSTOMER = {
  email: 'fixture-customer@example.com',
  password: 'fixture-customer-passphrase-42',
  name: 'Ada Lovelace',
};
const ADDRESS = { name: 'Ada Lovelace', line1: 'Main St 1', city: 'Berlin', postalCode: '10115', country: 'DE' };
const GUEST_EMAIL = 'fixture-guest@example.com';
const COUPON = 'FIXTURE5';

function arg(name: string, fallback?: string): string {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? process.argv[i + 1] : fallback;
  if (!value) throw new Error(`--${name} is required`);
  return value;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function admin(url: string, statement: string): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(statement);
  } finally {
    await c.end();
  }
}

async function waitFor(what: string, check: () => Promise<boolean>, seconds = 120): Promise<void> {
  for (let i = 0; i < seconds * 4; i++) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out after ${seconds} s waiting for ${what}`);
}

type Json = Record<string, unknown>;

function client(base: string) {
  return async (method: string, path: string, body?: object, headers: Record<string, string> = {}): Promise<Json> => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...headers },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return text ? (JSON.parse(text) as Json) : {};
  };
}

/** The data, created through the release's own HTTP API. */
async function createData(base: string) {
  const call = client(base);
  const staff = { authorization: `Bearer ${(await call('POST', '/v1/auth/login', ADMIN)).accessToken}` };
  const product = await call(
    'POST',
    '/v1/products',
    {
      slug: 'fixture-lamp',
      name: 'Fixture Lamp',
      status: 'published',
      variants: ['red', 'blue'].map((colour) => ({
        sku: `FIX-LAMP-${colour.toUpperCase()}`,
        weightGrams: 800,
        prices: [
          { currency: 'EUR', amount: 2500 },
          { currency: 'USD', amount: 2700 },
        ],
      })),
    },
    staff,
  );
  const variantIds = (product.variants as { id: string }[]).map((v) => v.id);
  const warehouse = await call('POST', '/v1/admin/warehouses', { name: 'Fixture WH', country: 'DE' }, staff);
  for (const variantId of variantIds) {
    await call(
      'POST',
      '/v1/admin/inventory/adjustments',
      { variantId, warehouseId: warehouse.id, quantity: 40, reason: 'receipt' },
      staff,
    );
  }
  await call(
    'POST',
    '/v1/admin/promotions',
    { name: '5 off', kind: 'fixed', value: 500, currency: 'EUR', usageLimit: 100, codes: [COUPON] },
    staff,
  );
  const registered = await call('POST', '/v1/auth/register', CUSTOMER);
  const customer = { authorization: `Bearer ${registered.accessToken}` };
  await call('POST', '/v1/me/addresses', ADDRESS, customer);

  const order = async (variantId: string, email: string, auth: Record<string, string>, coupon?: string) => {
    const cart = await call('POST', '/v1/carts', { currency: 'EUR', country: 'DE' }, auth);
    const headers = { ...auth, 'x-cart-token': cart.token as string };
    await call('POST', `/v1/carts/${cart.id}/items`, { variantId, quantity: 2 }, headers);
    await call(
      'PATCH',
      `/v1/carts/${cart.id}`,
      { email, shippingAddress: ADDRESS, ...(coupon ? { couponCode: coupon } : {}) },
      headers,
    );
    const options = (await call('GET', `/v1/carts/${cart.id}/shipping-options`, undefined, headers)) as {
      items: { id: string }[];
    };
    await call('PATCH', `/v1/carts/${cart.id}`, { shippingMethodId: options.items[0]?.id }, headers);
    const placed = await call(
      'POST',
      '/v1/orders',
      { cartId: cart.id, payment: { provider: 'sandbox', token: 'tok_visa' } },
      { ...headers, 'idempotency-key': `fixture-${cart.id}` },
    );
    if (placed.status !== 'paid') throw new Error(`order ${placed.id} is ${placed.status}, not paid`);
    return { id: placed.id as string, number: placed.number as string, orderToken: placed.orderToken as string };
  };
  const customerOrder = await order(variantIds[0] as string, CUSTOMER.email, customer, COUPON);
  const guestOrder = await order(variantIds[1] as string, GUEST_EMAIL, {});
  return { productId: product.id as string, variantIds, customerOrder, guestOrder };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

async function main(): Promise<void> {
  const release = arg('release');
  const commit = execFileSync('git', ['rev-parse', '--short=7', release], { cwd: ROOT, encoding: 'utf8' }).trim();
  const adminUrl = arg('admin-url', 'postgres://postgres@127.0.0.1:5432/postgres');
  const tree = arg('worktree', `/tmp/emporium-release-${commit}`);
  if (!existsSync(tree))
    execFileSync('git', ['worktree', 'add', '--detach', tree, commit], { cwd: ROOT, stdio: 'inherit' });
  if (!existsSync(join(tree, 'node_modules'))) {
    execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: tree, stdio: 'inherit' });
  }
  const dbName = `emporium_release_${commit}`;
  await admin(adminUrl, `drop database if exists ${dbName} with (force)`);
  await admin(adminUrl, `create database ${dbName}`);
  const url = new URL(adminUrl);
  url.pathname = `/${dbName}`;
  const databaseUrl = url.toString();

  const port = await freePort();
  const server = spawn(
    join(tree, 'node_modules/.bin/node'),
    ['--experimental-strip-types', '--disable-warning=ExperimentalWarning', 'src/main.ts'],
    {
      cwd: tree,
      stdio: ['ignore', 'inherit', 'inherit'],
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '/tmp',
        NODE_ENV: 'development',
        DATABASE_URL: databaseUrl,
        DATA_DIR: join(tree, '.fixture-data'),
        PORT: String(port),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
        DEMO_DATA: 'off',
        ENCRYPTION_KEYS: FIXTURE_ENCRYPTION_KEYS,
        ADMIN_EMAIL: ADMIN.email,
        ADMIN_PASSWORD: ADMIN.password,
      },
    },
  );
  let data: Awaited<ReturnType<typeof createData>>;
  try {
    const base = `http://127.0.0.1:${port}`;
    await waitFor('the release to answer /readyz', async () => (await fetch(`${base}/readyz`)).status === 200);
    data = await createData(base);
    const db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
    try {
      await waitFor('every event to be delivered', async () => {
        const r = await db.query(`select (select count(*) from platform.outbox where published_at is null)
          + (select count(*) from platform.event_deliveries) as n`);
        return Number(r.rows[0].n) === 0;
      });
    } finally {
      await db.end();
    }
  } finally {
    await stop(server);
  }

  const dump = execFileSync('pg_dump', ['--inserts', '--no-owner', '--no-privileges', '--dbname', databaseUrl], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  })
    // psql-only meta-commands (pg_dump's \restrict guard): the fixture is loaded through a driver, not psql.
    .split('\n')
    .filter((line) => !/^\\(un)?restrict\b/.test(line))
    .join('\n');
  const pgDump = execFileSync('pg_dump', ['--version'], { encoding: 'utf8' }).trim();
  const sqlFile = join(OUT_DIR, `${commit}.sql`);
  writeFileSync(sqlFile, dump);
  const meta = {
    release: commit,
    made: 'npm run -s release:fixture -- --release <commit> (scripts/release-fixture.ts)',
    pgDump,
    encryptionKeys: FIXTURE_ENCRYPTION_KEYS,
    admin: ADMIN,
    customer: { ...CUSTOMER, address: ADDRESS },
    guestEmail: GUEST_EMAIL,
    coupon: COUPON,
    ...data,
    sha256: createHash('sha256').update(readFileSync(sqlFile)).digest('hex'),
  };
  const metaFile = join(OUT_DIR, `${commit}.json`);
  writeFileSync(metaFile, `${JSON.stringify(meta, null, 2)}\n`);
  execFileSync(join(ROOT, 'node_modules/.bin/biome'), ['format', '--write', metaFile], { cwd: ROOT, stdio: 'ignore' });
  await admin(adminUrl, `drop database if exists ${dbName} with (force)`);
  process.stdout.write(`wrote ${sqlFile} (${dump.length} bytes) and ${commit}.json\n`);
}

if (import.meta.main) {
  main().catch((e: unknown) => {
    process.stderr.write(`release-fixture: ${(e as Error).message}\n`);
    process.exitCode = 1;
  });
}
