// Makes the template a first `npm start` copies (pglite-template.ts): a new cluster from PGlite's initdb (in a child
// process, pglite-initdb.ts), the shop's migrations applied to it, then renamed into `<root>/pglite-<hash>` only when
// complete. Templates made from other migrations or another PGlite, and what killed makers left, are removed.
// `npm install` runs it through scripts/pglite-template.ts.
import { existsSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { makeDirs } from '../make-dirs.ts';
import { migrate } from './migrate.ts';
import type { MigrationSource } from './migration-file.ts';
import { openPglite } from './pglite.ts';
import { alive } from './pglite-initdb.ts';
import { TEMPLATE_ROOT, templateName } from './pglite-template.ts';

/** Everything in `root` but the current template and the work of makers still running. */
function removeOthers(root: string, current: string): void {
  for (const name of readdirSync(root)) {
    if (name === current || !name.startsWith('pglite-')) continue;
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
  removeOthers(root, name);
  const temporary = join(root, `${name}.make-${process.pid}`);
  try {
    const db = await openPglite({ dataDir: temporary });
    try {
      await migrate(db, [...migrations]);
    } finally {
      await db.close();
    }
    renameSync(temporary, dir);
    return { dir, made: true };
  } catch (e) {
    rmSync(temporary, { recursive: true, force: true });
    if (existsSync(join(dir, 'PG_VERSION'))) return { dir, made: false }; // another maker finished first
    throw e;
  }
}
