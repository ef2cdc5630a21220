// Upgrading a database that holds the previous release's data (docs/migrations.md, "Tested against the previous
// release"): test/fixtures/releases/<commit>.sql was made by scripts/release-fixture.ts from that release's own
// server and HTTP API. It is loaded into a new database (PostgreSQL with TEST_DATABASE_URL, else embedded PGlite),
// the current app starts on it — its migrator must accept the released files' checksums and apply only the new ones
// — and then every pre-existing table must hold what it held, and the current app must serve the old data.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, PLATFORM_MIGRATIONS } from '../../src/app.ts';
import { fillMissingBodies } from '../../src/modules/catalog/catalog.bodies-fill.ts';
import { CACHE_PREFIX } from '../../src/modules/catalog/catalog.reads.ts';
import { loadConfig } from '../../src/platform/config.ts';
import type { Db } from '../../src/platform/db/db.ts';
import { readMigrations } from '../../src/platform/db/migrate.ts';
import { openPglite } from '../../src/platform/db/pglite.ts';
import { openPostgres } from '../../src/platform/db/postgres.ts';
import { readyCart } from '../support/cart.ts';
import type { TestApp } from '../support/create-test-app.ts';
import { TEST_DATABASE_URL } from '../support/services.ts';
import { createPostgresDatabase } from '../support/test-db.ts';

const FIXTURES = join(import.meta.dirname, '../fixtures/releases');
const SRC = join(import.meta.dirname, '../../src');

interface Fixture {
  release: string;
  encryptionKeys: string;
  customer: { email: string; password: string; address: { name: string; line1: string; city: string } };
  guestEmail: string;
  coupon: string;
  productId: string;
  variantIds: string[];
  customerOrder: { id: string; number: string };
  guestOrder: { id: string; number: string; orderToken: string };
}

/**
 * What the migrations since each fixture's release change, written down by whoever adds a migration or a fixture:
 * migrations that must be among the new ones, and the columns they add to released tables (old rows hold null there).
 */
const SINCE: Record<string, { newMigrations: string[]; newSchemas: string[]; addedColumns: Record<string, string[]> }> =
  {
    '27d25dd': {
      newMigrations: [
        'identity/user_locale',
        'identity/user_disabled',
        'orders/order_locale',
        'notifications/init',
        'webhooks/init',
        'catalog/view_bodies',
        'cart/checkout_hold',
        'orders/checkout_request_hash',
      ],
      newSchemas: ['notifications', 'webhooks'],
      // identity/0003_user_locale and orders/0006_order_locale: null = the shop's default language;
      // identity/0004_user_disabled: null = an enabled account;
      // catalog/0005_view_bodies: null = no ready JSON yet, the product is served from its document;
      // cart/0003_checkout_hold: null = no checkout holds the cart;
      // orders/0007_checkout_request_hash: null = an attempt that replays to any request with its key, as before.
      addedColumns: {
        'cart.carts': ['checkout_until', 'checkout_by'],
        'identity.users': ['locale', 'disabled_at'],
        'orders.orders': ['locale'],
        'orders.checkout_attempts': ['request_hash'],
        'catalog.product_view_prices': ['variant_ids', 'body'],
      },
    },
  };

type Content = Record<string, { rows: number; hash: string }>;

/** Every table's row count and a hash of its rows (as jsonb, UTC, new columns left out), in one snapshot. */
async function contentOf(db: Db, addedColumns: Record<string, string[]>): Promise<Content> {
  return db.transaction(
    async (tx) => {
      await sql`set local time zone 'UTC'`.execute(tx);
      const tables = await sql<{ name: string; ident: string }>`
        select table_schema || '.' || table_name as name, format('%I.%I', table_schema, table_name) as ident
        from information_schema.tables
        where table_type = 'BASE TABLE' and table_schema not in ('pg_catalog', 'information_schema')
        order by 1`.execute(tx);
      const out: Content = {};
      for (const t of tables.rows) {
        const added = addedColumns[t.name];
        const row = added
          ? `(to_jsonb(x) - array[${added.map((c) => `'${c}'`).join(', ')}])::text`
          : 'to_jsonb(x)::text';
        const r = await sql<{ rows: number; hash: string }>`select count(*)::int as rows,
          md5(coalesce(string_agg(${sql.raw(row)}, E'\n' order by ${sql.raw(row)}), '')) as hash
          from ${sql.raw(t.ident)} x`.execute(tx);
        out[t.name] = r.rows[0] ?? { rows: 0, hash: '' };
      }
      return out;
    },
    { isolation: 'repeatable read' },
  );
}

interface Recorded {
  module: string;
  version: number;
  name: string;
  checksum: string;
  applied_at: string;
}
const recorded = async (db: Db) =>
  (
    await sql<Recorded>`select module, version, name, checksum, applied_at::text from platform.schema_migrations
      order by module, version`.execute(db.k)
  ).rows;

