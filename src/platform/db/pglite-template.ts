// The template of a new embedded database: a cluster made by PGlite's initdb with the shop's migrations applied, kept
// in node_modules/.cache/emporium by `npm install` (scripts/pglite-template.ts, run by npm's `prepare`). A first
// `npm start` copies it into DATA_DIR instead of running initdb and every migration: a copy of 42 MB takes about
// 0.2 s, initdb and the migrations take seconds. The template's name is a hash of the PGlite version
// and of every migration's module, version and checksum, so a start only ever copies a template made from exactly
// the migrations on disk; any other start (no template, other migrations, an unreadable file) runs initdb as before
// and applies the migrations itself. Copies share initdb's system identifier, which an embedded database never uses.
// A second template, the demo template, also holds the demo shop's data (src/demo-data.ts): a first start with demo
// data copies it and has nothing to seed, so it starts and idles as a restart does. Its name adds a hash of the
// application's code, so only the code that seeded it copies it.
import { createHash } from 'node:crypto';
import { constants, cpSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type MigrationSource, readMigrations } from './migration-file.ts';

/** Where `npm install` keeps templates: the project's node_modules/.cache (src/ and dist/ sit at the same depth). */
export const TEMPLATE_ROOT = fileURLToPath(new URL('../../../node_modules/.cache/emporium/', import.meta.url));

const PGLITE_PACKAGE = fileURLToPath(
  new URL('../../../node_modules/@electric-sql/pglite/package.json', import.meta.url),
);

/** The installed PGlite's version: a template is made by one version's initdb and opened by the same one. */
export function pgliteVersion(): string {
  return (JSON.parse(readFileSync(PGLITE_PACKAGE, 'utf8')) as { version: string }).version;
}

/** The template's directory name for these migrations and this PGlite: `pglite-<16 hex digits>`. */
export function templateName(migrations: readonly MigrationSource[], version = pgliteVersion()): string {
  const hash = createHash('sha256').update(`pglite ${version}\n`);
  for (const m of migrations.flatMap(readMigrations)) hash.update(`${m.module} ${m.version} ${m.checksum}\n`);
  return `pglite-${hash.digest('hex').slice(0, 16)}`;
}

/** The application's source: the directory holding platform/ (src/, or dist/ for a build). */
export const SOURCE_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * A hash of the application's code (every file under `root` but tests and source maps, by path and content): the
 * demo template is only ever copied by the code that wrote it. About 1.5 MB in 320 files; read on a first start only.
 */
export function sourceHash(root: string = SOURCE_ROOT): string {
  const files = readdirSync(root, { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.(?:[cm]?[jt]s|json)$/.test(f) && !/\.test\.|\.map$/.test(f))
    .sort();
  const hash = createHash('sha256');
  for (const f of files)
    hash
      .update(`${f}\n`)
      .update(readFileSync(join(root, f)))
      .update('\n');
  return hash.digest('hex').slice(0, 16);
}

/**
 * The demo template's directory name: the plain template's with the hash of the code that seeded it,
 * `pglite-<16 hex digits>-demo-<16 hex digits>`. It holds the demo catalog, its stock and search index as well.
 */
export function demoTemplateName(
  migrations: readonly MigrationSource[],
  source: string = sourceHash(),
  version = pgliteVersion(),
): string {
  return `${templateName(migrations, version)}-demo-${source}`;
}

/**
 * The template made from exactly these migrations (with `demo`, the one that also holds the demo data seeded by this
 * code), if there is one; never throws (no template is a slow start).
 */
export function findTemplate(
  migrations: readonly MigrationSource[],
  root: string = TEMPLATE_ROOT,
  options: { demo?: boolean; source?: string } = {},
): string | undefined {
  try {
    const name = options.demo ? demoTemplateName(migrations, options.source) : templateName(migrations);
    const dir = join(root, name);
    return existsSync(join(dir, 'PG_VERSION')) ? dir : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Copies a template into `target` (a directory that does not exist yet): about 0.2 s for 40 MB, synchronously, as
 * an asynchronous copy file by file took three times as long while the modules loaded. A clone of each file where
 * the file system can (copy on write), else a plain copy.
 */
export function copyTemplate(template: string, target: string): void {
  cpSync(template, target, { recursive: true, errorOnExist: true, force: false, mode: constants.COPYFILE_FICLONE });
}
