import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { migrate } from './migrate.ts';
import type { MigrationSource } from './migration-file.ts';
import { openPglite } from './pglite.ts';
import { initdbOnce } from './pglite-initdb.ts';
import { demoTemplateName, findTemplate, pgliteVersion, sourceHash, templateName } from './pglite-template.ts';
import { makeDemoTemplate, makeTemplate } from './pglite-template-maker.ts';
import { vacuumCandidates } from './vacuum.ts';

const root = mkdtempSync(join(tmpdir(), 'emp-template-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A module's migrations in a directory of their own. */
function source(name: string, files: Record<string, string>): MigrationSource {
  const dir = join(root, 'migrations', name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
  return { module: name, dir };
}

const deadPid = () =>
  Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);

/** Runs `fn` with a NODE_OPTIONS that kills any child process started meanwhile: proof that no initdb ran. */
async function withoutChildren<T>(fn: () => Promise<T>): Promise<T> {
  const saved = process.env.NODE_OPTIONS;
  process.env.NODE_OPTIONS = `--require ${join(root, 'no-such-preload.cjs')}`;
  try {
    return await fn();
  } finally {
    if (saved === undefined) delete process.env.NODE_OPTIONS;
    else process.env.NODE_OPTIONS = saved;
  }
}

async function appliedIn(dataDir: string): Promise<string[]> {
  const db = await openPglite({ dataDir });
  try {
    const r = await sql<{ name: string }>`
      select module || '/' || name as name from platform.schema_migrations order by module, version`.execute(db.k);
    return r.rows.map((x) => x.name);
  } finally {
    await db.close();
  }
}

describe("a new embedded database is copied from install's template [REQ-KER-028]", () => {
  const shop = [
    source('platform', { '0001_base.sql': 'create schema if not exists platform;' }),
    source('shop', {
      '0001_init.sql': 'create schema shop;\ncreate table shop.items (id int primary key, name text not null);',
      '0002_seed.sql': "insert into shop.items values (1, 'lamp');",
    }),
  ];

  it('[REQ-KER-028] the name follows every migration and the PGlite version, and nothing else', () => {
    const name = templateName(shop);
    expect(name).toMatch(/^pglite-[0-9a-f]{16}$/);
    expect(templateName(shop)).toBe(name);
    expect(templateName(shop, '0.0.1')).not.toBe(name);
    expect(templateName(shop, pgliteVersion())).toBe(name);

    const edited = source('edited', {
      '0001_init.sql': 'create schema shop;\ncreate table shop.items (id int primary key, name text not null);',
    });
    const before = templateName([edited]);
    writeFileSync(join(edited.dir, '0001_init.sql'), 'create schema shop;\ncreate table shop.items (id int);');
    expect(templateName([edited])).not.toBe(before);
    writeFileSync(join(edited.dir, '0002_more.sql'), 'select 1;');
    const added = templateName([edited]);
    expect(added).not.toBe(before);
    expect(templateName([{ ...edited, module: 'other' }])).not.toBe(added);
  });

  // One template for the tests below (each call after the first finds it made).
  const templates = join(root, 'templates');

  it('[REQ-KER-028] install makes the template once, from initdb and the migrations, and clears older ones', async () => {
    mkdirSync(templates, { recursive: true });
    writeFileSync(join(templates, 'README'), 'not ours');
    mkdirSync(join(templates, 'pglite-0000000000000000'));
    mkdirSync(join(templates, `pglite-1111111111111111.make-${deadPid()}`));

    const made = await makeTemplate(shop, templates);
    expect(made).toEqual({ dir: join(templates, templateName(shop)), made: true });
    expect(readdirSync(templates).sort()).toEqual(['README', templateName(shop)]);
    expect(findTemplate(shop, templates)).toBe(made.dir);
    expect(findTemplate(shop.slice(0, 1), templates)).toBeUndefined();

    expect(await makeTemplate(shop, templates)).toEqual({ dir: made.dir, made: false });
    expect(readFileSync(join(templates, 'README'), 'utf8')).toBe('not ours');
  });

  it('[REQ-KER-028] a first start copies the matching template, runs no initdb, and its migrations are done', async () => {
    const { dir } = await makeTemplate(shop, templates);
    const dataDir = join(root, 'shop-a', 'pglite');

    await withoutChildren(() => initdbOnce(dataDir, { migrations: shop, templateRoot: templates }));
    expect(readdirSync(join(root, 'shop-a'))).toEqual(['pglite']);
    expect(await appliedIn(dataDir)).toEqual(['platform/base', 'shop/init', 'shop/seed']);

    const db = await openPglite({ dataDir });
    try {
      expect(await migrate(db, shop)).toEqual({ applied: [] });
      await sql`insert into shop.items values (2, 'chair')`.execute(db.k);
      const r = await sql<{ name: string }>`select name from shop.items order by id`.execute(db.k);
      expect(r.rows.map((x) => x.name)).toEqual(['lamp', 'chair']);
    } finally {
      await db.close();
    }

    // The shop's writes went to its copy: the template and the next shop's copy hold only the migrations' row.
    const other = join(root, 'shop-b', 'pglite');
    await withoutChildren(() => initdbOnce(other, { migrations: shop, templateRoot: templates }));
    const again = await openPglite({ dataDir: other });
    try {
      const r = await sql<{ name: string }>`select name from shop.items order by id`.execute(again.k);
      expect(r.rows.map((x) => x.name)).toEqual(['lamp']);
    } finally {
      await again.close();
    }
    expect(existsSync(join(dir, 'PG_VERSION'))).toBe(true);
  });

  it('[REQ-KER-028] with other migrations on disk, or no template, initdb runs and the migrations are left to the start', async () => {
    await makeTemplate(shop, templates);
    const changed = [...shop, source('later', { '0001_init.sql': 'create schema later;' })];

    const dataDir = join(root, 'shop-c', 'pglite');
    await initdbOnce(dataDir, { migrations: changed, templateRoot: templates });
    const db = await openPglite({ dataDir });
    try {
      const r = await sql<{ n: number }>`select count(*)::int as n from pg_namespace where nspname = 'shop'`.execute(
        db.k,
      );
      expect(r.rows).toEqual([{ n: 0 }]);
      expect((await migrate(db, changed)).applied).toEqual(['platform/base', 'shop/init', 'shop/seed', 'later/init']);
    } finally {
      await db.close();
    }

    // No template at all (an install without scripts) is the same path: nothing to copy.
    expect(findTemplate(shop, join(root, 'no-templates-here'))).toBeUndefined();
  });

  it('[REQ-KER-028] [REQ-KER-030] the demo template: the plain one with the demo data seeded, named after the code; a start with demo data copies it, with nothing due for a vacuum', async () => {
    // The code's hash follows every file but tests, by path and content.
    const code = join(root, 'code');
    mkdirSync(join(code, 'platform'), { recursive: true });
    writeFileSync(join(code, 'platform', 'a.ts'), 'export const a = 1;');
    writeFileSync(join(code, 'a.test.ts'), 'test');
    const hash = sourceHash(code);
    expect(hash).toMatch(/^[0-9a-f]{16}$/);
    writeFileSync(join(code, 'a.test.ts'), 'another test');
    expect(sourceHash(code)).toBe(hash);
    writeFileSync(join(code, 'platform', 'a.ts'), 'export const a = 2;');
    expect(sourceHash(code)).not.toBe(hash);

    const seed = async (db: Awaited<ReturnType<typeof openPglite>>) => {
      await sql`insert into shop.items values (100, 'demo sofa')`.execute(db.k);
      // Enough new rows for platform.vacuum (vacuum.ts) in the seeding database itself.
      await sql`insert into shop.items select g, 'stock ' || g from generate_series(1000, 1199) g`.execute(db.k);
    };
    // A demo template of other code goes when this code's is made; the plain template stays.
    const old = await makeDemoTemplate(shop, seed, templates, 'b'.repeat(16));
    expect(old.dir).toBe(join(templates, demoTemplateName(shop, 'b'.repeat(16))));
    const made = await makeDemoTemplate(shop, seed, templates);
    expect(made).toEqual({ dir: join(templates, demoTemplateName(shop)), made: true });
    expect(made.dir).toBe(`${join(templates, templateName(shop))}-demo-${sourceHash()}`);
    expect(readdirSync(templates).sort()).toEqual(['README', templateName(shop), demoTemplateName(shop)].sort());
    expect(await makeDemoTemplate(shop, seed, templates)).toEqual({ dir: made.dir, made: false });
    expect(findTemplate(shop, templates, { demo: true, source: 'c'.repeat(16) })).toBeUndefined();

    const names = async (dataDir: string) => {
      const db = await openPglite({ dataDir });
      try {
        const r = await sql<{ name: string }>`select name from shop.items where id < 1000 order by id`.execute(db.k);
        return r.rows.map((x) => x.name);
      } finally {
        await db.close();
      }
    };
    const demo = join(root, 'shop-demo', 'pglite');
    await withoutChildren(() => initdbOnce(demo, { migrations: shop, templateRoot: templates, demo: true }));
    expect(await names(demo)).toEqual(['lamp', 'demo sofa']);
    expect(await appliedIn(demo)).toEqual(['platform/base', 'shop/init', 'shop/seed']);
    // The activity counters stay behind with the seeding database: a first start has nothing for platform.vacuum to
    // do (REQ-KER-030).
    const copy = await openPglite({ dataDir: demo });
    try {
      expect(await vacuumCandidates(copy)).toEqual([]);
    } finally {
      await copy.close();
    }
    // Without demo data the plain template is copied.
    const plain = join(root, 'shop-plain', 'pglite');
    await withoutChildren(() => initdbOnce(plain, { migrations: shop, templateRoot: templates }));
    expect(await names(plain)).toEqual(['lamp']);
  });

  it('[REQ-KER-028] a template whose last WAL segment is nearly full: the first open of a copy makes no new segment', async () => {
    const SEGMENT = 16 * 1024 * 1024;
    const own = join(root, 'templates-wal');
    const offset = async (db: Awaited<ReturnType<typeof openPglite>>) => {
      const r = await sql<{ at: string }>`select pg_current_wal_insert_lsn() - '0/0'::pg_lsn as at`.execute(db.k);
      return Number(r.rows[0]?.at) % SEGMENT;
    };
    // A seed that ends between 80 % and 95 % into a segment, where PostgreSQL's start-up makes the next one.
    const seed = async (db: Awaited<ReturnType<typeof openPglite>>) => {
      await sql`create table shop.filler (id serial primary key, body text not null)`.execute(db.k);
      for (let at = await offset(db); at < 0.8 * SEGMENT || at > 0.95 * SEGMENT; at = await offset(db)) {
        const kb = at > 0.95 * SEGMENT ? 256 : Math.max(8, Math.floor((0.85 * SEGMENT - at) / 1024 / 2));
        await sql`insert into shop.filler (body) select repeat(md5(g::text), 32) from generate_series(1, ${kb}) g`.execute(
          db.k,
        );
      }
    };
    const made = await makeDemoTemplate(shop, seed, own);
    const segments = (dir: string) =>
      readdirSync(join(dir, 'pg_wal'))
        .filter((f) => /^[0-9A-F]{24}$/.test(f))
        .sort();
    const copy = join(root, 'shop-wal', 'pglite');
    await withoutChildren(() => initdbOnce(copy, { migrations: shop, templateRoot: own, demo: true }));
    const before = segments(copy);
    expect(before).toEqual(segments(made.dir));
    const db = await openPglite({ dataDir: copy });
    try {
      expect(await offset(db)).toBeGreaterThan(0.75 * SEGMENT);
    } finally {
      await db.close();
    }
    expect(segments(copy)).toEqual(before);
  });
});