/** Every migration file of the current code, by `module/name`, with its checksum. */
function currentMigrations(): Map<string, string> {
  const sources = [
    PLATFORM_MIGRATIONS,
    ...readdirSync(join(SRC, 'modules'), { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => ({ module: d.name, dir: join(SRC, 'modules', d.name, 'migrations') }))
      .filter((s) => {
        try {
          return readdirSync(s.dir).length > 0;
        } catch {
          return false;
        }
      }),
  ];
  return new Map(sources.flatMap(readMigrations).map((m) => [`${m.module}/${m.name}`, m.checksum]));
}

const fixtures = readdirSync(FIXTURES)
  .filter((f) => f.endsWith('.json'))
  .map((f) => JSON.parse(readFileSync(join(FIXTURES, f), 'utf8')) as Fixture);

const kind = TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite';

describe.each(fixtures)(`upgrading a database of release $release (${kind}) [REQ-MIG-006]`, (fixture) => {
  const dump = readFileSync(join(FIXTURES, `${fixture.release}.sql`), 'utf8');
  const since = SINCE[fixture.release];
  if (!since) throw new Error(`Say in SINCE what the migrations since release ${fixture.release} change`);
  const cleanup: (() => Promise<void>)[] = [];
  const work = mkdtempSync(join(tmpdir(), 'emporium-prev-release-'));
  let openDb: () => Promise<Db>;
  let before: Content;
  let recordedBefore: Recorded[];

  beforeAll(async () => {
    if (TEST_DATABASE_URL) {
      const created = await createPostgresDatabase(TEST_DATABASE_URL);
      cleanup.push(created.drop);
      const client = new pg.Client({ connectionString: created.url });
      await client.connect();
      try {
        await client.query(dump); // plain SQL with INSERTs: one simple query, on a connection of its own
      } finally {
        await client.end();
      }
      openDb = () => openPostgres({ url: created.url, max: 4 });
    } else {
      const dataDir = join(work, 'pglite');
      const loader = await PGlite.create({ dataDir, extensions: { pg_trgm } });
      await loader.exec(dump);
      await loader.close();
      openDb = () => openPglite({ dataDir });
    }
    const db = await openDb();
    try {
      before = await contentOf(db, since.addedColumns);
      recordedBefore = await recorded(db);
    } finally {
      await db.close();
    }
  }, 120_000);
  afterAll(async () => {
    for (const c of cleanup) await c().catch(() => {});
    rmSync(work, { recursive: true, force: true });
  });

  async function startApp(workers: boolean): Promise<TestApp & { db: Db }> {
    const db = await openDb();
    const config = loadConfig({
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      DEMO_DATA: 'off',
      DATABASE_URL: 'memory://', // the database is the one passed below
      ENCRYPTION_KEYS: fixture.encryptionKeys,
    });
    const app = await createApp(config, { db, keepDbOpen: true, defaultMetrics: false, workers });
    return {
      ...app,
      config,
      databaseUrl: undefined,
      db,
      async close() {
        await app.close();
        await db.close();
      },
    };
  }

  it('[REQ-MIG-006] the current migrator accepts the released files unchanged, applies only the new ones, and changes no old row', async () => {
    expect(Object.keys(before).length).toBeGreaterThan(40);
    expect(before['orders.orders']?.rows).toBe(2);
    expect(before['identity.users']?.rows).toBe(2);
    const current = currentMigrations();
    // Each released file is still on disk with the checksum the release recorded.
    for (const r of recordedBefore)
      expect(current.get(`${r.module}/${r.name}`), `${r.module}/${r.name}`).toBe(r.checksum);

    const app = await startApp(false); // migrations run; no relay or scheduler touches the data yet
    try {
      const after = await recorded(app.db);
      const newOnes = after.filter(
        (r) => !recordedBefore.some((b) => b.module === r.module && b.version === r.version),
      );
      // The released rows are untouched (same checksum, same applied_at): nothing was re-applied.
      for (const b of recordedBefore) expect(after).toContainEqual(b);
      expect(newOnes.map((r) => `${r.module}/${r.name}`).sort()).toEqual(
        [...current.keys()].filter((k) => !recordedBefore.some((b) => `${b.module}/${b.name}` === k)).sort(),
      );
      for (const m of since.newMigrations) {
        expect(newOnes.map((r) => `${r.module}/${r.name}`)).toContain(m);
      }

      const content = await contentOf(app.db, since.addedColumns);
      for (const [table, was] of Object.entries(before)) {
        if (table === 'platform.schema_migrations') continue; // compared row by row above
        expect(content[table], table).toEqual(was);
      }
      const added = Object.keys(content).filter((t) => !(t in before));
      const outside = added.filter((t) => !since.newSchemas.includes(t.split('.')[0] ?? ''));
      expect(outside, 'new tables outside the new schemas').toEqual([]);
      for (const schema of since.newSchemas)
        expect(
          added.some((t) => t.startsWith(`${schema}.`)),
          schema,
        ).toBe(true);
      // The intended change: the added columns exist, and hold null on every old row.
      for (const [table, columns] of Object.entries(since.addedColumns)) {
        for (const column of columns) {
          const r = await sql<{ n: number; set: number }>`select count(*)::int as n,
            count(${sql.ref(column)})::int as set from ${sql.table(table)}`.execute(app.db.k);
          expect(r.rows[0], `${table}.${column}`).toEqual({ n: before[table]?.rows, set: 0 });
        }
      }
    } finally {
      await app.close();
    }
  }, 120_000);

  it('[REQ-CAT-017] [REQ-MIG-006] the old catalog rows get their ready JSON from the fill job, and answers keep their bytes', async () => {
    const app = await startApp(false);
    try {
      const read = async () => {
        await app.kernel.cache.delPrefix(CACHE_PREFIX);
        const list = await app.http.inject({ method: 'GET', url: '/v1/products?currency=EUR' });
        const detail = await app.http.inject({ method: 'GET', url: `/v1/products/${fixture.productId}` });
        expect([list.statusCode, detail.statusCode]).toEqual([200, 200]);
        return [list.body, detail.body];
      };
      const missing = async () =>
        (
          await sql<{ n: number }>`select count(*)::int as n from catalog.product_view_prices
            where body is null`.execute(app.db.k)
        ).rows[0]?.n;
      const old = before['catalog.product_view_prices']?.rows ?? 0;
      expect(old).toBeGreaterThan(0);
      expect(await missing()).toBe(old);
      const fromDocuments = await read();
      expect(fromDocuments[0]).toContain(fixture.productId);
      expect(await fillMissingBodies(app.db)).toEqual({ filled: old, done: true });
      expect(await missing()).toBe(0);
      expect(await read()).toEqual(fromDocuments);
    } finally {
      await app.close();
    }
  }, 120_000);

  it('[REQ-MIG-006] the current app serves the old data: login with the old password, the sealed orders, the catalog, a new checkout with the old coupon', async () => {
    const t = await startApp(true);
    try {
      const login = await t.http.inject({
        method: 'POST',
        url: '/v1/auth/login',
        payload: { email: fixture.customer.email, password: fixture.customer.password },
      });
      expect(login.statusCode).toBe(200);
      const customer = { authorization: `Bearer ${(login.json() as { accessToken: string }).accessToken}` };

      const mine = await t.http.inject({
        method: 'GET',
        url: `/v1/orders/${fixture.customerOrder.id}`,
        headers: customer,
      });
      expect(mine.statusCode).toBe(200);
      expect(mine.json()).toMatchObject({
        id: fixture.customerOrder.id,
        number: fixture.customerOrder.number,
        status: 'paid',
        email: fixture.customer.email,
        shippingAddress: fixture.customer.address,
      });
      // The old checkout's key still replays its order, whatever request it comes with (no request was stored).
      const old = await sql<{ cart_id: string; idempotency_key: string }>`select cart_id, idempotency_key
        from orders.checkout_attempts where id = ${fixture.customerOrder.id}`.execute(t.kernel.db.k);
      const replay = await t.http.inject({
        method: 'POST',
        url: '/v1/orders',
        headers: { ...customer, 'idempotency-key': old.rows[0]?.idempotency_key ?? '' },
        payload: { cartId: old.rows[0]?.cart_id, payment: { provider: 'sandbox', token: 'tok_threeDSecureRequired' } },
      });
      expect(replay.statusCode, replay.body).toBe(201);
      expect(replay.json().id).toBe(fixture.customerOrder.id);
      const addresses = await t.http.inject({ method: 'GET', url: '/v1/me/addresses', headers: customer });
      expect(addresses.statusCode).toBe(200);
      expect(JSON.stringify(addresses.json())).toContain(fixture.customer.address.line1);

      const guest = await t.http.inject({
        method: 'GET',
        url: `/v1/orders/${fixture.guestOrder.id}`,
        headers: { 'x-order-token': fixture.guestOrder.orderToken },
      });
      expect(guest.statusCode).toBe(200);
      expect(guest.json()).toMatchObject({ status: 'paid', email: fixture.guestEmail });

      const product = await t.http.inject({ method: 'GET', url: `/v1/products/${fixture.productId}` });
      expect(product.statusCode).toBe(200);
      expect((product.json() as { variants: { id: string }[] }).variants.map((v) => v.id).sort()).toEqual(
        [...fixture.variantIds].sort(),
      );
      const list = await t.http.inject({ method: 'GET', url: '/v1/products' });
      expect(JSON.stringify(list.json())).toContain(fixture.productId);

      // A new checkout on the old catalog, stock and coupon, by the old customer.
      const cart = await readyCart(t, fixture.variantIds[0] as string, { auth: customer, couponCode: fixture.coupon });
      expect(cart.totals.discount?.amount).toBe(500);
      const placed = await t.http.inject({
        method: 'POST',
        url: '/v1/orders',
        headers: { ...cart.headers, 'idempotency-key': randomUUID() },
        payload: { cartId: cart.id, payment: { provider: 'sandbox', token: 'tok_visa' } },
      });
      expect(placed.statusCode, placed.body).toBe(201);
      expect(placed.json()).toMatchObject({ status: 'paid' });
      const history = await t.http.inject({ method: 'GET', url: '/v1/orders', headers: customer });
      expect(JSON.stringify(history.json())).toContain(fixture.customerOrder.id);
    } finally {
      await t.close();
    }
  }, 120_000);
});
