// Makes the templates a first `npm start` copies (pglite-template.ts): a new cluster from PGlite's initdb (in a child
// process, pglite-initdb.ts), the shop's migrations applied to it, then renamed into `<root>/pglite-<hash>` only when
// complete; and the demo template, a copy of it with the demo data seeded. Templates made from other migrations,
// another PGlite or other code, and what killed makers left, are removed.
// `npm install` runs it through scripts/pglite-template.ts.
import { existsSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { sql } from 'kysely';
import { makeDirs } from '../make-dirs.ts';
import type { Db } from './db.ts';
import { migrate } from './migrate.ts';
import type { MigrationSource } from './migration-file.ts';
import { openPglite } from './pglite.ts';
import { alive } from './pglite-initdb.ts';
import { copyTemplate, demoTemplateName, sourceHash, TEMPLATE_ROOT, templateName } from './pglite-template.ts';

/** Everything in `root` but the templates `keep` and the work of makers still running. */
function removeOthers(root: string, keep: (name: string) => boolean): void {
  for (const name of readdirSync(root)) {
    if (keep(name) || !name.startsWith('pglite-')) continue;
    const pid = Number(/\.(?:make|initdb)-(\d+)$/.exec(name)?.[1]);
    if (pid && pid !== process.pid && alive(pid)) continue; // another install's maker at work
    rmSync(join(root, name), { recursive: true, force: true });
  }
}

export interface MadeTemplate {
  dir: string;
  /** False when the template was already there (made by an earlier install or another maker). */
  made: boolean;
}

export async function makeTemplate(
  migrations: readonly MigrationSource[],
  root: string = TEMPLATE_ROOT,
): Promise<MadeTemplate> {
  const name = templateName(migrations);
  const dir = join(root, name);
  if (existsSync(join(dir, 'PG_VERSION'))) return { dir, made: false };
  makeDirs(root);
  // The demo templates of these migrations stay for makeDemoTemplate to sort out.
  removeOthers(root, (n) => n === name || n.startsWith(`${name}-demo-`));
  return made(dir, async (temporary) => {
    const db = await openPglite({ dataDir: temporary });
    try {
      await migrate(db, [...migrations]);
      await checkpoint(db);
    } finally {
      await db.close();
    }
  });
}

/**
 * Ends the template with a checkpoint, which also makes the next WAL segment when three quarters of the current one
 * are used. Without it, PostgreSQL made that segment (16 MB of zeros) at the first start-up of every copy instead,
 * and a first start kept 15–30 MB more resident memory than a restart for its whole life (docs/benchmarks.md,
 * "A first start that idles as a restart does").
 */
async function checkpoint(db: Db): Promise<void> {
  await sql`checkpoint`.execute(db.k);
}

/** Runs `fill` on `<dir>.make-<pid>`, then renames it into `dir` only when complete. */
async function made(dir: string, fill: (temporary: string) => Promise<void>): Promise<MadeTemplate> {
  const temporary = `${dir}.make-${process.pid}`;
  try {
    await fill(temporary);
    renameSync(temporary, dir);
    return { dir, made: true };
  } catch (e) {
    rmSync(temporary, { recursive: true, force: true });
    if (existsSync(join(dir, 'PG_VERSION'))) return { dir, made: false }; // another maker finished first
    throw e;
  }
}

/**
 * Makes the demo template from the plain one (makeTemplate's): a copy of it with `seed` run on it (the demo shop's
 * data, src/demo-data.ts), named after the code that seeded it (pglite-template.ts `demoTemplateName`). Demo
 * templates of other code are removed.
 */
export async function makeDemoTemplate(
  migrations: readonly MigrationSource[],
  seed: (db: Db) => Promise<void>,
  root: string = TEMPLATE_ROOT,
  source: string = sourceHash(),
): Promise<MadeTemplate> {
  const plain = await makeTemplate(migrations, root);
  const name = demoTemplateName(migrations, source);
  const dir = join(root, name);
  if (existsSync(join(dir, 'PG_VERSION'))) return { dir, made: false };
  removeOthers(root, (n) => n === name || n === basename(plain.dir));
  return made(dir, async (temporary) => {
    copyTemplate(plain.dir, temporary);
    const db = await openPglite({ dataDir: temporary });
    try {
      await seed(db);
      await checkpoint(db);
    } finally {
      await db.close();
    }
  });
}
